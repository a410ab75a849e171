package io.skiff.bench.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 in front of one port that counts the bytes each way, for the fan-out scenario:
 * the sender reaches every target through one of these, so the sum of the proxies' client-to-server bytes
 * is what left the sender, counted outside skiff. Unlike {@link CuttingProxy} it forwards any number of
 * connections at once (a sender may open several to one target) and never cuts.
 *
 * <p>Plain blocking sockets, a thread per direction per connection, 64 KiB copies: the proxy's CPU work
 * lands on the same cores as sender and receivers, once per byte that left the sender.
 */
final class CountingProxy implements AutoCloseable {
    private static final int BUFFER = 64 * 1024;

    /** One forwarded connection's bytes each way (so far, while it is open). */
    record Connection(long clientToServer, long serverToClient) {
    }

    private final ServerSocket server;
    private final int targetPort;
    private final Thread acceptor;
    private final Object lock = new Object();
    /** Guarded by {@code lock}. */
    private final List<Counts> connections = new ArrayList<>();
    /** Open sockets, both sides of every connection not yet ended; guarded by {@code lock}. */
    private final List<Socket> open = new ArrayList<>();
    private volatile boolean closed;

    private static final class Counts {
        final AtomicLong clientToServer = new AtomicLong();
        final AtomicLong serverToClient = new AtomicLong();
        /** Pumps still running, 2 at the start; guarded by the proxy's lock. */
        int pumps = 2;

        Connection snapshot() {
            return new Connection(clientToServer.get(), serverToClient.get());
        }
    }

    CountingProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "counting-proxy-" + server.getLocalPort());
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    int targetPort() {
        return targetPort;
    }

    List<Connection> connections() {
        synchronized (lock) {
            return connections.stream().map(Counts::snapshot).toList();
        }
    }

    long clientToServer() {
        return connections().stream().mapToLong(Connection::clientToServer).sum();
    }

    long serverToClient() {
        return connections().stream().mapToLong(Connection::serverToClient).sum();
    }

    /**
     * Waits until every connection accepted so far has ended both ways, at most {@code max}; false if one is
     * still open. Call it after the sender exited and before reading the counts.
     */
    boolean awaitIdle(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (lock) {
            while (connections.stream().anyMatch(c -> c.pumps > 0)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            Counts counts = new Counts();
            Socket upstream = new Socket();
            synchronized (lock) {
                connections.add(counts);
                open.add(client);
                open.add(upstream);
            }
            InputStream fromClient;
            OutputStream toClient;
            InputStream fromServer;
            OutputStream toServer;
            try {
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 10_000);
                fromClient = client.getInputStream();
                toClient = client.getOutputStream();
                fromServer = upstream.getInputStream();
                toServer = upstream.getOutputStream();
            } catch (IOException e) {
                // the client sees its connection closed, as if the target had refused it
                end(counts, client, upstream);
                end(counts, client, upstream);
                continue;
            }
            pump(fromClient, toServer, upstream, counts.clientToServer, counts, client, upstream, "up");
            pump(fromServer, toClient, client, counts.serverToClient, counts, client, upstream, "down");
        }
    }

    /** Copies one direction until EOF, then passes the FIN on; a reset on either side drops both. */
    private void pump(InputStream in, OutputStream out, Socket outSocket, AtomicLong count, Counts counts, Socket client,
                      Socket upstream, String direction) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[BUFFER];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    out.write(buf, 0, n);
                    count.addAndGet(n);
                }
                outSocket.shutdownOutput();
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(upstream);
            } finally {
                end(counts, client, upstream);
            }
        }, "counting-proxy-" + port() + "-" + direction);
        t.setDaemon(true);
        t.start();
    }

    private void end(Counts counts, Socket client, Socket upstream) {
        boolean last;
        synchronized (lock) {
            counts.pumps--;
            last = counts.pumps == 0;
            if (last) {
                open.remove(client);
                open.remove(upstream);
            }
            lock.notifyAll();
        }
        if (last) {
            closeQuietly(client);
            closeQuietly(upstream);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // already closed
        }
        synchronized (lock) {
            open.forEach(CountingProxy::closeQuietly);
        }
        acceptor.join(10_000);
    }
}
