package io.skiff.bench.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Command-line options of {@link EndToEndRunner}, parsed by hand: picocli is not on the benchmarks
 * classpath, and the runner must stay runnable from {@code benchmarks/target/classes} plus the skiff
 * jar (which holds the engine classes it shares, such as {@code DirectoryTrees}).
 */
record RunnerOptions(
        long sizeMb,
        long randomMb,
        int reps,
        long seed,
        Path corpusDir,
        Path skiffJar,
        List<String> javaOpts,
        EnumSet<Scenario> scenarios,
        Optional<Path> json,
        Optional<Path> appendMd,
        Optional<Path> workDir,
        boolean coldReceiver,
        boolean savedManifest,
        long fanoutMb,
        FanoutLayout fanoutLayout,
        Optional<List<String>> fanoutHostOpts,
        Optional<String> fanoutUplink,
        boolean copyFloor,
        boolean rsyncFsync,
        int warmReceiver,
        List<String> args) {

    static final int MAX_REPS = 20;
    /** Most untimed warm-up pushes to a receiver daemon (--warm-receiver). */
    static final int MAX_WARM_PUSHES = 10;
    /** The receiver host's heap unless --fanout-host-opts says otherwise: eight receivers share it. */
    static final String FANOUT_HOST_HEAP = "-Xmx1g";

    static final String USAGE = """
            Usage: EndToEndRunner [options]
            Measures skiff against an rsync daemon on 127.0.0.1, alternating skiff and rsync runs, and
            prints medians per scenario. Sizes are in MB = 10^6 bytes. The full copies (random, codeset) also
            report two local copy floors, measured in every repetition after skiff and rsync: the runner
            itself reads the release and writes it to new files in the work dir, then fsyncs them as skiff's
            receiver does: buffered (1 MiB buffer, page cache, as rsync writes), then direct (O_DIRECT, 4 MiB
            aligned blocks, as skiff's receiver writes); the tools' wall times are set against each. The
            update scenario also reports the zstd --patch-from floor of v1 -> v2 (needs zstd and GNU tar;
            without zstd that line is skipped).
            The resume scenario (only when named in --scenarios) pushes the code-set v1 through a proxy
            that cuts the connection at half the full transfer's bytes, and reports the bytes sent after
            the cut: skiff reconnecting (--retries), a new skiff push, and an rsync --partial re-run.
            The fanout scenario (only when named, issue 7) pushes a code-set release of --fanout-mb to
            regions x receivers hosted in one receiver JVM (io.skiff.bench.e2e.ReceiverHost), each target
            behind a counting proxy, so the bytes leaving the sender are counted outside skiff. Per
            repetition, each to new, empty channels: a single-target push, every target with --no-relay,
            every target with relays (skiff push --topology FILE: REGION HOST:PORT internal=HOST:PORT,
            the internal address being the receiver's real port, so relays bypass the proxies). Reported:
            wall s, sender bytes (proxies) and skiff's bytes_wire, their ratios to the single-target push,
            and issue 7's checks (relays: sender bytes <= 2.2x and wall time <= 2x the single push's).
            A skiff whose push has no --topology gets the many-target push as a plain --to list (no
            regions) and the relay run is reported as not measured.

              --size-mb N          code-set release size (default 1000)
              --random-mb N        incompressible file size (default 1536)
              --reps N             repetitions per tool and scenario, 1..20 (default 3)
              --seed N             corpus seed (default 1)
              --corpus-dir DIR     corpus cache (default <repo>/.corpus); reused by seed and size
              --skiff-jar PATH     skiff CLI jar (default <repo>/cli/target/skiff.jar)
              --java-opts "..."    JVM options of the skiff sender and receiver (default -Xmx256m)
              --scenarios LIST     comma-separated of random,codeset,update,resume,fanout, or all
                                   (default random,codeset,update)
              --json FILE          also write the results as JSON
              --append-md FILE     append a dated markdown section (e.g. docs/benchmarks.md)
              --work-dir DIR       receiver roots and rsync destinations (default a temp dir)
              --warm-receiver N    random, codeset, update: before the timed repetitions, push the
                                   scenario's release(s) N times (1..10), untimed, to a scratch channel
                                   of the receiver daemon, as a daemon that has been running has had
                                   them (default 0: its first push is its first)
              --cold-receiver      start a fresh skiff receiver JVM for every repetition (default: one
                                   receiver daemon per scenario, as deployed; each repetition pushes to a
                                   new, empty channel)
              --saved-manifest     skiff pushes with a manifest saved beforehand (skiff manifest --out,
                                   untimed), as a pipeline pushing one release to many targets would
              --no-copy-floor      random, codeset: skip the local copy floors (both)
              --rsync-fsync        rsync fsyncs every file it writes (--fsync, rsync >= 3.2.4), as skiff's
                                   receiver does before it activates: the same durability on both sides
              --fanout-mb N        fanout: code-set release size (default 500)
              --fanout-regions N   fanout: regions, 1..8 (default 2)
              --fanout-per-region N  fanout: receivers per region, 1..16 (default 4)
              --fanout-host-opts "..."  fanout: JVM options of the one receiver JVM hosting every
                                   receiver (default: --java-opts with its -Xmx replaced by -Xmx1g),
                                   after the compiler directives ./skiff gives skiff receive
              --fanout-uplink RATE fanout: every push caps what leaves the sender at RATE (skiff push
                                   --bwlimit, e.g. 50M), as a sender's uplink to remote regions would;
                                   the single-target push too (default: no cap, loopback speed)
              --help               print this help

            Exit codes: 0 done; 1 a run failed or a destination differs from its source;
                        2 usage error, rsync or the skiff jar missing.
            """;

    /** Thrown for anything the user should fix in the command line; the message is one line. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    /** Returns empty when {@code --help} was asked for. */
    static Optional<RunnerOptions> parse(String[] argv, Path repo) throws UsageException {
        long sizeMb = 1000;
        long randomMb = 1536;
        int reps = 3;
        long seed = 1;
        Path corpusDir = repo.resolve(".corpus");
        Path skiffJar = repo.resolve("cli/target/skiff.jar");
        List<String> javaOpts = List.of("-Xmx256m");
        EnumSet<Scenario> scenarios = Scenario.defaults();
        Path json = null;
        Path appendMd = null;
        Path workDir = null;
        boolean coldReceiver = false;
        boolean savedManifest = false;
        long fanoutMb = 500;
        int fanoutRegions = 2;
        int fanoutPerRegion = 4;
        List<String> fanoutHostOpts = null;
        String fanoutUplink = null;
        boolean copyFloor = true;
        boolean rsyncFsync = false;
        int warmReceiver = 0;
        for (int i = 0; i < argv.length; i++) {
            String arg = argv[i];
            String name = arg;
            String inline = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) { // accept --reps=3 as well as --reps 3
                name = arg.substring(0, eq);
                inline = arg.substring(eq + 1);
            }
            if (name.equals("--help") || name.equals("-h")) {
                return Optional.empty();
            }
            boolean flag = true; // options without a value
            switch (name) {
                case "--cold-receiver" -> coldReceiver = true;
                case "--saved-manifest" -> savedManifest = true;
                case "--no-copy-floor" -> copyFloor = false;
                case "--rsync-fsync" -> rsyncFsync = true;
                default -> flag = false;
            }
            if (flag) {
                continue;
            }
            String value = inline != null ? inline : valueOf(argv, ++i, name);
            switch (name) {
                case "--size-mb" -> sizeMb = positiveLong(name, value);
                case "--random-mb" -> randomMb = positiveLong(name, value);
                case "--reps" -> {
                    reps = (int) positiveLong(name, value);
                    if (reps > MAX_REPS) {
                        throw new UsageException("--reps must be at most " + MAX_REPS + ", got " + value);
                    }
                }
                case "--seed" -> seed = parseLong(name, value);
                case "--corpus-dir" -> corpusDir = Path.of(value);
                case "--skiff-jar" -> skiffJar = Path.of(value);
                case "--java-opts" -> javaOpts = value.isBlank() ? List.of() : List.of(value.trim().split("\\s+"));
                case "--scenarios" -> scenarios = scenarios(value);
                case "--json" -> json = Path.of(value);
                case "--append-md" -> appendMd = Path.of(value);
                case "--work-dir" -> workDir = Path.of(value);
                case "--fanout-mb" -> fanoutMb = positiveLong(name, value);
                case "--fanout-regions" -> fanoutRegions = boundedInt(name, value, FanoutLayout.MAX_REGIONS);
                case "--fanout-per-region" -> fanoutPerRegion = boundedInt(name, value, FanoutLayout.MAX_PER_REGION);
                case "--fanout-uplink" -> {
                    if (!value.matches("(?i)\\d+(\\.\\d+)?[KMG]?")) {
                        throw new UsageException("--fanout-uplink must be a rate like 50M, got " + value);
                    }
                    fanoutUplink = value;
                }
                case "--fanout-host-opts" -> fanoutHostOpts = value.isBlank() ? List.of() : List.of(value.trim().split("\\s+"));
                case "--warm-receiver" -> warmReceiver = boundedInt(name, value, MAX_WARM_PUSHES);
                default -> throw new UsageException("unknown option " + arg);
            }
        }
        if (scenarios.contains(Scenario.CODESET) || scenarios.contains(Scenario.UPDATE) || scenarios.contains(Scenario.RESUME)) {
            if (sizeMb < 1) {
                throw new UsageException("--size-mb must be at least 1");
            }
        }
        if (fanoutRegions * fanoutPerRegion < 2) {
            throw new UsageException("--fanout-regions × --fanout-per-region must be at least 2 receivers");
        }
        if (warmReceiver > 0 && coldReceiver) {
            throw new UsageException("--warm-receiver warms the receiver daemon; --cold-receiver starts a fresh one for every repetition");
        }
        if (appendMd != null && !Files.isRegularFile(appendMd)) {
            throw new UsageException("--append-md " + appendMd + ": no such file");
        }
        return Optional.of(new RunnerOptions(sizeMb, randomMb, reps, seed, corpusDir.toAbsolutePath(),
                skiffJar.toAbsolutePath(), javaOpts, scenarios, Optional.ofNullable(json), Optional.ofNullable(appendMd),
                Optional.ofNullable(workDir), coldReceiver, savedManifest, fanoutMb, new FanoutLayout(fanoutRegions, fanoutPerRegion),
                Optional.ofNullable(fanoutHostOpts), Optional.ofNullable(fanoutUplink), copyFloor, rsyncFsync, warmReceiver, List.of(argv)));
    }

    /** The receiver host JVM's options: --fanout-host-opts, else --java-opts with -Xmx... replaced by {@link #FANOUT_HOST_HEAP}. */
    List<String> fanoutHostJavaOpts() {
        if (fanoutHostOpts.isPresent()) {
            return fanoutHostOpts.get();
        }
        List<String> opts = new ArrayList<>();
        javaOpts.stream().filter(o -> !o.startsWith("-Xmx")).forEach(opts::add);
        opts.add(FANOUT_HOST_HEAP);
        return List.copyOf(opts);
    }

    private static int boundedInt(String name, String value, int max) throws UsageException {
        long n = positiveLong(name, value);
        if (n > max) {
            throw new UsageException(name + " must be at most " + max + ", got " + value);
        }
        return (int) n;
    }

    private static String valueOf(String[] argv, int i, String name) throws UsageException {
        if (i >= argv.length) {
            throw new UsageException(name + " needs a value");
        }
        return argv[i];
    }

    private static long parseLong(String name, String value) throws UsageException {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new UsageException(name + " needs a number, got '" + value + "'");
        }
    }

    private static long positiveLong(String name, String value) throws UsageException {
        long n = parseLong(name, value);
        if (n < 1) {
            throw new UsageException(name + " must be at least 1, got " + value);
        }
        return n;
    }

    private static EnumSet<Scenario> scenarios(String value) throws UsageException {
        if (value.trim().equalsIgnoreCase("all")) {
            return EnumSet.allOf(Scenario.class);
        }
        EnumSet<Scenario> set = EnumSet.noneOf(Scenario.class);
        List<String> unknown = new ArrayList<>();
        for (String s : value.split(",")) {
            Optional<Scenario> sc = Scenario.byName(s.trim().toLowerCase(Locale.ROOT));
            sc.ifPresentOrElse(set::add, () -> unknown.add(s));
        }
        if (!unknown.isEmpty() || set.isEmpty()) {
            throw new UsageException("--scenarios: unknown " + unknown + "; choose from "
                    + Arrays.stream(Scenario.values()).map(Scenario::label).toList() + " or all");
        }
        return set;
    }
}
