package io.skiff.bench.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ReceiverHost} JVM on 127.0.0.1: {@code count} skiff receivers with OS-chosen ports, roots
 * {@code ROOT/r0 ... ROOT/r<count-1>}. Stopped by closing its stdin (it closes its receivers and exits),
 * SIGTERM then SIGKILL if it does not; should the runner die, the closed pipe stops it too.
 */
final class ReceiverHostProcess implements AutoCloseable {
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final Process process;
    private final List<ReceiverHost.Started> receivers;
    private final LiveProcesses live;

    private ReceiverHostProcess(Process process, List<ReceiverHost.Started> receivers, LiveProcesses live) {
        this.process = process;
        this.receivers = receivers;
        this.live = live;
    }

    /**
     * @param javaOpts  the host JVM's options (heap for all its receivers)
     * @param classPath this runner's classes (ReceiverHost) and the skiff jar (the engine under test)
     */
    static ReceiverHostProcess start(Path javaBinary, List<String> javaOpts, String classPath, Path root, int count, Path log,
                                     LiveProcesses live) throws IOException, InterruptedException, RunFailedException {
        Files.createDirectories(root);
        List<String> cmd = command(javaBinary, javaOpts, classPath, root, count);
        Process p = live.register(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start());
        long deadline = System.nanoTime() + STARTUP.toNanos();
        // Poll the log rather than pipe stdout, as SkiffReceiverProcess does: the receivers' log lines go there too.
        while (System.nanoTime() < deadline) {
            Optional<List<ReceiverHost.Started>> ready;
            try {
                ready = ReceiverHost.parseReady(Files.readString(log), count);
            } catch (IllegalStateException e) {
                live.stop(p, STOP_GRACE);
                throw new RunFailedException(e.getMessage() + "; log " + log);
            }
            if (ready.isPresent()) {
                return new ReceiverHostProcess(p, ready.get(), live);
            }
            if (!p.isAlive()) {
                live.forget(p);
                throw new RunFailedException("receiver host exited with " + p.exitValue() + " before its receivers listened; log "
                        + log + ":\n" + SkiffReceiverProcess.tail(log));
            }
            Thread.sleep(20);
        }
        live.stop(p, STOP_GRACE);
        throw new RunFailedException("receiver host did not report " + count + " receivers within " + STARTUP.toSeconds() + " s; log " + log);
    }

    static List<String> command(Path javaBinary, List<String> javaOpts, String classPath, Path root, int count) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary.toString());
        cmd.addAll(javaOpts);
        cmd.addAll(List.of("-cp", classPath, ReceiverHost.class.getName(), "--count", Integer.toString(count),
                "--root", root.toString(), "--host", "127.0.0.1"));
        return cmd;
    }

    int count() {
        return receivers.size();
    }

    int port(int index) {
        return receivers.get(index).port();
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Receiver {@code index}'s root. */
    Path root(int index) {
        return receivers.get(index).root();
    }

    /** The tree receiver {@code index} serves for a channel: {@code ROOT/r<i>/<channel>/current}. */
    Path current(int index, String channel) {
        return root(index).resolve(channel).resolve("current");
    }

    @Override
    public void close() throws InterruptedException {
        try {
            OutputStream stdin = process.getOutputStream();
            stdin.close();
            if (process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                live.forget(process);
                return;
            }
        } catch (IOException e) {
            // fall through to SIGTERM
        }
        live.stop(process, STOP_GRACE);
    }
}
