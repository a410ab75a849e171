package io.skiff.engine.receive;

import io.skiff.engine.api.SmokeTest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs a receiver's smoke test ({@link SmokeTest}) off the sessions' threads: {@code sh -c CMD} with the
 * release's environment, its output (stdout and stderr together) kept as its last lines only, killed
 * with everything it started when it overruns its timeout.
 */
final class SmokeRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReceiveSession.class);
    /** Output lines kept for the failure message and the audit record: the end of what it printed. */
    static final int KEPT_LINES = 10;
    private static final int MAX_LINE_CHARS = 300;

    /** The smoke test of a channel: its {@code [[smoke]]} table's, else {@code --smoke-cmd}'s; null for none. */
    private final java.util.function.Function<String, SmokeTest> tests;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "skiff-smoke");
        t.setDaemon(true);
        return t;
    });

    SmokeRunner(java.util.function.Function<String, SmokeTest> tests) {
        this.tests = tests;
    }

    /** The test to run after activating a release of {@code channel}; null: none. */
    SmokeTest testFor(String channel) {
        return tests.apply(channel);
    }

    /** What the command did. */
    record Result(boolean passed, String why, String lastLines) {
        /** One line: why, then the output's last lines joined with " | ". */
        String describe() {
            return why + (lastLines.isEmpty() ? "" : "; its last output: " + lastLines);
        }
    }

    /** Runs {@code test} for the release in {@code releaseDir}; the future completes when it has passed, failed or timed out. */
    CompletableFuture<Result> run(SmokeTest test, Path releaseDir, String channel, String version, Path previousDir) {
        return CompletableFuture.supplyAsync(() -> runNow(test, releaseDir, channel, version, previousDir), threads);
    }

    private Result runNow(SmokeTest test, Path releaseDir, String channel, String version, Path previousDir) {
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", test.command()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("SKIFF_RELEASE_DIR", releaseDir.toString());
        env.put("SKIFF_CHANNEL", channel);
        env.put("SKIFF_VERSION", version);
        env.put("SKIFF_PREVIOUS_DIR", previousDir == null ? "" : previousDir.toString());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return new Result(false, "the smoke command could not start: " + e.getMessage(), "");
        }
        Deque<String> tail = new ArrayDeque<>();
        Thread reader = new Thread(() -> keepTail(process, tail), "skiff-smoke-output");
        reader.setDaemon(true);
        reader.start();
        try {
            boolean exited = process.waitFor(test.timeout().toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            reader.join(2000);
            String last = lastLines(tail);
            if (!exited) {
                return new Result(false, "the smoke command timed out after " + test.timeout().toSeconds() + " s", last);
            }
            int code = process.exitValue();
            return new Result(code == 0, code == 0 ? "the smoke command passed" : "the smoke command exited " + code, last);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            return new Result(false, "the smoke command was interrupted (the receiver is stopping)", lastLines(tail));
        }
    }

    private static void keepTail(Process process, Deque<String> tail) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                synchronized (tail) {
                    tail.addLast(line.length() > MAX_LINE_CHARS ? line.substring(0, MAX_LINE_CHARS) + "..." : line);
                    if (tail.size() > KEPT_LINES) {
                        tail.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("smoke command output: {}", e.toString());
        }
    }

    private static String lastLines(Deque<String> tail) {
        synchronized (tail) {
            return String.join(" | ", tail);
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
