package io.skiff.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rsync baseline of the resume scenario. rsync does not reconnect by itself; what comes closest is
 * running it again with {@code --partial}: the daemon keeps the file it was receiving when the connection
 * broke, and the re-run skips the files that arrived whole (same size and mtime) and uses the partial file
 * as the basis of its delta algorithm. So: {@code rsync -a --partial --no-whole-file --stats} (no
 * {@code --whole-file}, or the partial file would be ignored) to the daemon through a {@link LoopbackProxy#cutting},
 * once uncut (the reference), then per repetition cut at N bytes and run again.
 */
final class RsyncResumeBench implements AutoCloseable {
    private static final Duration IDLE_WAIT = Duration.ofSeconds(30);

    private final Path rsync;
    private final ProcessMeter meter;
    private final Path dest;
    private final Path logs;
    private final RsyncDaemon daemon;

    RsyncResumeBench(Path rsync, ProcessMeter meter, Path workDir, LiveProcesses live)
            throws IOException, InterruptedException, RunFailedException {
        this.rsync = rsync;
        this.meter = meter;
        this.dest = workDir.resolve("rsync-resume-dest");
        this.logs = Files.createDirectories(workDir.resolve("logs"));
        this.daemon = RsyncDaemon.start(rsync, workDir, dest, live);
    }

    static List<String> clientCommand(Path rsync, Path source, String url) {
        return List.of(rsync.toString(), "-a", "--partial", "--no-whole-file", "--stats", source + "/", url);
    }

    /** The uncut reference: its client-to-server bytes are rsync's full transfer. */
    ResumeRun full(Workload w) throws IOException, InterruptedException, RunFailedException, TreeComparator.TreeMismatchException {
        FileTrees.emptyDirectory(dest);
        String prefix = "resume-rsync-full";
        try (LoopbackProxy proxy = LoopbackProxy.cutting(daemon.port(), LoopbackProxy.NO_CUT)) {
            ProcessMeter.MeteredRun run = meter.run(clientCommand(rsync, w.source(), RsyncDaemon.urlVia(proxy.port())), logs.resolve(prefix));
            settle(proxy, prefix);
            requireSuccess(run, prefix);
            RsyncStats stats = stats(run, prefix);
            TreeComparator.verify(w.digest(), dest, "rsync daemon, resume (uncut reference)");
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("rsync_bytes_sent", stats.bytesSent());
            d.put("rsync_bytes_received", stats.bytesReceived());
            return new ResumeRun(ResumeResult.Variant.RSYNC_FULL, 0, run.wallSeconds(), 1, proxy.connections(), LoopbackProxy.NO_CUT,
                    proxy.clientToServer(), stats.wireBytes(), d);
        } finally {
            FileTrees.emptyDirectory(dest);
        }
    }

    /** Cut at {@code cutAt} client-to-server bytes, then the same command again. */
    ResumeRun rerun(Workload w, int rep, long fullBytes, long cutAt)
            throws IOException, InterruptedException, RunFailedException, TreeComparator.TreeMismatchException {
        FileTrees.emptyDirectory(dest);
        String prefix = "resume-rsync-r" + rep;
        List<String> command;
        try (LoopbackProxy proxy = LoopbackProxy.cutting(daemon.port(), cutAt)) {
            command = clientCommand(rsync, w.source(), RsyncDaemon.urlVia(proxy.port()));
            ProcessMeter.MeteredRun first = meter.run(command, logs.resolve(prefix + "-1"));
            settle(proxy, prefix + "-1");
            List<LoopbackProxy.Connection> c = proxy.connections();
            if (c.isEmpty() || !c.get(0).cut() || c.get(0).clientToServer() != cutAt) {
                throw new RunFailedException("the proxy did not cut rsync's connection at " + cutAt + " bytes: " + c
                        + " (logs " + logs.resolve(prefix + "-1") + ".out/.err)");
            }
            if (first.exitCode() == 0) {
                throw new RunFailedException("rsync exited with 0 although the proxy cut its connection at " + cutAt + " bytes");
            }
            ProcessMeter.MeteredRun second = meter.run(command, logs.resolve(prefix + "-2"));
            settle(proxy, prefix + "-2");
            requireSuccess(second, prefix + "-2");
            RsyncStats stats = stats(second, prefix + "-2");
            TreeComparator.verify(w.digest(), dest, "rsync daemon, resume rep " + rep + " (--partial re-run)");
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("first_run_seconds", first.wallSeconds());
            d.put("first_run_exit_code", first.exitCode());
            d.put("second_run_seconds", second.wallSeconds());
            d.put("second_run_rsync_bytes_sent", stats.bytesSent());
            d.put("second_run_rsync_bytes_received", stats.bytesReceived());
            d.put("second_run_rsync_literal_data", stats.literalData());
            d.put("second_run_rsync_matched_data", stats.matchedData());
            return new ResumeRun(ResumeResult.Variant.RSYNC_PARTIAL_RERUN, rep, first.wallSeconds() + second.wallSeconds(), 2,
                    proxy.connections(), cutAt, fullBytes, Double.NaN, d);
        } finally {
            FileTrees.emptyDirectory(dest);
        }
    }

    /** The proxy has seen the daemon close the connection, and the daemon has reaped its per-connection children. */
    private void settle(LoopbackProxy proxy, String logName) throws InterruptedException, RunFailedException {
        if (!proxy.awaitIdle(ResumeBench.PROXY_IDLE)) {
            throw new RunFailedException("the proxy still forwards an rsync connection " + ResumeBench.PROXY_IDLE.toSeconds()
                    + " s after the client exited (logs " + logs.resolve(logName) + ".out/.err, daemon log " + daemon.log() + ")");
        }
        daemon.awaitIdle(IDLE_WAIT);
    }

    private void requireSuccess(ProcessMeter.MeteredRun run, String logName) throws RunFailedException {
        if (run.exitCode() != 0) {
            throw new RunFailedException("rsync exited with " + run.exitCode() + " (logs " + logs.resolve(logName)
                    + ".out/.err, daemon log " + daemon.log() + "):\n" + run.stderr().strip());
        }
    }

    private RsyncStats stats(ProcessMeter.MeteredRun run, String logName) throws RunFailedException {
        try {
            return RsyncStats.parse(run.stdout());
        } catch (IllegalArgumentException e) {
            throw new RunFailedException(e.getMessage() + " (log " + logs.resolve(logName) + ".out)", e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        daemon.close();
    }
}
