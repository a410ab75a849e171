package io.skiff.engine.receive;

import com.fasterxml.jackson.databind.JsonNode;
import io.skiff.engine.Skiff;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.PushListener;
import io.skiff.engine.api.PushOptions;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.api.SmokeTest;
import io.skiff.engine.api.TargetResult;
import io.skiff.engine.audit.AuditRecords;
import io.skiff.engine.audit.AuditVerifier;
import io.skiff.engine.testing.TestDeployment;
import io.skiff.engine.testing.TestTrees;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Sha256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A receiver that smoke-tests each activation with a real shell command, and switches back when it fails. */
class SmokeTestedActivationTest {
    private static final String CHANNEL = "icd10cm";

    @TempDir
    Path tmp;

    private TargetResult push(Receiver receiver, String version, long seed) {
        Path src = TestTrees.textFile(tmp.resolve("src-" + seed + "/codes.tsv"), 50_000, seed).getParent();
        return Skiff.push(src, CHANNEL, version, List.of(new HostPort("127.0.0.1", receiver.port())),
                PushOptions.defaults().withRetries(0, Duration.ZERO), PushListener.NONE).targets().get(0);
    }

    private Receiver receiver(Path root, SmokeTest smoke) {
        return Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), root).withSmoke(smoke));
    }

    @Test
    void shouldKeepAPassingReleaseAndSwitchBackFromAFailingOneWithItsOutput() throws IOException {
        Path root = tmp.resolve("root");
        Path envFile = tmp.resolve("smoke-env");
        String command = "env | grep '^SKIFF_' | sort > " + envFile + "; echo checking $SKIFF_VERSION;"
                + " if [ \"$SKIFF_VERSION\" = v2 ]; then echo 'codes.tsv: 0 rows loaded' >&2; exit 3; fi";
        Sha256 v1;
        Receiver receiver = receiver(root, new SmokeTest(command, Duration.ofSeconds(30)));
        try {
            assertTrue(push(receiver, "v1", 1).activated());
            v1 = receiver.store().current(CHANNEL).orElseThrow();
            List<String> env = Files.readAllLines(envFile);
            assertEquals(List.of("SKIFF_CHANNEL=" + CHANNEL, "SKIFF_PREVIOUS_DIR=", "SKIFF_RELEASE_DIR=" + receiver.store().releaseDir(CHANNEL, v1),
                    "SKIFF_VERSION=v1"), env);

            TargetResult failed = push(receiver, "v2", 2);

            assertFalse(failed.activated());
            assertEquals(ErrorCode.SMOKE_FAILED, failed.code(), failed.error());
            assertEquals("rolled_back", failed.status());
            assertTrue(failed.error().contains("failed its smoke test and was switched back to " + v1.shortHex()), failed.error());
            assertTrue(failed.error().contains("the smoke command exited 3; its last output: checking v2 | codes.tsv: 0 rows loaded"),
                    failed.error());
            assertEquals(v1, receiver.store().current(CHANNEL).orElseThrow(), "back on v1");
            assertTrue(Files.readAllLines(envFile).contains("SKIFF_PREVIOUS_DIR=" + receiver.store().releaseDir(CHANNEL, v1)));
            assertEquals(2, receiver.store().releases(CHANNEL).size(), "v2 is kept, for a look");
        } finally {
            receiver.close();
        }
        List<String> actions = new ArrayList<>();
        AuditRecords.forEach(root.resolve("audit"), line -> actions.add(line.json().get("action").asText() + " "
                + line.json().get("version").asText()));
        assertEquals(List.of("activate v1", "smoke-pass v1", "activate v2", "smoke-fail v2", "rollback v1"), actions);
        assertTrue(AuditVerifier.verify(root.resolve("audit"), null).intact());

        Receiver restarted = receiver(root, null);
        try {
            assertEquals(v1, restarted.store().current(CHANNEL).orElseThrow(), "a restart keeps the switch back");
        } finally {
            restarted.close();
        }
        List<JsonNode> records = new ArrayList<>();
        AuditRecords.forEach(root.resolve("audit"), line -> records.add(line.json()));
        assertEquals(5, records.size(), "recovery found current logged: nothing recorded at startup");
    }

    @Test
    void shouldSwitchBackToNoReleaseWhenTheFirstOneTimesOut() {
        Path root = tmp.resolve("root-timeout");
        Receiver receiver = receiver(root, new SmokeTest("echo starting; sleep 30", Duration.ofSeconds(1)));
        try {
            TargetResult timedOut = push(receiver, "v1", 3);

            assertEquals(ErrorCode.SMOKE_FAILED, timedOut.code(), timedOut.error());
            assertTrue(timedOut.error().contains("switched back to no release (it was the channel's first)"), timedOut.error());
            assertTrue(timedOut.error().contains("timed out after 1 s; its last output: starting"), timedOut.error());
            assertTrue(receiver.store().current(CHANNEL).isEmpty());
            assertFalse(Files.exists(root.resolve(CHANNEL).resolve("current"), LinkOption.NOFOLLOW_LINKS));
        } finally {
            receiver.close();
        }
    }

    /** Per channel from the config file ([[smoke]], which needs TLS as grants do): icd* tested, the rest by --smoke-cmd or not at all. */
    @Test
    void shouldRunEachChannelsSmokeTestFromTheConfigFile() throws Exception {
        TestDeployment deployment = TestDeployment.withConfig(tmp, """
                [[smoke]]
                channels = ["icd*"]
                command  = "echo icd tables empty; exit 5"
                timeout_seconds = 10
                """);
        Receiver receiver = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("tls-root"))
                .withTls(deployment.receiverTls()).withGrants(deployment.config()));
        try {
            PushOptions options = PushOptions.defaults().withRetries(0, Duration.ZERO)
                    .withTls(deployment.senderTls());
            Path src = TestTrees.textFile(tmp.resolve("cfg-src/codes.tsv"), 20_000, 9).getParent();
            List<HostPort> to = List.of(new HostPort("127.0.0.1", receiver.port()));

            TargetResult icd = Skiff.push(src, CHANNEL, "v1", to, options, PushListener.NONE).targets().get(0);
            TargetResult loinc = Skiff.push(src, "loinc", "2.80", to, options, PushListener.NONE).targets().get(0);

            assertEquals(ErrorCode.SMOKE_FAILED, icd.code(), icd.error());
            assertTrue(icd.error().contains("exited 5; its last output: icd tables empty"), icd.error());
            assertTrue(loinc.activated(), "no [[smoke]] for loinc: " + loinc.error());
        } finally {
            receiver.close();
        }
    }
}
