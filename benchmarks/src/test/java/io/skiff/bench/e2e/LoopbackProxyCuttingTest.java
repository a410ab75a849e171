package io.skiff.bench.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link LoopbackProxy#cutting} over real loopback sockets, in front of a server that reads to EOF and answers with what it got. */
class LoopbackProxyCuttingTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private Sink sink;

    @BeforeEach
    void startSink() throws IOException {
        sink = new Sink();
    }

    @AfterEach
    void stopSink() throws IOException {
        sink.close();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 7, 65_536, 100_003, 299_999})
    void cutsTheFirstConnectionAfterExactlyNBytes(long n) throws Exception {
        try (LoopbackProxy proxy = LoopbackProxy.cutting(sink.port(), n)) {
            byte[] data = bytes(300_000, 1);
            try (Socket client = connect(proxy)) {
                Thread writer = writeInBackground(client, data);
                assertNull8(client.getInputStream()); // cut: no answer reaches the client
                writer.join(WAIT.toMillis());
            }
            Sink.Received got = sink.next();
            assertEquals(n, got.bytes().length, "the server got exactly N bytes, then EOF");
            assertArrayEquals(java.util.Arrays.copyOf(data, (int) n), got.bytes(), "and they are the client's first N bytes");
            assertTrue(proxy.awaitIdle(WAIT));
            assertEquals(List.of(new LoopbackProxy.Connection(n, 8, true)), proxy.connections(),
                    "the server's 8-byte answer was read and dropped");
            assertTrue(proxy.cutDone());
            assertEquals(n, proxy.clientToServer());
            assertEquals(0, proxy.clientToServerAfterCut());
        }
    }

    @Test
    void laterConnectionsPassUntouchedAndAreCountedAfterTheCut() throws Exception {
        try (LoopbackProxy proxy = LoopbackProxy.cutting(sink.port(), 100_003)) {
            try (Socket first = connect(proxy)) {
                Thread writer = writeInBackground(first, bytes(300_000, 2));
                assertNull8(first.getInputStream());
                writer.join(WAIT.toMillis());
            }
            assertEquals(100_003, sink.next().bytes().length);

            byte[] second = bytes(250_000, 3);
            assertEquals(250_000, roundTrip(proxy, second), "the second connection is not cut");
            assertArrayEquals(second, sink.next().bytes());
            byte[] third = bytes(70_000, 4);
            assertEquals(70_000, roundTrip(proxy, third));
            assertArrayEquals(third, sink.next().bytes());

            assertTrue(proxy.awaitIdle(WAIT));
            assertEquals(List.of(new LoopbackProxy.Connection(100_003, 8, true), new LoopbackProxy.Connection(250_000, 8, false),
                    new LoopbackProxy.Connection(70_000, 8, false)), proxy.connections());
            assertEquals(320_000, proxy.clientToServerAfterCut());
            assertEquals(420_003, proxy.clientToServer());
        }
    }

    @Test
    void withoutACutEverythingPasses() throws Exception {
        try (LoopbackProxy proxy = LoopbackProxy.cutting(sink.port(), LoopbackProxy.NO_CUT)) {
            byte[] data = bytes(1_000_000, 5);
            assertEquals(1_000_000, roundTrip(proxy, data));
            assertArrayEquals(data, sink.next().bytes());
            assertEquals(5_000, roundTrip(proxy, bytes(5_000, 6)));
            assertTrue(proxy.awaitIdle(WAIT));
            assertEquals(List.of(new LoopbackProxy.Connection(1_000_000, 8, false), new LoopbackProxy.Connection(5_000, 8, false)),
                    proxy.connections());
            assertFalse(proxy.cutDone());
            assertEquals(1_005_000, proxy.clientToServer());
        }
    }

    @Test
    void forwardsOneConnectionAtATime() throws Exception {
        try (LoopbackProxy proxy = LoopbackProxy.cutting(sink.port(), LoopbackProxy.NO_CUT);
             Socket a = connect(proxy);
             Socket b = connect(proxy)) {
            a.getOutputStream().write(bytes(10, 7));
            sink.awaitAccepted(1);
            b.getOutputStream().write(bytes(20, 8));
            b.shutdownOutput();
            Thread.sleep(300); // room for a wrong proxy to forward b meanwhile
            assertEquals(1, sink.accepted(), "b waits until a has ended");
            assertFalse(proxy.awaitIdle(Duration.ofMillis(50)), "a is still being forwarded");

            a.shutdownOutput();
            assertEquals(10, new DataInputStream(a.getInputStream()).readLong());
            assertEquals(20, new DataInputStream(b.getInputStream()).readLong());
            assertEquals(2, sink.accepted());
            assertTrue(proxy.awaitIdle(WAIT));
            assertEquals(List.of(new LoopbackProxy.Connection(10, 8, false), new LoopbackProxy.Connection(20, 8, false)),
                    proxy.connections());
        }
    }

    /** Sends {@code data}, half-closes, returns the count the server answers with. */
    private static long roundTrip(LoopbackProxy proxy, byte[] data) throws IOException, InterruptedException {
        try (Socket s = connect(proxy)) {
            Thread writer = writeInBackground(s, data);
            long answer = new DataInputStream(s.getInputStream()).readLong();
            writer.join(WAIT.toMillis());
            assertEquals(-1, s.getInputStream().read(), "then EOF");
            return answer;
        }
    }

    private static Socket connect(LoopbackProxy proxy) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        s.setSoTimeout((int) WAIT.toMillis());
        return s;
    }

    /** Writes and half-closes from another thread (a cut makes the write fail; that is expected). */
    private static Thread writeInBackground(Socket s, byte[] data) {
        Thread t = new Thread(() -> {
            try {
                OutputStream out = s.getOutputStream();
                out.write(data);
                s.shutdownOutput();
            } catch (IOException expectedAfterACut) {
                // reset by the proxy
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The client of a cut connection reads EOF or a reset, never the server's answer. */
    private static void assertNull8(InputStream in) {
        byte[] got;
        try {
            got = in.readNBytes(8);
        } catch (IOException reset) {
            return;
        }
        assertNotEquals(8, got.length, "the server's answer reached the client of a cut connection");
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Reads each connection to EOF, then answers with the number of bytes read (8 bytes) and closes. */
    private static final class Sink implements AutoCloseable {
        record Received(byte[] bytes) {
        }

        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
        private final AtomicInteger accepted = new AtomicInteger();

        Sink() throws IOException {
            Thread t = new Thread(this::acceptLoop, "sink");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        int accepted() {
            return accepted.get();
        }

        void awaitAccepted(int n) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (accepted.get() < n && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(n, accepted.get());
        }

        Received next() throws InterruptedException {
            Received r = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(r, "the server finished no connection");
            return r;
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    accepted.incrementAndGet();
                    Thread t = new Thread(() -> serve(s), "sink-connection");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s) {
                byte[] all = s.getInputStream().readAllBytes();
                received.add(new Received(all));
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeLong(all.length);
                out.flush();
            } catch (IOException e) {
                received.add(new Received(new byte[0]));
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
