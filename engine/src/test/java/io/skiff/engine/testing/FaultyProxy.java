package io.skiff.engine.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy for fault injection: forwards every connection to a target, counts the bytes
 * each way, and can flip one byte or cut the connection at a given offset of the client-to-server
 * stream, or stop reading it there. Real sockets, one thread per direction; bounded by the test's own transfer.
 */
public final class FaultyProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private volatile long flipAtOffset = -1;
    private volatile long cutAtOffset = -1;
    private volatile long bytesPerSecond = -1;
    private volatile long stallAtOffset = -1;
    private volatile int recordBytes;
    private final java.io.ByteArrayOutputStream recording = new java.io.ByteArrayOutputStream();
    private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
    /** Per connection, in accept order: where to cut it (connections beyond the list pass untouched). */
    private volatile long[] cutSchedule;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong clientToServer = new AtomicLong();
    private final AtomicLong serverToClient = new AtomicLong();
    /** Client-to-server bytes of each connection, in accept order. */
    private final java.util.List<AtomicLong> perConnection = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Thread acceptor;

    public FaultyProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "faulty-proxy-accept");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** XOR 0xFF into the byte at this offset of each connection's client-to-server stream. */
    public FaultyProxy flipByteAt(long offset) {
        this.flipAtOffset = offset;
        return this;
    }

    /** Close both sides once this many client-to-server bytes were forwarded on a connection. */
    public FaultyProxy cutAt(long offset) {
        this.cutAtOffset = offset;
        return this;
    }

    /**
     * Forward the client-to-server stream of each connection at about this rate (the proxy reads at
     * most 64 KiB at a time and sleeps to keep the pace, with a fixed 128 KiB receive buffer), so a
     * transfer lasts long enough to be interrupted at a chosen moment.
     */
    public FaultyProxy throttle(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
        return this;
    }

    /**
     * Stop reading a connection's client-to-server stream once this many bytes were forwarded, keeping it
     * open until the proxy closes: the client's writes back up as if the target had stalled.
     */
    public FaultyProxy stallAt(long offset) {
        this.stallAtOffset = offset;
        return this;
    }

    /** Keep the first connection's client-to-server bytes, up to {@code maxBytes}, for {@link #recorded()}. */
    public FaultyProxy record(int maxBytes) {
        this.recordBytes = maxBytes;
        return this;
    }

    /** The first connection's client-to-server bytes, as recorded (see {@link #record}). */
    public byte[] recorded() {
        synchronized (recording) {
            return recording.toByteArray();
        }
    }

    /** Cut the first connection at {@code offsets[0]} client-to-server bytes, the second at {@code offsets[1]}, ... */
    public FaultyProxy cutConnectionsAt(long... offsets) {
        this.cutSchedule = offsets.clone();
        return this;
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    public long bytesClientToServer() {
        return clientToServer.get();
    }

    public long bytesServerToClient() {
        return serverToClient.get();
    }

    /** Client-to-server bytes forwarded on each connection so far, in accept order. */
    public java.util.List<Long> bytesClientToServerPerConnection() {
        return perConnection.stream().map(AtomicLong::get).toList();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (bytesPerSecond > 0) {
                    // a fixed, small window: what the client wrote is mostly still in the client's own buffers
                    client.setReceiveBufferSize(128 * 1024);
                }
                Socket upstream = new Socket();
                try {
                    upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
                } catch (IOException e) {
                    closeQuietly(client); // target down: the client sees the connection end, as without a proxy
                    closeQuietly(upstream);
                    continue;
                }
                AtomicInteger directionsDone = new AtomicInteger();
                int index = connections.getAndIncrement();
                AtomicLong forwarded = new AtomicLong();
                perConnection.add(forwarded);
                long[] schedule = cutSchedule;
                long cut = schedule == null ? cutAtOffset : index < schedule.length ? schedule[index] : -1;
                java.util.concurrent.atomic.AtomicBoolean wasCut = new java.util.concurrent.atomic.AtomicBoolean();
                start(client, upstream, true, directionsDone, cut, wasCut, forwarded, index == 0);
                start(upstream, client, false, directionsDone, cut, wasCut, forwarded, index == 0);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void start(Socket from, Socket to, boolean clientToServerDirection, AtomicInteger directionsDone, long cut,
                       java.util.concurrent.atomic.AtomicBoolean wasCut, AtomicLong forwarded, boolean first) {
        Thread t = new Thread(() -> pump(from, to, clientToServerDirection, directionsDone, cut, wasCut, forwarded, first), "faulty-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Copies one direction; EOF passes on as a half-close (as TCP would), an error drops both sides. A
     * cut drops the client (the sender sees a reset) but ends the server's input with a FIN after the
     * bytes forwarded so far, and drains what the server still says, so the server gets exactly
     * {@code cut} bytes: a reset would let the server's kernel discard some of them, making what a
     * resume re-sends depend on timing.
     */
    private void pump(Socket from, Socket to, boolean upstream, AtomicInteger directionsDone, long cut,
                      java.util.concurrent.atomic.AtomicBoolean wasCut, AtomicLong forwarded, boolean first) {
        byte[] buf = new byte[64 * 1024];
        long offset = 0;
        long due = System.nanoTime(); // when the bytes read so far may have been forwarded at the throttled rate
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buf)) > 0; offset += n) {
                long rate = bytesPerSecond;
                if (upstream && rate > 0) {
                    long now = System.nanoTime();
                    due = Math.max(due, now) + n * 1_000_000_000L / rate; // no credit for idle time: no bursts
                    long wait = due - now;
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
                if (upstream) {
                    long flip = flipAtOffset;
                    if (flip >= offset && flip < offset + n) {
                        buf[(int) (flip - offset)] ^= (byte) 0xFF;
                    }
                    long stall = stallAtOffset;
                    if (stall >= 0 && offset + n >= stall) {
                        out.write(buf, 0, (int) (stall - offset));
                        clientToServer.addAndGet(stall - offset);
                        forwarded.addAndGet(stall - offset);
                        closed.await(); // read nothing more: the client's buffers fill up
                        break;
                    }
                    if (cut >= 0 && offset + n >= cut) {
                        out.write(buf, 0, (int) (cut - offset));
                        clientToServer.addAndGet(cut - offset);
                        forwarded.addAndGet(cut - offset);
                        wasCut.set(true);
                        to.shutdownOutput();
                        closeQuietly(from);
                        return; // the other direction drains the server and closes it
                    }
                    clientToServer.addAndGet(n);
                    forwarded.addAndGet(n);
                    if (first) {
                        synchronized (recording) {
                            recording.write(buf, 0, (int) Math.max(0, Math.min(n, recordBytes - recording.size())));
                        }
                    }
                } else {
                    serverToClient.addAndGet(n);
                }
                if (!upstream && wasCut.get()) {
                    continue; // the client is gone: read the server to its end, drop it
                }
                out.write(buf, 0, n);
            }
            to.shutdownOutput();
            if (directionsDone.incrementAndGet() < 2) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException ignored) {
            // reset, or closed by the other direction
            if (!upstream && wasCut.get()) {
                drain(from);
            }
        }
        closeQuietly(from);
        closeQuietly(to);
    }

    private static void drain(Socket s) {
        try {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            while (in.read(buf) > 0) {
                // discard
            }
        } catch (IOException ignored) {
            // closed
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
    public void close() throws IOException {
        closed.countDown();
        server.close();
    }
}
