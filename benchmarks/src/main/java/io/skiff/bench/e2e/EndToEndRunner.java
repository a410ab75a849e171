package io.skiff.bench.e2e;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The end-to-end benchmark of issue 4: skiff against an rsync daemon on the same machine, in the same
 * run, alternating, several repetitions, medians and ratios; and, when asked for, issue 6's resume
 * scenario ({@link ResumeBench}: a transfer cut at half its bytes by a {@link LoopbackProxy#cutting}, then resumed);
 * and issue 7's fan-out scenario ({@link FanoutBench}: one release to receivers in regions, hosted by one
 * {@link ReceiverHost} JVM, without and with relays, the bytes leaving the sender counted by a
 * {@link LoopbackProxy#counting} per target).
 * See {@link RunnerOptions#USAGE} and docs/benchmarks.md.
 *
 * <pre>
 * benchmarks/run-e2e.sh --size-mb 50 --random-mb 200 --reps 1
 * java -cp benchmarks/target/benchmarks.jar:cli/target/skiff.jar io.skiff.bench.e2e.EndToEndRunner --help
 * </pre>
 *
 * Progress goes to stderr, the result tables to stdout.
 */
public final class EndToEndRunner {
    /** No child process may run longer than this; a stuck one is killed and the benchmark fails. */
    static final Duration CHILD_TIMEOUT = Duration.ofMinutes(30);

    private final RunnerOptions options;
    private final PrintStream out;
    private final PrintStream log;

    private EndToEndRunner(RunnerOptions options, PrintStream out, PrintStream log) {
        this.options = options;
        this.out = out;
        this.log = log;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream log) {
        Optional<RunnerOptions> parsed;
        try {
            parsed = RunnerOptions.parse(args, findRepo(Path.of("").toAbsolutePath()));
        } catch (RunnerOptions.UsageException e) {
            log.println("error: " + e.getMessage());
            log.print(RunnerOptions.USAGE);
            return 2;
        }
        if (parsed.isEmpty()) {
            out.print(RunnerOptions.USAGE);
            return 0;
        }
        return new EndToEndRunner(parsed.get(), out, log).run();
    }

    private int run() {
        Optional<Path> rsync = onPath("rsync");
        if (rsync.isEmpty()) {
            log.println("rsync not found: install it with `apt-get install rsync`");
            return 2;
        }
        if (!Files.isRegularFile(options.skiffJar())) {
            log.println("skiff jar not found: " + options.skiffJar() + "; build it with `./mvnw -B -q -pl cli -am package -DskipTests`");
            return 2;
        }
        Path workDir = null;
        boolean tempWorkDir = options.workDir().isEmpty();
        LiveProcesses live = new LiveProcesses();
        AtomicBoolean finished = new AtomicBoolean();
        try {
            workDir = tempWorkDir ? Files.createTempDirectory("skiff-e2e-")
                    : Files.createDirectories(options.workDir().get().toAbsolutePath());
            Path created = workDir;
            // Ctrl-C: kill the children first (they hold files open in the work dir), then drop a temp work dir.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                live.killAll();
                if (tempWorkDir && !finished.get()) {
                    try {
                        FileTrees.deleteRecursively(created);
                    } catch (IOException e) {
                        // best effort on the way out
                    }
                }
            }, "e2e-cleanup"));
            int status = measure(rsync.get(), workDir, live);
            finished.set(true);
            if (tempWorkDir) {
                FileTrees.deleteRecursively(workDir);
            }
            return status;
        } catch (RunFailedException | TreeComparator.TreeMismatchException e) {
            finished.set(true);
            log.println("FAILED: " + e.getMessage());
            log.println("work dir kept for inspection: " + workDir);
            return 1;
        } catch (IOException e) {
            finished.set(true);
            log.println("FAILED: I/O error: " + e);
            log.println("work dir kept for inspection: " + workDir);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.println("interrupted");
            return 1;
        }
    }

    private int measure(Path rsync, Path workDir, LiveProcesses live)
            throws IOException, InterruptedException, RunFailedException, TreeComparator.TreeMismatchException {
        Instant started = Instant.now();
        boolean gnuTime = ProcessMeter.gnuTimeAvailable();
        if (!gnuTime) {
            log.println("note: /usr/bin/time (GNU time) not found; sender CPU and RSS will be n/a "
                    + "(install it with `apt-get install time`)");
        }
        ProcessMeter meter = new ProcessMeter(gnuTime, CHILD_TIMEOUT, live);
        long clockTicks = ClockTicks.perSecond();
        SkiffCommand skiff = SkiffCommand.asLauncher(SkiffCommand.currentJava(), options.javaOpts(), options.skiffJar());
        MachineInfo machine = MachineInfo.probe(skiff.javaBinary(), rsync);
        log.println("machine: " + machine.oneLine());
        log.println("skiff JVMs: " + skiff.cdsArchive().map(a -> "class-data archive " + a)
                .orElse("no class-data archive (./skiff makes one after a build; run-e2e.sh runs it first)")
                + "; receiver and a hashing push: " + skiff.daemonDirectives().map(d -> "compiler directives " + d)
                .orElse("the JVM's default compilation (no " + SkiffCommand.DIRECTIVES + " next to the jar's module)"));
        log.println("work dir: " + workDir);

        List<Workload> workloads = new Workloads(options, log).all();
        List<ScenarioReport> results = new ArrayList<>();
        for (Workload w : workloads) {
            log.printf(Locale.ROOT, "%s: %,d bytes in %d file(s) from %s%n", w.scenario().label(), w.logicalBytes(), w.files(), w.source());
            if (w.scenario() == Scenario.RESUME) {
                results.add(resume(w, rsync, skiff, meter, workDir, live));
                continue;
            }
            if (w.scenario() == Scenario.FANOUT) {
                results.add(fanout(w, skiff, meter, clockTicks, workDir, live));
                continue;
            }
            ScenarioResult result = new ScenarioResult(w, options.rsyncFsync());
            // Only random and codeset get here as full copies (resume and fanout went their own ways above).
            // Buffered first (as rsync writes), then direct (as skiff's receiver writes); each has its own line.
            List<CopyFloor> copyFloors = options.copyFloor() && w.scenario().fullCopy()
                    ? List.of(new CopyFloor(workDir, CopyFloor.Mode.BUFFERED), new CopyFloor(workDir, CopyFloor.Mode.DIRECT))
                    : List.of();
            SkiffCommand scenarioSkiff = w.scenario() == Scenario.TLS ? TlsKeys.make(skiff, workDir, log) : skiff;
            try (SkiffBench skiffBench = new SkiffBench(scenarioSkiff, meter, workDir, live, clockTicks, options.coldReceiver(),
                    options.savedManifest(), workDir.resolve("skiff-history-" + w.scenario().label()), options.warmReceiver());
                 RsyncBench rsyncBench = new RsyncBench(rsync, meter, workDir, live, clockTicks, options.rsyncFsync())) {
                for (int rep = 1; rep <= options.reps(); rep++) {
                    // Alternate, so drift (thermal, page cache, other load) hits both tools alike.
                    record(result, rep, skiffBench.run(w, rep));
                    record(result, rep, rsyncBench.run(w, rep));
                    for (CopyFloor floor : copyFloors) {
                        if (result.copyFloorSkipped(floor.mode()).isEmpty()) {
                            copyFloor(result, floor, w, rep);
                        }
                    }
                }
            }
            if (w.scenario() == Scenario.UPDATE && w.base().isPresent()) {
                patchFromFloor(result, w.base().get(), w.source(), workDir, meter);
            }
            results.add(result);
        }
        new RunReport(options, out, log).print(results, machine, gnuTime, started);
        return 0;
    }

    /**
     * Issue 6: the uncut references first (they give the full transfer's bytes, hence where to cut), then per
     * repetition skiff reconnecting, skiff's new push, rsync's --partial re-run. The rsync baseline is
     * optional: if it fails, its rows are left out with the reason and the scenario goes on.
     */
    private ResumeResult resume(Workload w, Path rsync, SkiffCommand skiff, ProcessMeter meter, Path workDir, LiveProcesses live)
            throws IOException, InterruptedException, RunFailedException, TreeComparator.TreeMismatchException {
        ResumeResult result = new ResumeResult(w);
        try (ResumeBench skiffBench = new ResumeBench(skiff, meter, workDir, live, options.savedManifest(),
                workDir.resolve("skiff-history-" + w.scenario().label()));
             RsyncResumeBench rsyncBench = new RsyncResumeBench(rsync, meter, workDir, live)) {
            ResumeRun full = skiffBench.full(w);
            record(result, full);
            long cutAt = ResumeResult.cutAt(full.clientToServer());
            log.printf(Locale.ROOT, "  skiff: full transfer %,d bytes client->server through the proxy; cutting at %,d%n",
                    full.clientToServer(), cutAt);
            long rsyncFull = -1;
            try {
                ResumeRun r = rsyncBench.full(w);
                record(result, r);
                rsyncFull = r.clientToServer();
                log.printf(Locale.ROOT, "  rsync: full transfer %,d bytes client->server through the proxy; cutting at %,d%n",
                        rsyncFull, ResumeResult.cutAt(rsyncFull));
            } catch (RunFailedException | TreeComparator.TreeMismatchException e) {
                rsyncFailed(result, e);
            }
            for (int rep = 1; rep <= options.reps(); rep++) {
                record(result, skiffBench.retrying(w, rep, full.clientToServer(), cutAt));
                record(result, skiffBench.newPush(w, rep, full.clientToServer(), cutAt));
                if (result.rsyncSkipped().isEmpty()) {
                    try {
                        record(result, rsyncBench.rerun(w, rep, rsyncFull, ResumeResult.cutAt(rsyncFull)));
                    } catch (RunFailedException | TreeComparator.TreeMismatchException e) {
                        rsyncFailed(result, e);
                    }
                }
            }
        }
        return result;
    }

    /**
     * Issue 7: per repetition, alternating, a single-target push, every target with --no-relay, every target
     * with relays, each to new, empty channels of the receivers one {@link ReceiverHost} JVM runs.
     */
    private FanoutResult fanout(Workload w, SkiffCommand skiff, ProcessMeter meter, long clockTicks, Path workDir, LiveProcesses live)
            throws IOException, InterruptedException, RunFailedException, TreeComparator.TreeMismatchException {
        FanoutLayout layout = options.fanoutLayout();
        requireSpace(workDir, (layout.receivers() + 1) * w.logicalBytes(), "the fanout scenario (" + layout.receivers()
                + " copies of the release at once, plus staging)");
        // the receivers' JVM compiles as ./skiff receive would (its compiler directives), then the user's options
        List<String> hostOpts = new ArrayList<>(skiff.daemonLauncherOpts());
        hostOpts.addAll(options.fanoutHostJavaOpts());
        try (FanoutBench bench = new FanoutBench(skiff, meter, workDir, live, clockTicks, options.savedManifest(),
                workDir.resolve("skiff-history-" + w.scenario().label()), layout, hostOpts, receiverHostClassPath(options.skiffJar()),
                options.fanoutUplink())) {
            FanoutResult result = new FanoutResult(w, layout, bench.support().relays(), bench.targetsGivenAs(), hostOpts);
            Optional<String> noRelays = bench.relaySkipReason();
            noRelays.ifPresent(why -> {
                log.println("note: fanout: " + why + "; the " + layout.targetsText() + " push goes as a plain --to list, "
                        + "the relay run is not measured");
                result.skipped(FanoutResult.Kind.RELAY, why);
            });
            for (int rep = 1; rep <= options.reps(); rep++) {
                for (FanoutResult.Kind kind : FanoutResult.Kind.values()) {
                    if (kind == FanoutResult.Kind.RELAY && noRelays.isPresent()) {
                        continue;
                    }
                    record(result, bench.run(w, rep, kind), result.label(kind));
                }
            }
            return result;
        }
    }

    private void record(FanoutResult result, FanoutRun r, String label) {
        result.add(r);
        log.printf(Locale.ROOT, "  %-8s rep %d/%d  %-36s %7.2f s  sender %s bytes (skiff %s)  %d/%d activated  %s  (verified)%n",
                result.scenario().label(), r.rep(), options.reps(), label, r.wallSeconds(), ResultTable.grouped(r.senderBytes()),
                ResultTable.grouped(r.skiffBytesWire()), r.activated(), r.targets(), FanoutPushResult.routesText(r.routes()));
    }

    /** Fails early when the work dir's file system cannot hold {@code bytes} (with a margin). */
    private static void requireSpace(Path workDir, long bytes, String what) throws IOException, RunFailedException {
        long usable = Files.getFileStore(workDir).getUsableSpace();
        long needed = (long) (bytes * 1.1);
        if (usable < needed) {
            throw new RunFailedException(String.format(Locale.ROOT, "%s needs about %,d bytes free under %s, only %,d are",
                    what, needed, workDir, usable));
        }
    }

    /**
     * The receiver host's class path: where this runner's classes are (benchmarks/target/benchmarks.jar, or
     * benchmarks/target/classes in the tests, for {@link ReceiverHost}) and the skiff jar under test (the
     * engine, and its logging), second.
     */
    static String receiverHostClassPath(Path skiffJar) {
        String self;
        try {
            self = Path.of(ReceiverHost.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException | RuntimeException e) {
            self = Path.of("benchmarks/target/benchmarks.jar").toAbsolutePath().toString();
        }
        return self.equals(skiffJar.toString()) ? self : self + File.pathSeparator + skiffJar;
    }

    private void rsyncFailed(ResumeResult result, Exception e) {
        log.println("warning: rsync --partial baseline of the resume scenario failed, its rows are left out: " + e.getMessage());
        result.rsyncSkipped("failed: " + e.getMessage().lines().findFirst().orElse(""));
    }

    private void record(ResumeResult result, ResumeRun r) {
        result.add(r);
        String rep = r.rep() == 0 ? "ref    " : String.format(Locale.ROOT, "rep %d/%d", r.rep(), options.reps());
        String cut = r.cut() ? String.format(Locale.ROOT, "after the cut %s bytes = %s full", ResultTable.grouped(r.afterCut()),
                ResultTable.times(r.afterCutOverFull())) : "client->server " + ResultTable.grouped(r.clientToServer()) + " bytes";
        log.printf(Locale.ROOT, "  %-8s %s  %-36s %7.2f s  %d attempt%s  %s  (verified)%n", result.scenario().label(), rep,
                r.variant().label(), r.wallSeconds(), r.attempts(), r.attempts() == 1 ? "" : "s", cut);
    }

    /**
     * One repetition of one local copy floor, right after the tools' runs. A reference, not a measurement of either
     * tool: if the copy fails (an I/O error, or the file system refuses O_DIRECT), that floor is reported as not
     * measured and the scenario goes on. A copy that differs from its source fails the benchmark, as a tool's would.
     */
    private void copyFloor(ScenarioResult result, CopyFloor floor, Workload w, int rep)
            throws TreeComparator.TreeMismatchException {
        CopyFloor.Outcome outcome = floor.measure(w, rep);
        if (outcome instanceof CopyFloor.Measured measured) {
            CopyFloor.Run r = measured.run();
            result.add(r);
            log.printf(Locale.ROOT, "  %-8s rep %d/%d  %-5s  %7.2f s  %7.1f MB/s  write %.2f s, fsync %.2f s  (%s, verified)%n",
                    result.scenario().label(), rep, options.reps(), "copy", r.wallSeconds(), r.throughputMBps(),
                    r.writeSeconds(), r.fsyncSeconds(), floor.mode().label());
        } else if (outcome instanceof CopyFloor.NotMeasured notMeasured) {
            log.println("warning: local copy floor, " + floor.mode().label() + ", not measured: " + notMeasured.why());
            result.copyFloorSkipped(floor.mode(), notMeasured.why());
        }
    }

    /**
     * The update's reference floor, once per run (its size is deterministic) and after the timed runs, so
     * writing the two tars cannot disturb them. A reference, not a measurement of either tool: when zstd is
     * missing or fails, the row says so and the benchmark goes on.
     */
    private void patchFromFloor(ScenarioResult result, Path v1, Path v2, Path workDir, ProcessMeter meter)
            throws IOException, InterruptedException {
        Optional<String> missing = PatchFromFloor.missingTools();
        if (missing.isPresent()) {
            log.println(missing.get() + "; skipping the zstd --patch-from floor of the update scenario");
            result.patchFromSkipped(missing.get());
            return;
        }
        Path dir = workDir.resolve("patch-from");
        log.println("zstd --patch-from floor: tarring v1 and v2, then " + PatchFromFloor.commandText());
        try {
            PatchFromFloor.Result floor = PatchFromFloor.fromPath(meter, workDir.resolve("logs")).measure(v1, v2, dir);
            result.patchFrom(floor);
            log.printf(Locale.ROOT, "  %,d bytes in %.2f s (v1.tar %,d bytes, v2.tar %,d bytes)%n",
                    floor.bytes(), floor.seconds(), floor.v1TarBytes(), floor.v2TarBytes());
        } catch (RunFailedException e) {
            log.println("warning: zstd --patch-from floor not measured: " + e.getMessage());
            result.patchFromSkipped("failed: " + e.getMessage().lines().findFirst().orElse(""));
        } finally {
            FileTrees.deleteRecursively(dir); // two tars the size of the releases
        }
    }

    private void record(ScenarioResult result, int rep, RunMeasurement r) {
        result.add(r);
        log.printf(Locale.ROOT, "  %-8s rep %d/%d  %-5s  %7.2f s  %7.1f MB/s  lo %s bytes  (verified)%n", result.scenario().label(),
                rep, options.reps(), r.tool(), r.wallSeconds(), r.throughputMBps(), ResultTable.grouped(r.loWireBytes()));
    }

    static Optional<Path> onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The skiff checkout the runner is started in (or below): the directory holding cli/ and benchmarks/. */
    static Path findRepo(Path start) {
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("cli/pom.xml")) && Files.isRegularFile(p.resolve("benchmarks/pom.xml"))) {
                return p;
            }
        }
        return start;
    }
}
