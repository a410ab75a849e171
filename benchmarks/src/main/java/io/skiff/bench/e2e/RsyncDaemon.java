package io.skiff.bench.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An {@code rsync --daemon --no-detach} child serving one writable module, {@code bench}, on 127.0.0.1:
 * the baseline skiff is measured against. One per scenario; it forks a process per connection (which
 * forks again into generator and receiver), so its receiving-side CPU shows up in cutime + cstime
 * once those children are reaped.
 */
final class RsyncDaemon implements AutoCloseable {
    static final String MODULE = "bench";
    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final Process process;
    private final int port;
    private final Path log;
    private final LiveProcesses live;

    private RsyncDaemon(Process process, int port, Path log, LiveProcesses live) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.live = live;
    }

    static RsyncDaemon start(Path rsync, Path workDir, Path dest, LiveProcesses live)
            throws IOException, InterruptedException, RunFailedException {
        Files.createDirectories(dest);
        Path conf = workDir.resolve("rsyncd.conf");
        Path log = workDir.resolve("rsyncd.log");
        Files.writeString(conf, config(dest, workDir.resolve("rsyncd.pid"), log, currentId("Uid"), currentId("Gid")));
        Files.deleteIfExists(workDir.resolve("rsyncd.pid")); // a stale pid file makes rsync refuse to start
        int port = freePort();
        Process p = live.register(new ProcessBuilder(rsync.toString(), "--daemon", "--no-detach", "--config=" + conf,
                "--address=127.0.0.1", "--port=" + port)
                .redirectErrorStream(true).redirectOutput(workDir.resolve("rsyncd.out").toFile()).start());
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                live.forget(p);
                throw new RunFailedException("rsync daemon exited with " + p.exitValue() + "; see " + log + " and "
                        + workDir.resolve("rsyncd.out"));
            }
            if (accepts(port)) {
                return new RsyncDaemon(p, port, log, live);
            }
            Thread.sleep(20);
        }
        live.stop(p, STOP_GRACE);
        throw new RunFailedException("rsync daemon did not listen on 127.0.0.1:" + port + " within " + STARTUP.toSeconds() + " s");
    }

    /**
     * uid/gid are this user's: run as root, the daemon would otherwise switch to nobody and fail to
     * write the destination. No chroot (needs root), no reverse DNS (a lookup per connection is noise).
     */
    static String config(Path dest, Path pidFile, Path log, long uid, long gid) {
        return String.join("\n",
                "use chroot = no",
                "reverse lookup = no",
                "numeric ids = yes",
                "pid file = " + pidFile,
                "log file = " + log,
                "uid = " + uid,
                "gid = " + gid,
                "[" + MODULE + "]",
                "    path = " + dest,
                "    read only = false",
                "");
    }

    String url() {
        return urlVia(port);
    }

    int port() {
        return port;
    }

    /** The module's URL through something listening on {@code port} that forwards to the daemon (a proxy). */
    static String urlVia(int port) {
        return "rsync://127.0.0.1:" + port + "/" + MODULE + "/";
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    /** Own plus reaped children's CPU ticks. */
    ProcStat.CpuTicks cpuTicks() throws IOException {
        return ProcStat.cpuTicks(process.pid());
    }

    /**
     * Waits until the per-connection children have exited and been reaped: the client can exit a moment
     * before the daemon side finishes, and their CPU only reaches cutime when they are reaped.
     */
    void awaitIdle(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline && process.children().findAny().isPresent()) {
            Thread.sleep(10);
        }
    }

    /** Sum of VmHWM over the daemon's live descendants (the processes doing the transfer), KiB. */
    long descendantsPeakRssKb() {
        return process.descendants()
                .mapToLong(h -> ProcStat.peakRssKb(h.pid()).orElse(0))
                .sum();
    }

    @Override
    public void close() throws InterruptedException {
        live.stop(process, STOP_GRACE);
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A port free right now; the daemon binds it a few ms later (a collision just fails the start). */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Real uid/gid from /proc/self/status ("Uid:\treal\teffective\t..."); no JDK API gives them. */
    private static long currentId(String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(key + ":")) {
                return Long.parseLong(line.substring(key.length() + 1).trim().split("\\s+")[0]);
            }
        }
        throw new IOException("no " + key + " in /proc/self/status");
    }
}
