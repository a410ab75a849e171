package io.skiff.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.skiff.engine.testing.TestTrees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `skiff receive` as operators run it: a separate JVM, stopped with SIGTERM, restarted on the same root. */
class ReceiveProcessTest {
    private static final Pattern LISTENING = Pattern.compile("listening on [^:]+:(\\d+)");

    @TempDir
    Path tmp;

    private record Daemon(Process process, int port) {
    }

    private static Daemon startReceiver(Path root, String... extra) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                SkiffCommand.class.getName(), "receive", "--listen", "127.0.0.1:0", "--root", root.toString()));
        command.addAll(List.of(extra));
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = lines.readLine()) != null; ) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> lines.lines().forEach(l -> { }), "receiver-log-drain");
                drain.setDaemon(true);
                drain.start();
                return new Daemon(p, Integer.parseInt(m.group(1)));
            }
        }
        p.waitFor(5, TimeUnit.SECONDS);
        throw new AssertionError("receiver exited before listening");
    }

    @Test
    void shouldStopCleanlyOnSigtermAndKeepCurrentAcrossRestart() throws Exception {
        Path root = tmp.resolve("root");
        Path src = TestTrees.textFile(tmp.resolve("src/codes.txt"), 3_000_000, 4).getParent();
        Daemon first = startReceiver(root);
        CliTest.Run push = CliTest.skiff("push", src.toString(), "--channel", "loinc", "--version", "2.80",
                "--to", "127.0.0.1:" + first.port(), "--json");
        assertEquals(0, push.exit(), push.err());

        first.process().destroy(); // SIGTERM
        assertTrue(first.process().waitFor(20, TimeUnit.SECONDS), "receiver did not stop on SIGTERM");
        assertTrue(List.of(0, 143).contains(first.process().exitValue()), "exit=" + first.process().exitValue());

        Daemon second = startReceiver(root);
        try {
            TestTrees.assertSameTree(src, root.resolve("loinc/current"));
            CliTest.Run again = CliTest.skiff("push", src.toString(), "--channel", "loinc", "--version", "2.80",
                    "--to", "127.0.0.1:" + second.port(), "--json");
            assertEquals(0, again.exit(), again.err());
            JsonNode t = new ObjectMapper().readTree(again.out()).get("targets").get(0);
            assertTrue(t.get("already_active").asBoolean());
            assertTrue(t.get("bytes_wire").asLong() <= 1024, "bytes_wire=" + t.get("bytes_wire"));
        } finally {
            second.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
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
        Daemon daemon = startReceiver(tmp.resolve("root"), "--seed", seed.toString());
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
            daemon.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
