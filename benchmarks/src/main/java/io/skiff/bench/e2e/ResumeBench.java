package io.skiff.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The skiff side of the resume scenario: one receiver daemon for the scenario, every push through a new
 * {@link LoopbackProxy#cutting} in front of it, to a new, empty channel.
 *
 * <ul>
 * <li>{@link #full}: an uncut push (the reference): its client-to-server bytes are the full transfer's.</li>
 * <li>{@link #retrying}: the proxy cuts the first connection at N bytes; one {@code skiff push --retries 3
 *     --retry-wait 0.2} reconnects by itself and resumes.</li>
 * <li>{@link #newPush}: the same cut, but the push has {@code --retries 0}, so its sender gives up at the cut
 *     (as if killed there); then a second {@code skiff push} of the same release resumes.</li>
 * </ul>
 *
 * Every push names the scenario's sender history, like the other scenarios' pushes.
 */
final class ResumeBench implements AutoCloseable {
    static final int RETRIES = 3;
    static final double RETRY_WAIT_SECONDS = 0.2;
    static final String CHANNEL = SkiffBench.CHANNEL + "-resume";
    /** After the sender exited, how long the proxy may take to see the receiver close the last connection. */
    static final Duration PROXY_IDLE = Duration.ofSeconds(90);

    private final SkiffCommand skiff;
    private final ProcessMeter meter;
    private final Path workDir;
    private final Path root;
    private final Path logs;
    private final Path history;
    private final boolean savedManifest;
    private final SkiffReceiverProcess receiver;

    ResumeBench(SkiffCommand skiff, ProcessMeter meter, Path workDir, LiveProcesses live, boolean savedManifest, Path history)
            throws IOException, InterruptedException, RunFailedException {
        this.skiff = skiff;
        this.meter = meter;
        this.workDir = workDir;
        this.savedManifest = savedManifest;
        this.logs = Files.createDirectories(workDir.resolve("logs"));
        this.root = workDir.resolve("skiff-resume-root");
        FileTrees.deleteRecursively(root);
        FileTrees.deleteRecursively(history); // as SkiffBench: a kept --work-dir must not hand over an old history
        this.history = Files.createDirectories(history);
        this.receiver = SkiffReceiverProcess.start(skiff, root, logs.resolve("resume-skiff-receiver.log"), live);
    }

    /** The uncut reference push through a proxy that never cuts. */
    ResumeRun full(Workload w) throws IOException, InterruptedException, RunFailedException, TreeComparator.TreeMismatchException {
        String prefix = "resume-skiff-full";
        String channel = CHANNEL + "-full";
        try (LoopbackProxy proxy = LoopbackProxy.cutting(receiver.port(), LoopbackProxy.NO_CUT)) {
            Optional<Path> manifest = manifest(w, channel, prefix);
            ProcessMeter.MeteredRun run = meter.run(push(w, channel, proxy, manifest, RETRIES), logs.resolve(prefix));
            awaitProxy(proxy, prefix);
            SkiffPushResult r = activated(run, prefix);
            List<LoopbackProxy.Connection> connections = proxy.connections();
            if (connections.size() != 1 || r.attempts() != 1) {
                throw new RunFailedException("the uncut reference push took " + r.attempts() + " attempt(s), " + connections.size()
                        + " connection(s) through the proxy; its byte count would not be one full transfer (logs "
                        + logs.resolve(prefix) + ".out/.err, receiver log " + logs.resolve("resume-skiff-receiver.log") + ")");
            }
            TreeComparator.verify(w.digest(), receiver.current(channel), "skiff receiver, resume (uncut reference)");
            return new ResumeRun(ResumeResult.Variant.SKIFF_FULL, 0, run.wallSeconds(), r.attempts(), connections,
                    LoopbackProxy.NO_CUT, proxy.clientToServer(), r.bytesWire(), details(r));
        } finally {
            FileTrees.deleteRecursively(root.resolve(channel));
        }
    }

    /** One push that reconnects after the proxy cut its first connection at {@code cutAt} bytes. */
    ResumeRun retrying(Workload w, int rep, long fullBytes, long cutAt)
            throws IOException, InterruptedException, RunFailedException, TreeComparator.TreeMismatchException {
        String prefix = "resume-skiff-r" + rep + "-retrying";
        String channel = CHANNEL + "-r" + rep + "-retrying";
        try (LoopbackProxy proxy = LoopbackProxy.cutting(receiver.port(), cutAt)) {
            Optional<Path> manifest = manifest(w, channel, prefix);
            ProcessMeter.MeteredRun run = meter.run(push(w, channel, proxy, manifest, RETRIES), logs.resolve(prefix));
            awaitProxy(proxy, prefix);
            SkiffPushResult r = activated(run, prefix);
            requireCut(proxy, prefix);
            TreeComparator.verify(w.digest(), receiver.current(channel), "skiff receiver, resume rep " + rep + " (retrying)");
            Map<String, Object> d = details(r);
            d.put("retries", RETRIES);
            d.put("retry_wait_seconds", RETRY_WAIT_SECONDS);
            return new ResumeRun(ResumeResult.Variant.SKIFF_RETRYING, rep, run.wallSeconds(), r.attempts(), proxy.connections(),
                    cutAt, fullBytes, r.bytesWire(), d);
        } finally {
            FileTrees.deleteRecursively(root.resolve(channel));
        }
    }

    /**
     * A push with {@code --retries 0} that the proxy cuts at {@code cutAt} bytes (its sender exits there),
     * then a second push of the same release through the same proxy (later connections pass).
     */
    ResumeRun newPush(Workload w, int rep, long fullBytes, long cutAt)
            throws IOException, InterruptedException, RunFailedException, TreeComparator.TreeMismatchException {
        String prefix = "resume-skiff-r" + rep + "-new-push";
        String channel = CHANNEL + "-r" + rep + "-new-push";
        try (LoopbackProxy proxy = LoopbackProxy.cutting(receiver.port(), cutAt)) {
            Optional<Path> manifest = manifest(w, channel, prefix);
            ProcessMeter.MeteredRun first = meter.run(push(w, channel, proxy, manifest, 0), logs.resolve(prefix + "-1"));
            awaitProxy(proxy, prefix + "-1");
            requireCut(proxy, prefix + "-1");
            if (first.exitCode() == 0) {
                throw new RunFailedException("skiff push --retries 0 exited with 0 although the proxy cut its connection at "
                        + cutAt + " bytes (logs " + logs.resolve(prefix + "-1") + ".out/.err)");
            }
            Optional<SkiffPushResult> cut = parseQuietly(first.stdout());
            if (cut.isPresent() && cut.get().activated()) {
                throw new RunFailedException("skiff push --retries 0 reports its target activated although the proxy cut it "
                        + "(logs " + logs.resolve(prefix + "-1") + ".out/.err)");
            }
            ProcessMeter.MeteredRun second = meter.run(push(w, channel, proxy, manifest, RETRIES), logs.resolve(prefix + "-2"));
            awaitProxy(proxy, prefix + "-2");
            SkiffPushResult r = activated(second, prefix + "-2");
            TreeComparator.verify(w.digest(), receiver.current(channel), "skiff receiver, resume rep " + rep + " (new push)");
            int firstAttempts = cut.map(SkiffPushResult::attempts).orElse(1);
            double firstWire = cut.map(c -> (double) c.bytesWire()).orElse(Double.NaN);
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("first_push_seconds", first.wallSeconds());
            d.put("first_push_exit_code", first.exitCode());
            d.put("first_push_error_code", cut.map(SkiffPushResult::errorCode).orElse(null));
            d.put("first_push_attempts", firstAttempts);
            d.put("first_push_bytes_wire", firstWire);
            d.put("second_push_seconds", second.wallSeconds());
            d.put("second_push_attempts", r.attempts());
            d.put("second_push_bytes_wire", r.bytesWire());
            d.put("second_push_chunks_sent", r.chunksSent());
            d.put("chunks_total", r.chunksTotal());
            d.put("release_id", r.releaseId());
            d.put("manifest", manifest.isPresent() ? "saved beforehand (untimed)" : "built by each push");
            return new ResumeRun(ResumeResult.Variant.SKIFF_NEW_PUSH, rep, first.wallSeconds() + second.wallSeconds(),
                    firstAttempts + r.attempts(), proxy.connections(), cutAt, fullBytes, firstWire + r.bytesWire(), d);
        } finally {
            FileTrees.deleteRecursively(root.resolve(channel));
        }
    }

    private List<String> push(Workload w, String channel, LoopbackProxy proxy, Optional<Path> manifest, int retries) {
        return skiff.push(w.source(), channel, "v1", proxy.port(), manifest, history, retries, RETRY_WAIT_SECONDS);
    }

    /** With --saved-manifest, the manifest built untimed beforehand, as in the other scenarios. */
    private Optional<Path> manifest(Workload w, String channel, String prefix) throws IOException, InterruptedException, RunFailedException {
        if (!savedManifest) {
            return Optional.empty();
        }
        return Optional.of(SavedManifest.build(meter, skiff, w.source(), channel, "v1", workDir.resolve(prefix + ".manifest"),
                logs.resolve(prefix + "-manifest")));
    }

    private static Map<String, Object> details(SkiffPushResult r) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("skiff_seconds", r.seconds());
        d.put("skiff_manifest_seconds", r.manifestSeconds());
        d.put("chunks_sent", r.chunksSent());
        d.put("chunks_total", r.chunksTotal());
        d.put("release_id", r.releaseId());
        return d;
    }

    private void awaitProxy(LoopbackProxy proxy, String logName) throws InterruptedException, RunFailedException {
        if (!proxy.awaitIdle(PROXY_IDLE)) {
            throw new RunFailedException("the proxy still forwards a connection " + PROXY_IDLE.toSeconds() + " s after skiff push exited"
                    + " (logs " + logs.resolve(logName) + ".out/.err, receiver log " + logs.resolve("resume-skiff-receiver.log") + ")");
        }
    }

    private void requireCut(LoopbackProxy proxy, String logName) throws RunFailedException {
        List<LoopbackProxy.Connection> c = proxy.connections();
        if (c.isEmpty() || !c.get(0).cut() || c.get(0).clientToServer() != proxy.cutAfter()) {
            throw new RunFailedException("the proxy did not cut the first connection at " + proxy.cutAfter() + " bytes: " + c
                    + " (logs " + logs.resolve(logName) + ".out/.err)");
        }
    }

    private SkiffPushResult activated(ProcessMeter.MeteredRun run, String logName) throws RunFailedException {
        String where = " (logs " + logs.resolve(logName) + ".out/.err, receiver log " + logs.resolve("resume-skiff-receiver.log") + ")";
        if (run.exitCode() != 0) {
            throw new RunFailedException("skiff push exited with " + run.exitCode() + where + ":\n" + run.stdout().strip() + "\n"
                    + run.stderr().strip());
        }
        SkiffPushResult r;
        try {
            r = SkiffPushResult.parse(run.stdout());
        } catch (IllegalArgumentException e) {
            throw new RunFailedException("cannot read skiff push --json output: " + e.getMessage() + where, e);
        }
        if (!r.activated()) {
            throw new RunFailedException("skiff push: target status " + r.targetStatus() + ", " + r.targetError() + where);
        }
        return r;
    }

    private static Optional<SkiffPushResult> parseQuietly(String stdout) {
        try {
            return Optional.of(SkiffPushResult.parse(stdout));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() throws InterruptedException, IOException {
        receiver.close();
        FileTrees.deleteRecursively(root);
        FileTrees.deleteRecursively(history);
    }
}
