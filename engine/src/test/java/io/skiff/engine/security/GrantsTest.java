package io.skiff.engine.security;

import io.skiff.engine.Skiff;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.PushListener;
import io.skiff.engine.api.PushOptions;
import io.skiff.engine.api.PushResult;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.api.TargetResult;
import io.skiff.engine.api.TlsFiles;
import io.skiff.engine.api.Topology;
import io.skiff.engine.receive.Receiver;
import io.skiff.engine.testing.TestTrees;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.UsageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Grants on real receivers over mutual TLS on loopback: what each identity may push and relay, where
 * tenants' releases go, quotas, and the relay target allow-list. Each refusal is asserted by its code,
 * its message, and an untouched disk; each success by the files and the activation log.
 */
class GrantsTest {
    private static final String CHANNEL = "icd10cm";

    @TempDir
    Path tmp;
    private Path ca;
    private Path source;
    private final List<Receiver> receivers = new ArrayList<>();

    @BeforeEach
    void setUp() {
        ca = tmp.resolve("ca");
        Skiff.initKeys(ca);
        for (String name : List.of("rx1", "rx2", "pipeline-eu", "pipeline-us", "pipeline-beta")) {
            Skiff.issueKeys(ca, name, tmp.resolve("keys-" + name));
        }
        source = tmp.resolve("src");
        TestTrees.textFile(source.resolve("codes.tsv"), 1_000_000, 3);
    }

    @AfterEach
    void stop() {
        receivers.forEach(Receiver::close);
    }

    private TlsFiles keys(String identity) {
        return TlsFiles.inDir(tmp.resolve("keys-" + identity));
    }

