package io.skiff.bench.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link LoopbackProxy#counting} over real loopback sockets, in front of a server that reads to EOF and answers with the count. */
class LoopbackProxyCountingTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private ServerSocket server;
    private Thread acceptor;

    @BeforeEach
    void startServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (true) {
                Socket s;
                try {
                    s = server.accept();
                } catch (IOException e) {
                    return;
                }
                Thread t = new Thread(() -> countAndAnswer(s));
                t.setDaemon(true);
                t.start();
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private static void countAndAnswer(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            long n = 0;
            for (int r; (r = in.read(buf)) > 0; ) {
                n += r;
            }
            new DataOutputStream(s.getOutputStream()).writeLong(n);
            s.shutdownOutput();
        } catch (IOException e) {
            // the test fails on the client side
        }
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
        acceptor.join(WAIT.toMillis());
    }

    @Test
    void forwardsConnectionsAtOnceAndCountsEveryByte() throws Exception {
        try (LoopbackProxy proxy = LoopbackProxy.counting(server.getLocalPort())) {
            assertEquals(server.getLocalPort(), proxy.targetPort());
            try (Socket a = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
                 Socket b = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                a.getOutputStream().write(new byte[100_000]);
                // b completes while a is still open: connections are not queued behind each other.
                b.getOutputStream().write(new byte[300_001]);
                b.shutdownOutput();
                assertEquals(300_001, new DataInputStream(b.getInputStream()).readLong());
                assertFalse(proxy.awaitIdle(Duration.ofMillis(50)), "a is still open");
                a.getOutputStream().write(new byte[23]);
                a.shutdownOutput();
                assertEquals(100_023, new DataInputStream(a.getInputStream()).readLong());
            }
            assertTrue(proxy.awaitIdle(WAIT));
            assertEquals(400_024, proxy.clientToServer());
            assertEquals(16, proxy.serverToClient());
            List<LoopbackProxy.Connection> c = proxy.connections();
            assertEquals(2, c.size());
            assertEquals(List.of(new LoopbackProxy.Connection(100_023, 8, false), new LoopbackProxy.Connection(300_001, 8, false)), c,
                    "in accept order");
        }
    }

    @Test
    void aRefusedTargetClosesTheClientAndEndsTheConnection() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        try (LoopbackProxy proxy = LoopbackProxy.counting(deadPort);
             Socket c = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            c.setSoTimeout((int) WAIT.toMillis());
            int first;
            try {
                first = c.getInputStream().read();
            } catch (IOException e) {
                first = -1; // a reset is as good as a close here
            }
            assertEquals(-1, first);
            assertTrue(proxy.awaitIdle(WAIT));
            assertEquals(List.of(new LoopbackProxy.Connection(0, 0, false)), proxy.connections());
        }
    }
}
