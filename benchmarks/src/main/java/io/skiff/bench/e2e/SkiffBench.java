package io.skiff.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One timed skiff run: a receiver with an empty channel (for an update, the base pushed untimed first),
 * then the timed push from a separate sender JVM, then the check that {@code current} is the source.
 *
 * <p>By default the receiver is a daemon started once per scenario, as deployed: every repetition
 * pushes to a new channel, whose directory is removed afterwards. With {@code coldReceiver} each
 * repetition starts a fresh receiver JVM, so its start-up and JIT warm-up count too.
 *
 * <p>Every push names the scenario's sender history ({@code --history}, one directory per scenario,
 * emptied when the scenario starts): the sender's record of the releases it published, which the
 * timed v2 push of an update can use as delta bases once the untimed base push has recorded v1.
 */
final class SkiffBench implements AutoCloseable {
    static final String CHANNEL = "bench";

    private final SkiffCommand skiff;
    private final ProcessMeter meter;
    private final Path workDir;
    private final Path logs;
    private final LiveProcesses live;
    private final long clockTicks;
    private final Path history;

    private final boolean coldReceiver;
    private final boolean savedManifest;
    private final int warmPushes;
    private SkiffReceiverProcess daemon;

    /**
     * @param savedManifest build the manifest untimed before each timed push and push with it
     * @param history       the sender history every push of this scenario names; emptied here
     * @param warmPushes    untimed pushes of the scenario's release(s) to a new daemon before its first timed one
     */
    SkiffBench(SkiffCommand skiff, ProcessMeter meter, Path workDir, LiveProcesses live, long clockTicks,
               boolean coldReceiver, boolean savedManifest, Path history, int warmPushes) throws IOException {
        this.coldReceiver = coldReceiver;
        this.warmPushes = warmPushes;
        this.savedManifest = savedManifest;
        this.skiff = skiff;
        this.meter = meter;
        this.workDir = workDir;
        this.logs = Files.createDirectories(workDir.resolve("logs"));
        this.live = live;
        this.clockTicks = clockTicks;
        // A --work-dir kept from an earlier run must not hand this run's first push a history it did not make.
        FileTrees.deleteRecursively(history);
        this.history = Files.createDirectories(history);
    }

    RunMeasurement run(Workload w, int rep) throws IOException, InterruptedException, RunFailedException,
            TreeComparator.TreeMismatchException {
        Path root = workDir.resolve("skiff-root");
        String prefix = w.scenario().label() + "-skiff-r" + rep;
        String channel = CHANNEL + "-" + prefix;
        SkiffReceiverProcess receiver = null;
        try {
            if (coldReceiver || daemon == null || !daemon.alive()) {
                FileTrees.deleteRecursively(root);
                receiver = SkiffReceiverProcess.start(skiff, root, logs.resolve(prefix + "-receiver.log"), live);
                if (!coldReceiver) {
                    daemon = receiver;
                    warmUp(w, receiver, root);
                }
            } else {
                receiver = daemon;
            }
            return measure(w, rep, receiver, channel, prefix);
        } finally {
            if (coldReceiver && receiver != null) {
                receiver.close();
                FileTrees.deleteRecursively(root);
            } else {
                FileTrees.deleteRecursively(root.resolve(channel));
            }
        }
    }

    /**
     * The daemon's JIT has compiled what a push of this scenario runs, as in a daemon that has been up for
     * a while: untimed pushes of the release (an update's base, then the release) to a scratch channel,
     * removed afterwards.
     */
    private void warmUp(Workload w, SkiffReceiverProcess receiver, Path root) throws IOException, InterruptedException, RunFailedException {
        for (int i = 1; i <= warmPushes; i++) {
            String channel = CHANNEL + "-" + w.scenario().label() + "-warm" + i;
            String prefix = w.scenario().label() + "-skiff-warm" + i;
            if (w.base().isPresent()) {
                push(w.base().get(), channel, "v1", receiver, prefix + "-base", Optional.empty());
            }
            push(w.source(), channel, w.base().isPresent() ? "v2" : "v1", receiver, prefix + "-push", Optional.empty());
            FileTrees.deleteRecursively(root.resolve(channel));
        }
    }

