package io.skiff.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code skiff} command in its own JVM (the test classpath), as operators run it: its output is
 * collected (the last lines, for failure messages), a receiver's port is parsed from its
 * "listening on" line, and {@link #close} always leaves the process dead (SIGKILL if need be).
 */
final class SkiffProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on [^:]+:(\\d+)");
    private static final int KEPT_LINES = 200;

    private final Process process;
    private final Deque<String> lines = new ArrayDeque<>();
    private final CompletableFuture<Integer> port = new CompletableFuture<>();

    private SkiffProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(this::read, "skiff-process-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** {@code java -cp <test classpath> io.skiff.cli.SkiffCommand ARGS}. */
    static List<String> command(String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                SkiffCommand.class.getName()));
        command.addAll(List.of(Plaintext.onLoopback(args)));
        return command;
    }

    /** Starts {@code command} (e.g. {@link #command} behind a shell that sets a limit); stdout and stderr merged. */
    static SkiffProcess start(List<String> command) throws IOException {
        return new SkiffProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /**
     * {@code skiff receive --listen 127.0.0.1:0 --root ROOT EXTRA...}, once it listens (at most 30 s).
     * {@code prefix} runs before the java command, e.g. {@code sh -c 'ulimit -f N; exec "$@"' sh}.
     */
    static SkiffProcess receiver(List<String> prefix, Path root, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("receive", "--listen", "127.0.0.1:0", "--root", root.toString()));
        args.addAll(List.of(extra));
        List<String> command = new ArrayList<>(prefix);
        command.addAll(command(args.toArray(String[]::new)));
        SkiffProcess p = start(command);
        try {
            p.port.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.close();
            throw new AssertionError("interrupted while the receiver started", e);
        } catch (ExecutionException | TimeoutException e) {
            p.close();
            throw new AssertionError("receiver did not listen within 30 s:\n" + p.output(), e);
        }
        return p;
    }

    static SkiffProcess receiver(Path root, String... extra) throws IOException {
        return receiver(List.of(), root, extra);
    }

    Process process() {
        return process;
    }

    /** The receiver's port (only for {@link #receiver}). */
    int port() {
        return port.getNow(-1);
    }

    /** The last lines it printed. */
    String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    /** SIGKILL, and wait (at most 10 s) until it is gone. */
    void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError("process " + process.pid() + " survived SIGKILL for 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits (at most {@code seconds}) for it to exit by itself; returns its exit code. */
    int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("process did not exit within " + seconds + " s:\n" + output());
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                synchronized (lines) {
                    lines.addLast(line);
                    if (lines.size() > KEPT_LINES) {
                        lines.removeFirst();
                    }
                }
                Matcher m = LISTENING.matcher(line);
                if (!port.isDone() && m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                }
            }
        } catch (IOException e) {
            // the process is gone
        } finally {
            port.completeExceptionally(new IllegalStateException("exited before listening"));
        }
    }
}