    private Receiver receiver(String identity, String grants) throws IOException {
        Path file = tmp.resolve("grants-" + identity + ".toml");
        Files.writeString(file, grants);
        Receiver r = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("root-" + identity))
                .withTls(keys(identity)).withGrants(file));
        receivers.add(r);
        return r;
    }

    private static String target(Receiver r) {
        return "127.0.0.1:" + r.port();
    }

    private PushResult push(String identity, String channel, String to) {
        return Skiff.push(source, channel, "2027", Topology.parseTo(to),
                PushOptions.defaults().withRetries(0, Duration.ZERO).withTls(keys(identity)), PushListener.NONE);
    }

    private static List<Path> filesUnder(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).sorted(Comparator.naturalOrder()).toList();
        }
    }

    private static String activations(Receiver r, String channelPath) throws IOException {
        return Files.readString(r.root().resolve(channelPath).resolve("activations.log"));
    }

    @Test
    void shouldActivateAGrantedPushAndRecordTheIdentity() throws IOException {
        Receiver rx = receiver("rx1", """
                [[grant]]
                identity = "pipeline-eu"
                channels = ["icd*"]
                actions  = ["push"]
                """);

        TargetResult r = push("pipeline-eu", CHANNEL, target(rx)).targets().get(0);

        assertTrue(r.activated(), r.error());
        TestTrees.assertSameTree(source, rx.root().resolve(CHANNEL).resolve("current"));
        assertTrue(activations(rx, CHANNEL).contains("[pipeline-eu]"), activations(rx, CHANNEL));
    }

    @Test
    void shouldRefuseAnIdentityWithoutAGrantForTheChannelAndStageNothing() throws IOException {
        Receiver rx = receiver("rx1", """
                [[grant]]
                identity = "pipeline-eu"
                channels = ["icd10cm"]
                actions  = ["push"]

                [[grant]]
                identity = "pipeline-us"
                channels = ["snomed"]
                actions  = ["push"]
                """);

        TargetResult refused = push("pipeline-us", CHANNEL, target(rx)).targets().get(0);

        assertEquals(ErrorCode.NOT_AUTHORIZED, refused.code());
        assertEquals("pipeline-us may not push icd10cm", refused.error());
        assertEquals(List.of(), filesUnder(rx.root()).stream().filter(f -> !f.startsWith(rx.root().resolve("audit"))).toList(),
                "nothing but the audit trail, which records the refusal");
        assertTrue(Files.readString(rx.root().resolve("audit").resolve("audit-00000001.jsonl"))
                .contains("\"actor\":\"pipeline-us\",\"peer\":\"127.0.0.1\",\"action\":\"offer-refused\",\"channel\":\"icd10cm\""));
        // the receiver goes on serving the granted identity
        assertTrue(push("pipeline-eu", CHANNEL, target(rx)).targets().get(0).activated());
    }

    @Test
    void shouldRefuseToStartWithGrantsButWithoutTls() throws IOException {
        Path file = tmp.resolve("grants.toml");
        Files.writeString(file, "[[grant]]\nidentity = \"x\"\nchannels = [\"*\"]\nactions = [\"push\"]\n");
        ReceiverConfig plaintext = ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("r")).withGrants(file);

        UsageException e = assertThrows(UsageException.class, () -> Skiff.receiver(plaintext));

        assertTrue(e.getMessage().contains("needs TLS"), e.getMessage());
    }

    @Test
    void shouldRelayAGrantedFanOut() throws IOException {
        String grants = """
                [[grant]]
                identity = "pipeline-eu"
                channels = ["icd10cm"]
                actions  = ["push", "relay"]

                [[grant]]
                identity = "rx1"
                channels = ["icd10cm"]
                actions  = ["push"]
                """;
        Receiver relay = receiver("rx1", grants);
        Receiver other = receiver("rx2", grants);

        PushResult result = push("pipeline-eu", CHANNEL, "eu=" + target(relay) + "," + target(other));

        for (TargetResult t : result.targets()) {
            assertTrue(t.activated(), t.target() + ": " + t.error());
        }
        TargetResult forwarded = result.targets().stream().filter(t -> t.target().equals(target(other))).findFirst().orElseThrow();
        assertEquals(TargetResult.Route.RELAYED, forwarded.route());
        assertTrue(activations(other, CHANNEL).contains("[rx1]"), activations(other, CHANNEL)); // pushed by the relay, as itself
        TestTrees.assertSameTree(source, other.root().resolve(CHANNEL).resolve("current"));
    }

    @Test
    void shouldNotRelayForAnIdentityWithoutTheRelayGrant() throws IOException {
        String grants = """
                [[grant]]
                identity = "pipeline-eu"
                channels = ["icd10cm"]
                actions  = ["push"]

                [[grant]]
                identity = "rx1"
                channels = ["icd10cm"]
                actions  = ["push"]
                """;
        Receiver relay = receiver("rx1", grants);
        Receiver other = receiver("rx2", grants);

        PushResult result = push("pipeline-eu", CHANNEL, "eu=" + target(relay) + "," + target(other));

        // the relay refused (pipeline-eu may not relay), so the sender pushed to each target itself
        for (TargetResult t : result.targets()) {
            assertTrue(t.activated(), t.target() + ": " + t.error());
            assertEquals(TargetResult.Route.FALLBACK, t.route(), t.target());
        }
        assertFalse(activations(other, CHANNEL).contains("[rx1]"), activations(other, CHANNEL));
        assertTrue(activations(other, CHANNEL).contains("[pipeline-eu]"), activations(other, CHANNEL));
    }

    @Test
    void shouldNotRelayToATargetOutsideTheAllowList() throws IOException {
        String grants = """
                relay_targets = ["127.0.0.2"]

                [[grant]]
                identity = "pipeline-eu"
                channels = ["icd10cm"]
                actions  = ["push", "relay"]

                [[grant]]
                identity = "rx1"
                channels = ["icd10cm"]
                actions  = ["push"]
                """;
        Receiver relay = receiver("rx1", grants);
        Receiver other = receiver("rx2", grants);

        PushResult result = push("pipeline-eu", CHANNEL, "eu=" + target(relay) + "," + target(other));

        for (TargetResult t : result.targets()) {
            assertTrue(t.activated(), t.target() + ": " + t.error());
            assertEquals(TargetResult.Route.FALLBACK, t.route(), t.target());
        }
        assertFalse(activations(other, CHANNEL).contains("[rx1]"), "the relay connected to a target outside relay_targets");
    }

    @Test
    void shouldPlaceATenantsChannelUnderItsDirectoryAndRefuseOverQuotaBeforeStaging() throws IOException {
        Receiver rx = receiver("rx1", """
                [[grant]]
                identity = "pipeline-eu"
                channels = ["icd10cm"]
                actions  = ["push"]
                tenant   = "acme"

                [[grant]]
                identity = "pipeline-us"
                channels = ["icd10cm"]
                actions  = ["push"]
                tenant   = "small"

                [[grant]]
                identity = "pipeline-beta"
                channels = ["icd10cm"]
                actions  = ["push"]
                tenant   = "beta"

                [tenant.small]
                quota_bytes = "500 KB"

                [tenant.beta]
                quota_bytes = "10 MiB"
                """);

        TargetResult acme = push("pipeline-eu", CHANNEL, target(rx)).targets().get(0);
        TargetResult small = push("pipeline-us", CHANNEL, target(rx)).targets().get(0);
        TargetResult beta = push("pipeline-beta", CHANNEL, target(rx)).targets().get(0);

        assertTrue(acme.activated(), acme.error());
        TestTrees.assertSameTree(source, rx.root().resolve("acme").resolve(CHANNEL).resolve("current"));
        assertFalse(Files.exists(rx.root().resolve(CHANNEL)), "untenanted layout untouched");
        assertEquals(ErrorCode.QUOTA_EXCEEDED, small.code());
        assertTrue(small.error().startsWith("tenant small holds 0 bytes"), small.error());
        assertEquals(List.of(), filesUnder(rx.root().resolve("small")), "nothing staged over quota");
        assertTrue(beta.activated(), "another tenant is unaffected: " + beta.error());
        TestTrees.assertSameTree(source, rx.root().resolve("beta").resolve(CHANNEL).resolve("current"));
        assertEquals(List.of(CHANNEL), Skiff.status(rx.root()).channels().stream()
                .filter(c -> "beta".equals(c.tenant())).map(c -> c.channel()).toList());
    }
}
