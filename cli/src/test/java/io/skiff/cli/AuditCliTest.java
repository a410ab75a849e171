package io.skiff.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.skiff.engine.Skiff;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.receive.Receiver;
import io.skiff.engine.testing.TestTrees;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.skiff.cli.CliTest.skiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code skiff audit verify|show} over the trail a real receiver wrote for two pushes. */
class AuditCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    private Receiver receiver;
    private Path root;

    @BeforeEach
    void pushTwoReleases() {
        root = tmp.resolve("root");
        receiver = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), root));
        for (String channel : List.of("icd10cm", "loinc")) {
            Path src = TestTrees.textFile(tmp.resolve(channel + "/codes.txt"), 100_000, channel.length()).getParent();
            CliTest.Run push = skiff("push", src.toString(), "--channel", channel, "--version", "2027", "--to",
                    "127.0.0.1:" + receiver.port(), "--no-history");
            assertEquals(0, push.exit(), push.err());
        }
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    @Test
    void shouldVerifyAnIntactTrailAndShowItsRecords() throws Exception {
        CliTest.Run verify = skiff("audit", "verify", "--root", root.toString(), "--json");
        CliTest.Run show = skiff("audit", "show", "--root", root.toString(), "--channel", "loinc", "--json");
        CliTest.Run table = skiff("audit", "show", "--root", root.toString());

        assertEquals(0, verify.exit(), verify.err());
        JsonNode report = verify.json();
        assertTrue(report.get("intact").asBoolean());
        assertEquals(2, report.get("records").asLong());
        assertTrue(report.get("broken").isNull());
        assertEquals(0, show.exit(), show.err());
        List<String> lines = show.out().strip().lines().toList();
        assertEquals(1, lines.size(), show.out());
        JsonNode loinc = JSON.readTree(lines.get(0));
        assertEquals("activate", loinc.get("action").asText());
        assertEquals(2, loinc.get("seq").asLong());
        assertEquals(lines.get(0), Files.readAllLines(root.resolve("audit/audit-00000001.jsonl")).get(1), "exactly as stored");
        assertEquals(0, table.exit(), table.err());
        assertTrue(table.out().contains("activate") && table.out().contains("icd10cm 2027") && table.out().contains("loinc 2027"), table.out());
    }

    @Test
    void shouldExit12NamingTheFirstBrokenRecordOfAnEditedTrail() throws Exception {
        Path file = root.resolve("audit/audit-00000001.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        lines.set(0, lines.get(0).replace("\"version\":\"2027\"", "\"version\":\"2026\""));
        Files.write(file, lines, StandardCharsets.UTF_8);

        CliTest.Run verify = skiff("audit", "verify", "--root", root.toString());

        assertEquals(12, verify.exit(), verify.out() + verify.err());
        assertEquals(1, verify.err().strip().lines().count(), verify.err());
        assertTrue(verify.err().startsWith("skiff: error: audit trail broken at audit-00000001.jsonl line 2: record 2 does not follow record 1"),
                verify.err());
    }

    @Test
    void shouldRefuseBadArgumentsInOneLine() {
        CliTest.Run since = skiff("audit", "show", "--root", root.toString(), "--since", "yesterday");
        CliTest.Run noTrail = skiff("audit", "verify", "--root", tmp.toString());

        assertEquals(2, since.exit());
        assertTrue(since.err().contains("--since must be an ISO-8601 time"), since.err());
        assertEquals(2, noTrail.exit());
        assertEquals(1, noTrail.err().strip().lines().count(), noTrail.err());
        assertTrue(noTrail.err().contains("no audit trail under"), noTrail.err());
    }
}
