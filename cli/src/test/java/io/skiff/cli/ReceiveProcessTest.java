package io.skiff.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.skiff.engine.testing.TestTrees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `skiff receive` as operators run it: a separate JVM, stopped with SIGTERM, restarted on the same root. */
class ReceiveProcessTest {
    @TempDir
    Path tmp;

    @Test
    void shouldStopCleanlyOnSigtermAndKeepCurrentAcrossRestart() throws Exception {
        Path root = tmp.resolve("root");
        Path src = TestTrees.textFile(tmp.resolve("src/codes.txt"), 3_000_000, 4).getParent();
        try (SkiffProcess first = SkiffProcess.receiver(root)) {
            CliTest.Run push = CliTest.skiff("push", src.toString(), "--channel", "loinc", "--version", "2.80",
                    "--to", "127.0.0.1:" + first.port(), "--json");
            assertEquals(0, push.exit(), push.err());

            first.process().destroy(); // SIGTERM
            assertTrue(first.process().waitFor(20, TimeUnit.SECONDS), "receiver did not stop on SIGTERM");
            assertTrue(List.of(0, 143).contains(first.process().exitValue()), "exit=" + first.process().exitValue());
        }

        SkiffProcess second = SkiffProcess.receiver(root);
        try {
            TestTrees.assertSameTree(src, root.resolve("loinc/current"));
            CliTest.Run again = CliTest.skiff("push", src.toString(), "--channel", "loinc", "--version", "2.80",
                    "--to", "127.0.0.1:" + second.port(), "--json");
            assertEquals(0, again.exit(), again.err());
            JsonNode t = new ObjectMapper().readTree(again.out()).get("targets").get(0);
            assertTrue(t.get("already_active").asBoolean());
            assertTrue(t.get("bytes_wire").asLong() <= 1024, "bytes_wire=" + t.get("bytes_wire"));
        } finally {
            second.close();
        }
        assertTrue(Files.isSymbolicLink(root.resolve("loinc/current")));
    }

    @Test
    void shouldTakeChunksFromASeedDirectoryGivenOnTheCommandLine() throws Exception {
        Path src = TestTrees.textFile(tmp.resolve("src/terms/codes.txt"), 3_000_000, 5).getParent().getParent();
        TestTrees.randomFile(src.resolve("maps/map.bin"), 700_000, 6);
        Path seed = tmp.resolve("unpacked-by-hand");
        Files.createDirectories(seed.resolve("old"));
        Files.copy(src.resolve("terms/codes.txt"), seed.resolve("old/codes-renamed.txt"));
        Files.copy(src.resolve("maps/map.bin"), seed.resolve("map.bin"));
        SkiffProcess daemon = SkiffProcess.receiver(tmp.resolve("root"), "--seed", seed.toString());
        try {
            CliTest.Run push = CliTest.skiff("push", src.toString(), "--channel", "loinc", "--version", "2.81",
                    "--to", "127.0.0.1:" + daemon.port(), "--json", "--no-history");
            assertEquals(0, push.exit(), push.err());
            JsonNode t = new ObjectMapper().readTree(push.out()).get("targets").get(0);
            assertEquals(0, t.get("chunks_sent").asInt(), t.toString());
            assertEquals(t.get("chunks_total").asInt(), t.get("chunks_copied_locally").asInt());
            assertTrue(t.get("bytes_wire").asLong() - t.get("manifest_bytes").asLong() < 1024, t.toString());
            TestTrees.assertSameTree(src, tmp.resolve("root/loinc/current"));
        } finally {
            daemon.close();
        }
    }

    @Test
    void shouldWriteLargeFilesWithDirectSegmentsUnlessToldNoDirectIo() throws Exception {
        Path src = TestTrees.randomFile(tmp.resolve("src/big.bin"), 9_000_000, 7).getParent();
        for (boolean direct : new boolean[]{true, false}) {
            Path root = tmp.resolve(direct ? "root-direct" : "root-page-cache");
            SkiffProcess daemon = direct ? SkiffProcess.receiver(root) : SkiffProcess.receiver(root, "--no-direct-io");
            try {
                CliTest.Run push = CliTest.skiff("push", src.toString(), "--channel", "snomed", "--version", "1",
                        "--to", "127.0.0.1:" + daemon.port(), "--json", "--no-history");
                assertEquals(0, push.exit(), push.err());
                TestTrees.assertSameTree(src, root.resolve("snomed/current"));
                String activated = awaitLine(daemon, " activated snomed 1 ");
                if (direct) {
                    // 9,000,000 bytes: two whole 4 MiB segments and a partial one, each written in one direct write
                    assertTrue(activated.contains("; 3 segments written direct, 0 through the page cache"), activated);
                } else {
                    assertFalse(activated.contains("segments written direct"), activated);
                }
            } finally {
                daemon.close();
            }
        }
    }

    /** The receiver's log line containing {@code text}, waiting up to 10 s for it to be written. */
    private static String awaitLine(SkiffProcess daemon, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            for (String line : daemon.output().split("\n")) {
                if (line.contains(text)) {
                    return line;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no line with '" + text + "' in the receiver's output:\n" + daemon.output());
            }
            Thread.sleep(50);
        }
    }
}
