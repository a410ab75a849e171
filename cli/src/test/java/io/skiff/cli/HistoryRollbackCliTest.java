package io.skiff.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.skiff.engine.Skiff;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.receive.Receiver;
import io.skiff.engine.testing.TestTrees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.skiff.cli.CliTest.skiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code skiff history} and {@code skiff rollback} over three releases, on a root a running receiver serves. */
class HistoryRollbackCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void shouldListThreeActivationsAndSwitchBackTwiceOnPurpose() throws Exception {
        Path root = tmp.resolve("root");
        List<Path> sources = new ArrayList<>();
        Receiver receiver = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), root));
        try {
            for (int v = 1; v <= 3; v++) {
                Path src = TestTrees.textFile(tmp.resolve("v" + v + "/codes.tsv"), 40_000, v).getParent();
                sources.add(src);
                CliTest.Run push = skiff("push", src.toString(), "--channel", "loinc", "--version", "2.8" + v, "--to",
                        "127.0.0.1:" + receiver.port(), "--no-history");
                assertEquals(0, push.exit(), push.err());
            }

            CliTest.Run back = skiff("rollback", "--root", root.toString(), "--channel", "loinc", "--json");
            assertEquals(0, back.exit(), back.err());
            assertEquals("2.83", back.json().get("from_version").asText());
            assertEquals("2.82", back.json().get("to_version").asText());
            TestTrees.assertSameTree(sources.get(1), root.resolve("loinc/current"));

            CliTest.Run toFirst = skiff("rollback", "--root", root.toString(), "--channel", "loinc", "--to", "2.81");
            assertEquals(0, toFirst.exit(), toFirst.err());
            assertTrue(toFirst.out().startsWith("loinc: switched back from 2.82"), toFirst.out());
            TestTrees.assertSameTree(sources.get(0), root.resolve("loinc/current"));

            CliTest.Run missing = skiff("rollback", "--root", root.toString(), "--channel", "loinc", "--to", "2.99");
            assertEquals(2, missing.exit());
            assertTrue(missing.err().contains("loinc keeps no release 2.99"), missing.err());

            CliTest.Run again = skiff("push", sources.get(2).toString(), "--channel", "loinc", "--version", "2.83", "--to",
                    "127.0.0.1:" + receiver.port(), "--no-history");
            assertEquals(0, again.exit(), "the receiver serves on after the operator's switches: " + again.err());
        } finally {
            receiver.close();
        }

        CliTest.Run history = skiff("history", "--root", root.toString(), "--channel", "loinc", "--json");
        assertEquals(0, history.exit(), history.err());
        List<String> steps = new ArrayList<>();
        for (String line : history.out().strip().split("\n")) {
            JsonNode r = JSON.readTree(line);
            steps.add(r.get("action").asText() + " " + r.get("version").asText() + " by " + r.get("actor").asText());
        }
        assertEquals(List.of("activate 2.81 by plaintext", "activate 2.82 by plaintext", "activate 2.83 by plaintext",
                "rollback 2.82 by operator", "rollback 2.81 by operator", "activate 2.83 by plaintext"), steps);
        CliTest.Run table = skiff("history", "--root", root.toString(), "--channel", "loinc");
        assertTrue(table.out().lines().anyMatch(l -> l.contains("rollback") && l.contains("2.81") && l.contains("by operator")
                && l.contains("skiff rollback")), table.out());
        assertEquals(0, skiff("audit", "verify", "--root", root.toString()).exit());
    }
}
