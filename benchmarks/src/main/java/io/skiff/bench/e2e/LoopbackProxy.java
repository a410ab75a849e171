package io.skiff.bench.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 in front of one port that counts the bytes each way per connection, so what
 * left a sender is counted outside skiff. Two kinds, by factory:
 * <ul>
 *   <li>{@link #counting}: for the fan-out scenario; forwards any number of connections at once (a sender
 *       may open several to one target) and never cuts.</li>
 *   <li>{@link #cutting}: for the resume scenario; forwards <em>one connection at a time</em> (the next
 *       waits in the listen backlog until the previous one has ended both ways, so every byte belongs to
 *       exactly one connection) and cuts the first connection once exactly {@code cutAfter}
 *       client-to-server bytes were forwarded. Later connections pass through untouched.</li>
 * </ul>
 *
 * <p>A cut ends the server's input with a FIN right after byte {@code cutAfter} and drops the client
 * (closed with unread input, so the client sees a reset); whatever the server still says is read and
 * discarded until it closes its side (at most {@link #DRAIN_LIMIT}). The server thus gets exactly
 * {@code cutAfter} bytes: a reset towards the server would let its kernel discard some of them, and what a
 * resume re-sends would depend on timing. Server-to-client bytes are counted as the server sends them,
 * forwarded or not.
 *
 * <p>Plain blocking sockets, a thread per direction per connection, 64 KiB copies: the proxy's CPU work
 * lands on the same cores as sender and receivers, once per byte, the same for a cut and an uncut
 * transfer through it.
 */
final class LoopbackProxy implements AutoCloseable {
    /** {@code cutAfter} for a proxy that never cuts. */
    static final long NO_CUT = -1;
    /** How long a cut connection's server side may take to close after its FIN. */
    static final Duration DRAIN_LIMIT = Duration.ofSeconds(60);
    private static final int BUFFER = 64 * 1024;

    /** One forwarded connection: bytes each way (so far, while it is open), and whether the proxy cut it. */
    record Connection(long clientToServer, long serverToClient, boolean cut) {
    }

    private final ServerSocket server;
    private final int targetPort;
    private final long cutAfter;
    private final boolean oneAtATime;
    private final Thread acceptor;
    private final Object lock = new Object();
    /** Per connection in accept order; guarded by {@code lock}. */
    private final List<Counts> connections = new ArrayList<>();
    private volatile boolean closed;

    private static final class Counts {
        final AtomicLong clientToServer = new AtomicLong();
        final AtomicLong serverToClient = new AtomicLong();
        final AtomicBoolean cut = new AtomicBoolean();
        final Socket client;
        final Socket upstream = new Socket();
        /** Set once both directions have ended and both sockets are closed; guarded by the proxy's lock. */
        boolean done;

        Counts(Socket client) {
            this.client = client;
        }

        Connection snapshot() {
            return new Connection(clientToServer.get(), serverToClient.get(), cut.get());
        }
    }

    private LoopbackProxy(int targetPort, long cutAfter, boolean oneAtATime, String name) throws IOException {
        if (cutAfter < 0 && cutAfter != NO_CUT) {
            throw new IllegalArgumentException("cutAfter " + cutAfter);
        }
        this.targetPort = targetPort;
        this.cutAfter = cutAfter;
        this.oneAtATime = oneAtATime;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, name + "-proxy-" + server.getLocalPort());
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    /** A proxy that forwards connections at once and never cuts. */
    static LoopbackProxy counting(int targetPort) throws IOException {
        return new LoopbackProxy(targetPort, NO_CUT, false, "counting");
    }

    /**
     * A proxy that forwards one connection at a time.
     *
     * @param cutAfter client-to-server bytes after which the first connection is cut; {@link #NO_CUT} for none
     */
    static LoopbackProxy cutting(int targetPort, long cutAfter) throws IOException {
        return new LoopbackProxy(targetPort, cutAfter, true, "cutting");
    }

    int port() {
        return server.getLocalPort();
    }

    int targetPort() {
        return targetPort;
    }

    long cutAfter() {
        return cutAfter;
    }

    /** The connections accepted so far, in order (a connection still open shows its counts so far). */
    List<Connection> connections() {
        synchronized (lock) {
            return connections.stream().map(Counts::snapshot).toList();
        }
    }

    /** Client-to-server bytes of every connection. */
    long clientToServer() {
        return connections().stream().mapToLong(Connection::clientToServer).sum();
    }

    /** Server-to-client bytes of every connection. */
    long serverToClient() {
        return connections().stream().mapToLong(Connection::serverToClient).sum();
    }

    /** True once the first connection was cut. */
    boolean cutDone() {
        List<Connection> c = connections();
        return !c.isEmpty() && c.get(0).cut();
    }

    /** Client-to-server bytes of the connections after the cut one: what a resume re-sent plus what was left. */
    long clientToServerAfterCut() {
        List<Connection> c = connections();
        return c.size() < 2 ? 0 : c.subList(1, c.size()).stream().mapToLong(Connection::clientToServer).sum();
    }

    /**
     * Waits until every connection accepted so far has ended both ways, at most {@code max}; false if one is
     * still open. Call it after the client process exited and before reading the counts.
     */
    boolean awaitIdle(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (lock) {
            while (connections.stream().anyMatch(c -> !c.done)) {
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
            Counts counts = new Counts(client);
            boolean first;
            synchronized (lock) {
                first = connections.isEmpty();
                connections.add(counts);
            }
            long cut = first ? cutAfter : NO_CUT;
            if (oneAtATime) {
                forward(counts, cut);
            } else {
                daemon(() -> forward(counts, cut), "connection");
            }
        }
    }

    /** Forwards one connection until both directions have ended (or it was cut and the server closed). */
    private void forward(Counts counts, long cut) {
        Socket client = counts.client;
        Socket upstream = counts.upstream;
        try {
            if (closed) {
                return;
            }
            InputStream fromClient;
            OutputStream toClient;
            InputStream fromServer;
            OutputStream toServer;
            try {
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 10_000);
                // All four streams before either pump starts: a cut may close the client before the other pump runs.
                fromClient = client.getInputStream();
                toClient = client.getOutputStream();
                fromServer = upstream.getInputStream();
                toServer = upstream.getOutputStream();
            } catch (IOException e) {
                return; // the client sees its connection closed, as if the target had refused it
            }
            Thread up = daemon(() -> clientToServer(fromClient, toServer, counts, cut), "up");
            Thread down = daemon(() -> serverToClient(fromServer, toClient, counts), "down");
            up.join();
            if (counts.cut.get()) {
                down.join(DRAIN_LIMIT.toMillis());
            } else {
                down.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(client);
            closeQuietly(upstream);
            synchronized (lock) {
                counts.done = true;
                lock.notifyAll();
            }
        }
    }

    private Thread daemon(Runnable body, String what) {
        Thread t = new Thread(body, acceptor.getName() + "-" + what);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void clientToServer(InputStream in, OutputStream out, Counts counts, long cut) {
        byte[] buf = new byte[BUFFER];
        long forwarded = 0;
        try {
            if (cut == 0) {
                cut(counts);
                return;
            }
            for (int n; (n = in.read(buf)) > 0; ) {
                if (cut >= 0 && forwarded + n >= cut) {
                    int last = (int) (cut - forwarded);
                    out.write(buf, 0, last);
                    counts.clientToServer.addAndGet(last);
                    cut(counts);
                    return;
                }
                out.write(buf, 0, n);
                forwarded += n;
                counts.clientToServer.addAndGet(n);
            }
            counts.upstream.shutdownOutput(); // the client's FIN, passed on
        } catch (IOException e) {
            // a reset on either side drops both; the other direction then ends too
            closeQuietly(counts.client);
            closeQuietly(counts.upstream);
        }
    }

    private static void cut(Counts counts) throws IOException {
        counts.cut.set(true); // before the client hears of it: the other direction stops forwarding
        counts.upstream.shutdownOutput();
        closeQuietly(counts.client);
    }

    private static void serverToClient(InputStream in, OutputStream out, Counts counts) {
        byte[] buf = new byte[BUFFER];
        boolean forwarding = true;
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                counts.serverToClient.addAndGet(n);
                if (forwarding && !counts.cut.get()) {
                    try {
                        out.write(buf, 0, n);
                    } catch (SocketException e) {
                        forwarding = false; // the client is gone (cut, or it reset): drain the server to its end
                    }
                }
            }
            if (forwarding && !counts.cut.get()) {
                counts.client.shutdownOutput();
            }
        } catch (IOException e) {
            closeQuietly(counts.client);
            closeQuietly(counts.upstream);
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
            for (Counts c : connections) {
                if (!c.done) {
                    closeQuietly(c.client);
                    closeQuietly(c.upstream);
                }
            }
        }
        acceptor.join(DRAIN_LIMIT.toMillis());
    }
}
