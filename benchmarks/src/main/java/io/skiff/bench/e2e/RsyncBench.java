package io.skiff.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Timed rsync runs of one scenario against one {@link RsyncDaemon}: the client pushes to the daemon's
 * module over TCP on 127.0.0.1, the way skiff's sender pushes to its receiver.
 */
final class RsyncBench implements AutoCloseable {
    private static final Duration IDLE_WAIT = Duration.ofSeconds(30);

    private final Path rsync;
    private final boolean fsync;
    private final ProcessMeter meter;
    private final Path dest;
    private final Path logs;
    private final long clockTicks;
    private final RsyncDaemon daemon;

    /** @param fsync every file rsync writes is fsynced ({@code --fsync}), as skiff's receiver does before activating */
    RsyncBench(Path rsync, ProcessMeter meter, Path workDir, LiveProcesses live, long clockTicks, boolean fsync)
            throws IOException, InterruptedException, RunFailedException {
        this.rsync = rsync;
        this.fsync = fsync;
        this.meter = meter;
        this.dest = workDir.resolve("rsync-dest");
        this.logs = Files.createDirectories(workDir.resolve("logs"));
        this.clockTicks = clockTicks;
        this.daemon = RsyncDaemon.start(rsync, workDir, dest, live);
    }

    /**
     * Full copies use the whole-file algorithm (no delta against an empty destination); updates compress and use
     * deltas. With {@code fsync}, {@code --fsync} after {@code -a}.
     */
    static List<String> clientCommand(Path rsync, Path source, String url, boolean fullCopy, boolean fsync) {
        List<String> cmd = new ArrayList<>(List.of(rsync.toString(), "-a"));
        if (fsync) {
            cmd.add("--fsync");
        }
        if (fullCopy) {
            cmd.addAll(List.of("--whole-file", "--stats"));
        } else {
            // --delete: v2 drops a file v1 had (the old release notes); without it the destination is not v2.
            // --ignore-times: v1 and v2 can be generated within the same second, and README.txt keeps its
            // size, so rsync's quick check (size + mtime in whole seconds) would skip a changed file. Every
            // other file of the corpus changes between versions, so this adds no work on this corpus.
            cmd.addAll(List.of("-z", "--no-whole-file", "--delete", "--ignore-times", "--stats"));
        }
        cmd.addAll(List.of(source + "/", url));
        return cmd;
    }

    RunMeasurement run(Workload w, int rep) throws IOException, InterruptedException, RunFailedException,
            TreeComparator.TreeMismatchException {
        FileTrees.emptyDirectory(dest);
        String prefix = w.scenario().label() + "-rsync-r" + rep;
        try {
            if (w.base().isPresent()) {
                client(clientCommand(rsync, w.base().get(), daemon.url(), true, fsync), prefix + "-base");
            }
            daemon.awaitIdle(IDLE_WAIT);
            ProcStat.CpuTicks before = daemon.cpuTicks();
            OptionalLong lo0 = LoopbackCounter.transmittedBytes();
            ProcessMeter.MeteredRun run;
            long daemonRss;
            try (PeakRssSampler sampler = new PeakRssSampler(daemon::descendantsPeakRssKb)) {
                run = client(clientCommand(rsync, w.source(), daemon.url(), w.scenario().fullCopy(), fsync), prefix);
                daemonRss = sampler.stop();
            }
            OptionalLong lo1 = LoopbackCounter.transmittedBytes();
            daemon.awaitIdle(IDLE_WAIT);
            ProcStat.CpuTicks after = daemon.cpuTicks();
            RsyncStats stats;
            try {
                stats = RsyncStats.parse(run.stdout());
            } catch (IllegalArgumentException e) {
                throw new RunFailedException(e.getMessage() + " (log " + logs.resolve(prefix) + ".out)", e);
            }

            TreeComparator.verify(w.digest(), dest, "rsync daemon, " + w.scenario().label() + " rep " + rep);

            Map<String, Object> details = new LinkedHashMap<>();
            details.put("rsync_bytes_sent", stats.bytesSent());
            details.put("rsync_bytes_received", stats.bytesReceived());
            details.put("rsync_literal_data", stats.literalData());
            details.put("rsync_matched_data", stats.matchedData());
            return new RunMeasurement(ScenarioResult.RSYNC, rep, w.logicalBytes(), run.wallSeconds(),
                    lo0.isPresent() && lo1.isPresent() ? lo1.getAsLong() - lo0.getAsLong() : Double.NaN,
                    stats.wireBytes(), run.cpuSeconds(),
                    (after.total() - before.total()) / (double) clockTicks,
                    run.peakRssKb(), daemonRss > 0 ? daemonRss : Double.NaN, details, Optional.empty());
        } finally {
            FileTrees.emptyDirectory(dest);
        }
    }

    private ProcessMeter.MeteredRun client(List<String> command, String logName)
            throws IOException, InterruptedException, RunFailedException {
        ProcessMeter.MeteredRun run = meter.run(command, logs.resolve(logName));
        if (run.exitCode() != 0) {
            throw new RunFailedException(String.join(" ", command) + " exited with " + run.exitCode() + " (logs "
                    + logs.resolve(logName) + ".out/.err, daemon log " + daemon.log() + "):\n" + run.stderr().strip());
        }
        return run;
    }

    @Override
    public void close() throws InterruptedException {
        daemon.close();
    }
}
