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
        List<String> args) {

    static final int MAX_REPS = 20;

    static final String USAGE = """
            Usage: EndToEndRunner [options]
            Measures skiff against an rsync daemon on 127.0.0.1, alternating skiff and rsync runs, and
            prints medians per scenario. Sizes are in MB = 10^6 bytes. The update scenario also reports
            the zstd --patch-from floor of v1 -> v2 (needs zstd and GNU tar; without zstd that line is skipped).
            The resume scenario (only when named in --scenarios) pushes the code-set v1 through a proxy
            that cuts the connection at half the full transfer's bytes, and reports the bytes sent after
            the cut: skiff reconnecting (--retries), a new skiff push, and an rsync --partial re-run.

              --size-mb N          code-set release size (default 1000)
              --random-mb N        incompressible file size (default 1536)
              --reps N             repetitions per tool and scenario, 1..20 (default 3)
              --seed N             corpus seed (default 1)
              --corpus-dir DIR     corpus cache (default <repo>/.corpus); reused by seed and size
              --skiff-jar PATH     skiff CLI jar (default <repo>/cli/target/skiff.jar)
              --java-opts "..."    JVM options of the skiff sender and receiver (default -Xmx256m)
              --scenarios LIST     comma-separated of random,codeset,update,resume, or all
                                   (default random,codeset,update)
              --json FILE          also write the results as JSON
              --append-md FILE     append a dated markdown section (e.g. docs/benchmarks.md)
              --work-dir DIR       receiver roots and rsync destinations (default a temp dir)
              --cold-receiver      start a fresh skiff receiver JVM for every repetition (default: one
                                   receiver daemon per scenario, as deployed; each repetition pushes to a
                                   new, empty channel)
              --saved-manifest     skiff pushes with a manifest saved beforehand (skiff manifest --out,
                                   untimed), as a pipeline pushing one release to many targets would
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
            if (name.equals("--cold-receiver")) {
                coldReceiver = true;
                continue;
            }
            if (name.equals("--saved-manifest")) {
                savedManifest = true;
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
                default -> throw new UsageException("unknown option " + arg);
            }
        }
        if (scenarios.contains(Scenario.CODESET) || scenarios.contains(Scenario.UPDATE) || scenarios.contains(Scenario.RESUME)) {
            if (sizeMb < 1) {
                throw new UsageException("--size-mb must be at least 1");
            }
        }
        if (appendMd != null && !Files.isRegularFile(appendMd)) {
            throw new UsageException("--append-md " + appendMd + ": no such file");
        }
        return Optional.of(new RunnerOptions(sizeMb, randomMb, reps, seed, corpusDir.toAbsolutePath(),
                skiffJar.toAbsolutePath(), javaOpts, scenarios, Optional.ofNullable(json), Optional.ofNullable(appendMd),
                Optional.ofNullable(workDir), coldReceiver, savedManifest, List.of(argv)));
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
