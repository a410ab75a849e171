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
 * stream. Real sockets, one thread per direction; bounded by the test's own transfer.
 */
public final class FaultyProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private volatile long flipAtOffset = -1;
    private volatile long cutAtOffset = -1;
    private final AtomicLong clientToServer = new AtomicLong();
    private final AtomicLong serverToClient = new AtomicLong();
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

    public long bytesClientToServer() {
        return clientToServer.get();
    }

    public long bytesServerToClient() {
        return serverToClient.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket();
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
                AtomicInteger directionsDone = new AtomicInteger();
                start(client, upstream, true, directionsDone);
                start(upstream, client, false, directionsDone);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void start(Socket from, Socket to, boolean clientToServerDirection, AtomicInteger directionsDone) {
        Thread t = new Thread(() -> pump(from, to, clientToServerDirection, directionsDone), "faulty-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Copies one direction; EOF passes on as a half-close (as TCP would), a cut or error drops both sides. */
    private void pump(Socket from, Socket to, boolean upstream, AtomicInteger directionsDone) {
        byte[] buf = new byte[64 * 1024];
        long offset = 0;
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buf)) > 0; offset += n) {
                if (upstream) {
                    long flip = flipAtOffset;
                    if (flip >= offset && flip < offset + n) {
                        buf[(int) (flip - offset)] ^= (byte) 0xFF;
                    }
                    long cut = cutAtOffset;
                    if (cut >= 0 && offset + n >= cut) {
                        out.write(buf, 0, (int) (cut - offset));
                        clientToServer.addAndGet(cut - offset);
                        throw new IOException("cut");
                    }
                    clientToServer.addAndGet(n);
                } else {
                    serverToClient.addAndGet(n);
                }
                out.write(buf, 0, n);
            }
            to.shutdownOutput();
            if (directionsDone.incrementAndGet() < 2) {
                return;
            }
        } catch (IOException ignored) {
            // cut, reset, or closed by the other direction
        }
        closeQuietly(from);
        closeQuietly(to);
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
        server.close();
    }
}
