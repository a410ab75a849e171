package io.skiff.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code skiff receive} JVM on 127.0.0.1 with an OS-chosen port, one per repetition so every
 * repetition starts with a cold receiver (fresh JVM, empty root). Stopped with SIGTERM, as an operator
 * would stop it.
 */
final class SkiffReceiverProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("skiff receiver listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final Process process;
    private final int port;
    private final Path root;
    private final LiveProcesses live;

    private SkiffReceiverProcess(Process process, int port, Path root, LiveProcesses live) {
        this.process = process;
        this.port = port;
        this.root = root;
        this.live = live;
    }

    static SkiffReceiverProcess start(SkiffCommand skiff, Path root, Path log, LiveProcesses live)
            throws IOException, InterruptedException, RunFailedException {
        Files.createDirectories(root);
        List<String> cmd = new ArrayList<>(skiff.daemonCommand());
        cmd.addAll(List.of("receive", "--listen", "127.0.0.1:0", "--root", root.toString()));
        cmd.addAll(skiff.receiverTls());
        Process p = live.register(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start());
        long deadline = System.nanoTime() + STARTUP.toNanos();
        // The banner goes to stderr once the socket is bound; poll the log rather than pipe it, so a chatty
        // receiver can never block on a full pipe during a timed run.
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(Files.readString(log));
            if (m.find()) {
                return new SkiffReceiverProcess(p, Integer.parseInt(m.group(1)), root, live);
            }
            if (!p.isAlive()) {
                live.forget(p);
                throw new RunFailedException("skiff receiver exited with " + p.exitValue() + " before listening; log " + log
                        + ":\n" + tail(log));
            }
            Thread.sleep(20);
        }
        live.stop(p, STOP_GRACE);
        throw new RunFailedException("skiff receiver did not report its port within " + STARTUP.toSeconds() + " s; log " + log);
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** The tree the receiver serves for a channel: {@code ROOT/<channel>/current}. */
    Path current(String channel) {
        return root.resolve(channel).resolve("current");
    }

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        live.stop(process, STOP_GRACE);
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }
}
