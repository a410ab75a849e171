package io.skiff.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.skiff.engine.testing.TestTrees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.skiff.cli.CliTest.skiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code receive --smoke-cmd} as operators run it, and what a pipeline's push sees when a release fails it. */
class SmokeCliTest {
    @TempDir
    Path tmp;

    @Test
    void shouldExit21NamingTheTargetWhenItsSmokeTestFailsAndLeaveThePreviousReleaseActive() throws Exception {
        Path root = tmp.resolve("root");
        Path good = TestTrees.textFile(tmp.resolve("good/codes.tsv"), 50_000, 1).getParent();
        Path bad = TestTrees.textFile(tmp.resolve("bad/codes.tsv"), 50_000, 2).getParent();
        try (SkiffProcess receiver = SkiffProcess.receiver(root, "--smoke-cmd",
                "test \"$SKIFF_VERSION\" != 2027-02 || { echo 'load failed: 0 rows'; exit 4; }", "--smoke-timeout", "20")) {
            String target = "127.0.0.1:" + receiver.port();
            Path notified = tmp.resolve("notified.json");
            String notify = "cat > " + notified + "; echo \"$SKIFF_CHANNEL $SKIFF_VERSION\" >> " + notified + ".env";
            CliTest.Run first = skiff("push", good.toString(), "--channel", "icd10cm", "--version", "2027-01", "--to", target, "--no-history",
                    "--notify-cmd", notify);
            assertEquals(0, first.exit(), first.err());
            assertFalse(Files.exists(notified), "nothing failed: nobody notified");

            CliTest.Run json = skiff("push", bad.toString(), "--channel", "icd10cm", "--version", "2027-02", "--to", target, "--no-history",
                    "--json", "--notify-cmd", notify);
            CliTest.Run human = skiff("push", bad.toString(), "--channel", "icd10cm", "--version", "2027-02", "--to", target, "--no-history");

            assertEquals(21, json.exit(), json.out() + json.err());
            JsonNode t = json.json().get("targets").get(0);
            assertEquals("rolled_back", t.get("status").asText());
            assertEquals("smoke_failed", t.get("error_code").asText());
            assertTrue(t.get("error").asText().contains("load failed: 0 rows"), t.toString());
            JsonNode told = new ObjectMapper().readTree(Files.readString(notified));
            assertEquals("rolled_back", told.get("targets").get(0).get("status").asText(), "the notify command got the result");
            assertEquals(json.json().get("release_id").asText(), told.get("release_id").asText());
            assertEquals("icd10cm 2027-02", Files.readString(Path.of(notified + ".env")).strip());
            assertEquals(21, human.exit());
            assertTrue(human.out().contains(target) && human.out().contains("rolled_back"), human.out());
            TestTrees.assertSameTree(good, root.resolve("icd10cm/current"));
        }
    }

    @Test
    void shouldRefuseASmokeTestWithoutAPreviousReleaseToSwitchBackTo() {
        CliTest.Run run = skiff("receive", "--root", tmp.resolve("r").toString(), "--listen", "127.0.0.1:0", "--smoke-cmd", "true",
                "--retain", "1");

        assertEquals(2, run.exit());
        assertTrue(run.err().contains("--retain 2 or more"), run.err());
    }
}
