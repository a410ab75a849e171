package io.skiff.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.skiff.engine.testing.TestTrees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.skiff.cli.CliTest.skiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
            CliTest.Run first = skiff("push", good.toString(), "--channel", "icd10cm", "--version", "2027-01", "--to", target, "--no-history");
            assertEquals(0, first.exit(), first.err());

            CliTest.Run json = skiff("push", bad.toString(), "--channel", "icd10cm", "--version", "2027-02", "--to", target, "--no-history",
                    "--json");
            CliTest.Run human = skiff("push", bad.toString(), "--channel", "icd10cm", "--version", "2027-02", "--to", target, "--no-history");

            assertEquals(21, json.exit(), json.out() + json.err());
            JsonNode t = json.json().get("targets").get(0);
            assertEquals("rolled_back", t.get("status").asText());
            assertEquals("smoke_failed", t.get("error_code").asText());
            assertTrue(t.get("error").asText().contains("load failed: 0 rows"), t.toString());
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