    private RunMeasurement measure(Workload w, int rep, SkiffReceiverProcess receiver, String channel, String prefix)
            throws IOException, InterruptedException, RunFailedException, TreeComparator.TreeMismatchException {
        if (w.base().isPresent()) {
            push(w.base().get(), channel, "v1", receiver, prefix + "-base", Optional.empty());
        }
        String version = w.base().isPresent() ? "v2" : "v1";
        ProcStat.CpuTicks before = ProcStat.cpuTicks(receiver.pid());
        boolean rssReset = ProcStat.resetPeakRss(receiver.pid());
        OptionalLong lo0 = LoopbackCounter.transmittedBytes();
        Optional<Path> manifest = Optional.empty();
        if (savedManifest) {
            manifest = Optional.of(SavedManifest.build(meter, skiff, w.source(), channel, version, workDir.resolve(prefix + ".manifest"),
                    logs.resolve(prefix + "-manifest")));
        }
        Timed timed = push(w.source(), channel, version, receiver, prefix + "-push", manifest);
        OptionalLong lo1 = LoopbackCounter.transmittedBytes();
        ProcStat.CpuTicks after = ProcStat.cpuTicks(receiver.pid());
        double receiverRss = ProcStat.peakRssKb(receiver.pid()).stream().asDoubleStream().findFirst().orElse(Double.NaN);

        TreeComparator.verify(w.digest(), receiver.current(channel), "skiff receiver, " + w.scenario().label() + " rep " + rep);

        Map<String, Object> details = new LinkedHashMap<>();
        details.put("skiff_seconds", timed.result.seconds());
        details.put("skiff_manifest_seconds", timed.result.manifestSeconds());
        details.put("release_id", timed.result.releaseId());
        details.put("receiver_rss_reset_before_run", rssReset); // false: the peak may be the untimed base push's
        details.put("manifest", savedManifest ? "saved beforehand (untimed)" : "built by the timed push");
        details.put("receiver", coldReceiver ? "fresh JVM per repetition"
                : "daemon, one JVM per scenario" + (warmPushes > 0 ? ", after " + warmPushes + " untimed warm-up push(es)" : ""));
        return new RunMeasurement(ScenarioResult.SKIFF, rep, w.logicalBytes(), timed.run.wallSeconds(),
                lo0.isPresent() && lo1.isPresent() ? lo1.getAsLong() - lo0.getAsLong() : Double.NaN,
                timed.result.bytesWire(), timed.run.cpuSeconds(),
                (after.self() - before.self()) / (double) clockTicks,
                timed.run.peakRssKb(), receiverRss, details, Optional.of(timed.result.breakdown()));
    }

    @Override
    public void close() throws InterruptedException, IOException {
        if (daemon != null) {
            daemon.close();
            daemon = null;
        }
        FileTrees.deleteRecursively(workDir.resolve("skiff-root"));
        FileTrees.deleteRecursively(history);
    }

    private record Timed(ProcessMeter.MeteredRun run, SkiffPushResult result) {
    }

    private Timed push(Path source, String channel, String version, SkiffReceiverProcess receiver, String logName,
                       Optional<Path> manifest) throws IOException, InterruptedException, RunFailedException {
        ProcessMeter.MeteredRun run = meter.run(skiff.push(source, channel, version, receiver.port(), manifest, history),
                logs.resolve(logName));
        String where = " (logs " + logs.resolve(logName) + ".out/.err)";
        if (run.exitCode() != 0) {
            throw new RunFailedException("skiff push " + source + " exited with " + run.exitCode() + where + ":\n"
                    + run.stdout().strip() + "\n" + run.stderr().strip());
        }
        SkiffPushResult result;
        try {
            result = SkiffPushResult.parse(run.stdout());
        } catch (IllegalArgumentException e) {
            throw new RunFailedException("cannot read skiff push --json output: " + e.getMessage() + where, e);
        }
        if (!result.activated()) {
            throw new RunFailedException("skiff push " + source + ": target status " + result.targetStatus() + ", "
                    + result.targetError() + where);
        }
        return new Timed(run, result);
    }
}
