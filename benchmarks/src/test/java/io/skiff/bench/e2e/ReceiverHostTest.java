package io.skiff.bench.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The receiver host's command line and ready lines, and one real host JVM started and stopped. */
class ReceiverHostTest {
    @Test
    void parsesItsCommandLine() {
        ReceiverHost.Args a = ReceiverHost.parse(new String[]{"--count", "8", "--root", "/tmp/r"});
        assertEquals(new ReceiverHost.Args(8, Path.of("/tmp/r"), "127.0.0.1", List.of()), a);
        assertEquals(List.of(7001, 7002), ReceiverHost.parse(new String[]{"--root", "/r", "--count", "2", "--ports", "7001, 7002"}).ports());
        assertThrows(IllegalArgumentException.class, () -> ReceiverHost.parse(new String[]{"--root", "/r"}));
        assertThrows(IllegalArgumentException.class, () -> ReceiverHost.parse(new String[]{"--count", "2"}));
        assertThrows(IllegalArgumentException.class, () -> ReceiverHost.parse(new String[]{"--count", "0", "--root", "/r"}));
        assertThrows(IllegalArgumentException.class, () -> ReceiverHost.parse(new String[]{"--count", "65", "--root", "/r"}));
        assertThrows(IllegalArgumentException.class, () -> ReceiverHost.parse(new String[]{"--count", "2", "--root", "/r", "--ports", "1"}));
        assertThrows(IllegalArgumentException.class, () -> ReceiverHost.parse(new String[]{"--count", "1", "--root", "/r", "--ports", "70000"}));
        assertThrows(IllegalArgumentException.class, () -> ReceiverHost.parse(new String[]{"--count", "x", "--root", "/r"}));
        assertThrows(IllegalArgumentException.class, () -> ReceiverHost.parse(new String[]{"--count"}));
        assertThrows(IllegalArgumentException.class, () -> ReceiverHost.parse(new String[]{"--verbose", "1"}));
    }

    @Test
    void readyOnlyOnceEveryReceiverIsListed() {
        String lines = ReceiverHost.receiverLine(0, "127.0.0.1", 40001, Path.of("/w/roots/r0")) + "\n"
                + "2026-11-23T12:00:00.000+0000 [main] INFO Receiver - listening\n"
                + ReceiverHost.receiverLine(1, "127.0.0.1", 40002, Path.of("/w/my roots/r1")) + "\n";
        assertEquals(Optional.empty(), ReceiverHost.parseReady(lines, 2));
        List<ReceiverHost.Started> started = ReceiverHost.parseReady(lines + "ready 2\n", 2).orElseThrow();
        assertEquals(List.of(new ReceiverHost.Started(0, 40001, Path.of("/w/roots/r0")), new ReceiverHost.Started(1, 40002, Path.of("/w/my roots/r1"))),
                started);
        assertThrows(IllegalStateException.class, () -> ReceiverHost.parseReady(lines + "ready 2\n", 3));
        assertThrows(IllegalStateException.class, () -> ReceiverHost.parseReady(lines + "ready 3\n", 2));
    }

    @Test
    void hostStartsReceiversAndStopsWhenItsStdinCloses(@TempDir Path dir) throws Exception {
        LiveProcesses live = new LiveProcesses();
        Path java = SkiffCommand.currentJava();
        String classPath = System.getProperty("java.class.path"); // this module's classes and the engine's, under Maven
        ReceiverHostProcess host = ReceiverHostProcess.start(java, List.of("-Xmx128m"), classPath, dir.resolve("roots"), 3,
                dir.resolve("host.log"), live);
        try {
            assertEquals(3, host.count());
            for (int i = 0; i < 3; i++) {
                assertEquals(dir.resolve("roots").resolve("r" + i), host.root(i));
                assertTrue(Files.isDirectory(host.root(i)));
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), host.port(i))) {
                    assertTrue(s.isConnected(), "receiver " + i + " listens");
                }
            }
            assertEquals(dir.resolve("roots/r2/ch/current"), host.current(2, "ch"));
        } finally {
            host.close();
        }
        assertFalse(host.alive());
        assertTrue(ReceiverHostProcess.command(java, List.of("-Xmx1g"), "a" + File.pathSeparator + "b", dir, 8)
                .containsAll(List.of("-Xmx1g", "-cp", "io.skiff.bench.e2e.ReceiverHost", "--count", "8")));
    }
}
