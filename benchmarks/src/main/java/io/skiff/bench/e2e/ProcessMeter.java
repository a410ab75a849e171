package io.skiff.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a sender/client process to completion and measures it: wall time with {@link System#nanoTime}
 * around start and exit, and, when GNU {@code /usr/bin/time} is installed, its user and system CPU and
 * peak RSS (children included: both wait4 their child). Without it, CPU and RSS are reported as n/a.
 * stdout and stderr go to files in the work dir: no pipe can fill and stall the child, and the logs
 * are there to read when a run fails.
 */
final class ProcessMeter {
    static final Path GNU_TIME = Path.of("/usr/bin/time");

    private final boolean useTime;
    private final Duration timeout;
    private final LiveProcesses live;

    /** NaN stands for "not measured". */
    record MeteredRun(int exitCode, double wallSeconds, double userSeconds, double sysSeconds, double peakRssKb,
                      String stdout, String stderr) {
        double cpuSeconds() {
            return userSeconds + sysSeconds;
        }
    }

    ProcessMeter(boolean useTime, Duration timeout, LiveProcesses live) {
        this.useTime = useTime;
        this.timeout = timeout;
        this.live = live;
    }

    /** True if /usr/bin/time is GNU time (it understands -f and -o). */
    static boolean gnuTimeAvailable() {
        if (!Files.isExecutable(GNU_TIME)) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(GNU_TIME.toString(), "-f", "%e", "-o", "/dev/null", "true")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    boolean measuresCpu() {
        return useTime;
    }

    MeteredRun run(List<String> command, Path logPrefix) throws IOException, InterruptedException, RunFailedException {
        Path out = Path.of(logPrefix + ".out");
        Path err = Path.of(logPrefix + ".err");
        Path times = Path.of(logPrefix + ".time");
        Files.deleteIfExists(times);
        List<String> full = new ArrayList<>();
        if (useTime) {
            full.addAll(List.of(GNU_TIME.toString(), "-f", "%e %U %S %M", "-o", times.toString()));
        }
        full.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(full).redirectOutput(out.toFile()).redirectError(err.toFile());
        long start = System.nanoTime();
        Process p = live.register(pb.start());
        boolean exited = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        long end = System.nanoTime();
        if (!exited) {
            live.kill(p);
            p.waitFor(30, TimeUnit.SECONDS);
            live.forget(p);
            throw new RunFailedException("timed out after " + timeout.toMinutes() + " min, killed: " + String.join(" ", command)
                    + " (logs " + out + ", " + err + ")");
        }
        live.forget(p);
        double user = Double.NaN;
        double sys = Double.NaN;
        double rss = Double.NaN;
        if (useTime && Files.exists(times)) {
            double[] t = parseTimeOutput(Files.readString(times));
            user = t[1];
            sys = t[2];
            rss = t[3];
        }
        return new MeteredRun(p.exitValue(), (end - start) / 1e9, user, sys, rss, Files.readString(out), Files.readString(err));
    }

    /**
     * The last non-empty line of {@code -f '%e %U %S %M'} output: elapsed, user, sys seconds, max RSS KiB.
     * GNU time writes "Command exited with non-zero status N" on a line before it when the command fails.
     */
    static double[] parseTimeOutput(String text) {
        String[] lines = text.strip().split("\n");
        String[] f = lines[lines.length - 1].trim().split("\\s+");
        double[] v = {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
        if (f.length == 4) {
            try {
                for (int i = 0; i < 4; i++) {
                    v[i] = Double.parseDouble(f[i]);
                }
            } catch (NumberFormatException e) {
                return new double[]{Double.NaN, Double.NaN, Double.NaN, Double.NaN};
            }
        }
        return v;
    }
}
