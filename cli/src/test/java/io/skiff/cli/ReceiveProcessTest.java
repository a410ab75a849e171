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

    private static Daemon startReceiver(Path root) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), SkiffCommand.class.getName(),
                "receive", "--listen", "127.0.0.1:0", "--root", root.toString())
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
}
