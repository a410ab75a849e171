package io.skiff.bench.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Command-line options of {@link EndToEndRunner}: picocli binds the flags ({@link Flags}), this record
 * holds them checked, with the defaults that depend on the repository filled in. A usage error is a
 * {@link UsageException} with a one-line message; {@code --help} is an empty result.
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
              --scenarios LIST     comma-separated of random,codeset,update,resume,fanout,tls, or all
                                   (tls: random's file over mutual TLS; with random, the TLS/plaintext ratio)
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
        Flags f = new Flags();
        try {
            new CommandLine(f)
                    .setOverwrittenOptionsAllowed(true) // the last of a repeated option wins, as before
                    .setExpandAtFiles(false)
                    .parseArgs(argv);
        } catch (CommandLine.ParameterException e) {
            throw new UsageException(e.getMessage());
        }
        if (f.help) {
            return Optional.empty();
        }
        atLeastOne("--size-mb", f.sizeMb);
        atLeastOne("--random-mb", f.randomMb);
        int reps = (int) atMost("--reps", atLeastOne("--reps", f.reps), MAX_REPS);
        EnumSet<Scenario> scenarios = f.scenarios == null ? Scenario.defaults() : scenarios(f.scenarios);
        atLeastOne("--fanout-mb", f.fanoutMb);
        int fanoutRegions = (int) atMost("--fanout-regions", atLeastOne("--fanout-regions", f.fanoutRegions), FanoutLayout.MAX_REGIONS);
        int fanoutPerRegion = (int) atMost("--fanout-per-region", atLeastOne("--fanout-per-region", f.fanoutPerRegion),
                FanoutLayout.MAX_PER_REGION);
        int warmReceiver = f.warmReceiver == null ? 0
                : (int) atMost("--warm-receiver", atLeastOne("--warm-receiver", f.warmReceiver), MAX_WARM_PUSHES);
        if (f.fanoutUplink != null && !f.fanoutUplink.matches("(?i)\\d+(\\.\\d+)?[KMG]?")) {
            throw new UsageException("--fanout-uplink must be a rate like 50M, got " + f.fanoutUplink);
        }
        if (scenarios.contains(Scenario.CODESET) || scenarios.contains(Scenario.UPDATE) || scenarios.contains(Scenario.RESUME)) {
            if (f.sizeMb < 1) {
                throw new UsageException("--size-mb must be at least 1");
            }
        }
        if (fanoutRegions * fanoutPerRegion < 2) {
            throw new UsageException("--fanout-regions × --fanout-per-region must be at least 2 receivers");
        }
        if (warmReceiver > 0 && f.coldReceiver) {
            throw new UsageException("--warm-receiver warms the receiver daemon; --cold-receiver starts a fresh one for every repetition");
        }
        if (f.appendMd != null && !Files.isRegularFile(f.appendMd)) {
            throw new UsageException("--append-md " + f.appendMd + ": no such file");
        }
        Path corpusDir = f.corpusDir != null ? f.corpusDir : repo.resolve(".corpus");
        Path skiffJar = f.skiffJar != null ? f.skiffJar : repo.resolve("cli/target/skiff.jar");
        return Optional.of(new RunnerOptions(f.sizeMb, f.randomMb, reps, f.seed, corpusDir.toAbsolutePath(),
                skiffJar.toAbsolutePath(), words(f.javaOpts), scenarios, Optional.ofNullable(f.json), Optional.ofNullable(f.appendMd),
                Optional.ofNullable(f.workDir), f.coldReceiver, f.savedManifest, f.fanoutMb, new FanoutLayout(fanoutRegions, fanoutPerRegion),
                Optional.ofNullable(f.fanoutHostOpts).map(RunnerOptions::words), Optional.ofNullable(f.fanoutUplink),
                !f.noCopyFloor, f.rsyncFsync, warmReceiver, List.of(argv)));
    }

    /**
     * The flags as picocli binds them, before the checks that span several of them; the defaults are
     * those of {@link #USAGE}, which is the help text (picocli's generated one is not used).
     */
    @Command(name = "EndToEndRunner")
    private static final class Flags {
        @Option(names = {"--help", "-h"}, usageHelp = true) boolean help;
        @Option(names = "--size-mb") long sizeMb = 1000;
        @Option(names = "--random-mb") long randomMb = 1536;
        @Option(names = "--reps") long reps = 3;
        @Option(names = "--seed") long seed = 1;
        @Option(names = "--corpus-dir") Path corpusDir;
        @Option(names = "--skiff-jar") Path skiffJar;
        @Option(names = "--java-opts") String javaOpts = "-Xmx256m";
        @Option(names = "--scenarios") String scenarios;
        @Option(names = "--json") Path json;
        @Option(names = "--append-md") Path appendMd;
        @Option(names = "--work-dir") Path workDir;
        @Option(names = "--warm-receiver") Long warmReceiver;
        @Option(names = "--cold-receiver") boolean coldReceiver;
        @Option(names = "--saved-manifest") boolean savedManifest;
        @Option(names = "--no-copy-floor") boolean noCopyFloor;
        @Option(names = "--rsync-fsync") boolean rsyncFsync;
        @Option(names = "--fanout-mb") long fanoutMb = 500;
        @Option(names = "--fanout-regions") long fanoutRegions = 2;
        @Option(names = "--fanout-per-region") long fanoutPerRegion = 4;
        @Option(names = "--fanout-host-opts") String fanoutHostOpts;
        @Option(names = "--fanout-uplink") String fanoutUplink;
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

    /** JVM options as one string, split at white space; a blank one is none. */
    private static List<String> words(String value) {
        return value.isBlank() ? List.of() : List.of(value.trim().split("\\s+"));
    }

    private static long atLeastOne(String name, long n) throws UsageException {
        if (n < 1) {
            throw new UsageException(name + " must be at least 1, got " + n);
        }
        return n;
    }

    private static long atMost(String name, long n, int max) throws UsageException {
        if (n > max) {
            throw new UsageException(name + " must be at most " + max + ", got " + n);
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
