package io.skiff.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.skiff.engine.Skiff;
import io.skiff.engine.api.AuditEntry;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.api.SmokeTest;
import io.skiff.engine.receive.Receiver;
import io.skiff.engine.testing.TestTrees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.skiff.cli.CliTest.skiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code push --topology FILE --lifecycle}: preprod first, prod only once preprod activated and passed its smoke test. */
class LifecycleCliTest {
    @TempDir
    Path tmp;

    @Test
    void shouldStopAtPreprodWhenItsSmokeTestFailsAndPromoteToProdOnceItPasses() throws Exception {
        SmokeTest refuseBroken = new SmokeTest("! grep -q BROKEN \"$SKIFF_RELEASE_DIR/notes.txt\"", Duration.ofSeconds(20));
        Receiver preprod = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("preprod")).withSmoke(refuseBroken));
        Receiver prod1 = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("prod1")));
        Receiver prod2 = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("prod2")));
        try {
            Path topology = tmp.resolve("topology.txt");
            Files.writeString(topology, "# REGION HOST:PORT options\n"
                    + "-  127.0.0.1:" + preprod.port() + "  env=preprod\n"
                    + "eu 127.0.0.1:" + prod1.port() + "  env=prod\n"
                    + "eu 127.0.0.1:" + prod2.port() + "  env=prod\n");
            Path state = tmp.resolve("state");
            Path broken = TestTrees.textFile(tmp.resolve("broken/codes.tsv"), 30_000, 1).getParent();
            Files.writeString(broken.resolve("notes.txt"), "BROKEN mapping table\n");
            Path good = TestTrees.textFile(tmp.resolve("good/codes.tsv"), 30_000, 2).getParent();
            Files.writeString(good.resolve("notes.txt"), "ok\n");

            CliTest.Run stopped = skiff("push", broken.toString(), "--channel", "icd10cm", "--version", "2027-01", "--topology",
                    topology.toString(), "--lifecycle", "--history", state.toString(), "--json");

            assertEquals(21, stopped.exit(), stopped.out() + stopped.err());
            List<String> statuses = new ArrayList<>();
            for (JsonNode t : stopped.json().get("targets")) {
                statuses.add(t.get("status").asText());
            }
            assertEquals(List.of("rolled_back", "skipped", "skipped"), statuses);
            for (String prod : List.of("prod1", "prod2")) {
                assertFalse(Files.exists(tmp.resolve(prod).resolve("icd10cm"), LinkOption.NOFOLLOW_LINKS), prod + " got nothing");
            }

            CliTest.Run promoted = skiff("push", good.toString(), "--channel", "icd10cm", "--version", "2027-02", "--topology",
                    topology.toString(), "--lifecycle", "--history", state.toString(), "--json");

            assertEquals(0, promoted.exit(), promoted.out() + promoted.err());
            for (String root : List.of("preprod", "prod1", "prod2")) {
                TestTrees.assertSameTree(good, tmp.resolve(root).resolve("icd10cm/current"));
            }
            List<String> trail = new ArrayList<>();
            Skiff.auditEntries(state, null, null, (AuditEntry e) -> {
                if (!e.action().equals("push")) {
                    trail.add(e.action() + " " + e.version() + " " + e.outcome());
                }
            });
            assertEquals(List.of("lifecycle-stop 2027-01 failed", "promote 2027-02 ok"), trail);
        } finally {
            preprod.close();
            prod1.close();
            prod2.close();
        }
    }

    @Test
    void shouldRefuseALifecycleWithoutEnvironmentsInOneLine() throws Exception {
        Path topology = tmp.resolve("plain.txt");
        Files.writeString(topology, "- 127.0.0.1:9\n");
        Path src = TestTrees.textFile(tmp.resolve("src/codes.tsv"), 1000, 3).getParent();
        CliTest.Run noEnv = skiff("push", src.toString(), "--channel", "c", "--version", "1", "--topology", topology.toString(), "--lifecycle",
                "--no-history");
        CliTest.Run noTopology = skiff("push", src.toString(), "--channel", "c", "--version", "1", "--to", "127.0.0.1:9", "--lifecycle",
                "--no-history");
        Files.writeString(topology, "- 127.0.0.1:9 env=preprod\n- 127.0.0.1:10\n");
        CliTest.Run mixed = skiff("push", src.toString(), "--channel", "c", "--version", "1", "--topology", topology.toString(), "--lifecycle",
                "--no-history");

        assertEquals(2, noEnv.exit());
        assertTrue(noEnv.err().contains("--lifecycle needs environments"), noEnv.err());
        assertEquals(2, noTopology.exit());
        assertTrue(noTopology.err().contains("--lifecycle needs --topology"), noTopology.err());
        assertEquals(2, mixed.exit());
        assertTrue(mixed.err().contains(":2: env= is given on some targets and not on others"), mixed.err());
    }
}
