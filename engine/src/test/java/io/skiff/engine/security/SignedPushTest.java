package io.skiff.engine.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.skiff.engine.Skiff;
import io.skiff.engine.api.AuditReport;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.PushListener;
import io.skiff.engine.api.PushOptions;
import io.skiff.engine.api.PushResult;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.api.SignedManifest;
import io.skiff.engine.api.SigningOptions;
import io.skiff.engine.api.TargetResult;
import io.skiff.engine.api.Topology;
import io.skiff.engine.api.TrustKeys;
import io.skiff.engine.audit.Actor;
import io.skiff.engine.audit.AuditRecords;
import io.skiff.engine.audit.AuditVerifier;
import io.skiff.engine.follow.Origin;
import io.skiff.engine.receive.Receiver;
import io.skiff.engine.store.SignedReleases;
import io.skiff.engine.testing.TestDeployment;
import io.skiff.engine.testing.TestTrees;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ReleaseStatement;
import io.skiff.protocol.SignedRelease;
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
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Signed pushes over real loopback TCP to a receiver that trusts one publisher key: what it takes, what
 * it refuses before staging anything, and the statement it keeps with the activated release.
 */
class SignedPushTest {
    private static final String CHANNEL = "icd10cm";

    @TempDir
    Path tmp;
    private Path v1;
    private Path v2;
    private Receiver receiver;

    @BeforeEach
    void setUp() {
        Skiff.generateSigningKey(tmp.resolve("publisher"));
        Skiff.generateSigningKey(tmp.resolve("stranger"));
        v1 = tmp.resolve("v1");
        v2 = tmp.resolve("v2");
        TestTrees.textFile(v1.resolve("codes.tsv"), 400_000, 7);
        TestTrees.textFile(v2.resolve("codes.tsv"), 400_000, 8);
        ReceiverConfig config = ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("root"))
                .withTrust(new TrustKeys(List.of(tmp.resolve("publisher").resolve(SigningKeys.PUBLIC_FILE)), 1));
        receiver = Skiff.receiver(config);
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    private TargetResult push(Path source, String version, String key, Duration validity) {
        PushOptions options = PushOptions.defaults().withRetries(0, Duration.ZERO);
        if (key != null) {
            options = options.withSigning(new SigningOptions(tmp.resolve(key).resolve(SigningKeys.PRIVATE_FILE), validity, false));
        }
        return Skiff.push(source, CHANNEL, version, List.of(new HostPort("127.0.0.1", receiver.port())), options, PushListener.NONE)
                .targets().get(0);
    }

    private TargetResult push(Path source, String version, String key) {
        return push(source, version, key, SigningOptions.DEFAULT_VALIDITY);
    }

    private long staged() throws IOException {
        return staged(tmp.resolve("root"));
    }

    private static long staged(Path root) throws IOException {
        Path staging = root.resolve(CHANNEL).resolve("staging");
        if (!Files.exists(staging)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(staging)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void shouldActivateASignedReleaseAndKeepItsStatement() {
        TargetResult r = push(v1, "2027-01", "publisher");

        assertTrue(r.activated(), r.error());
        Path signatures = tmp.resolve("root").resolve(CHANNEL).resolve("signatures");
        assertTrue(Files.isDirectory(signatures));
        assertEquals(1, signatures.toFile().list().length, "the activated release's statement");
    }

    /** The trail names who activated what, with its signer, and why an offer was refused; the chain verifies. */
    @Test
    void shouldAuditTheActivationWithItsSignerAndTheRefusalWithItsReason() throws IOException {
        assertTrue(push(v1, "2027-01", "publisher").activated());
        assertEquals(ErrorCode.RELEASE_UNTRUSTED, push(v2, "2027-02", "stranger").code());

        Path audit = tmp.resolve("root").resolve("audit");
        AuditReport report = AuditVerifier.verify(audit, null);
        assertTrue(report.intact(), String.valueOf(report.broken()));
        List<JsonNode> records = new ArrayList<>();
        AuditRecords.forEach(audit, line -> records.add(line.json()));
        JsonNode activated = records.stream().filter(r -> r.get("action").asText().equals("activate")).findFirst().orElseThrow();
        assertEquals("2027-01", activated.get("version").asText());
        assertEquals(Actor.PLAINTEXT, activated.get("actor").asText());
        assertEquals("127.0.0.1", activated.get("peer").asText());
        assertEquals(SigningKeys.readPrivate(tmp.resolve("publisher").resolve(SigningKeys.PRIVATE_FILE)).keyId().hex(),
                activated.get("signers").get(0).asText());
        JsonNode refused = records.get(records.size() - 1);
        assertEquals("offer-refused", refused.get("action").asText());
        assertEquals("refused", refused.get("outcome").asText());
        assertEquals("2027-02", refused.get("version").asText());
        assertTrue(refused.get("reason").asText().startsWith("release_untrusted: "), refused.toString());
    }

    @Test
    void shouldRefuseUnsignedAndStrangersReleasesBeforeStagingAnything() throws IOException {
        TargetResult unsigned = push(v1, "2027-01", null);
        TargetResult stranger = push(v1, "2027-01", "stranger");

        assertEquals(ErrorCode.RELEASE_UNTRUSTED, unsigned.code());
        assertTrue(unsigned.error().contains("is unsigned"), unsigned.error());
        assertEquals(ErrorCode.RELEASE_UNTRUSTED, stranger.code());
        assertTrue(stranger.error().contains("1 by untrusted keys"), stranger.error());
        assertEquals(0, staged());
        assertFalse(Files.exists(tmp.resolve("root").resolve(CHANNEL).resolve("current")));
    }

    @Test
    void shouldRefuseAnExpiredSignatureAndAReusedVersionLabel() throws Exception {
        TargetResult expired = push(v1, "2027-01", "publisher", Duration.ZERO); // expires 1 ms after signing
        assertTrue(push(v1, "2027-01", "publisher").activated());
        TargetResult reused = push(v2, "2027-01", "publisher");

        assertEquals(ErrorCode.RELEASE_UNTRUSTED, expired.code());
        assertTrue(expired.error().contains("expired"), expired.error());
        assertEquals(ErrorCode.ROLLBACK_REFUSED, reused.code());
        assertTrue(reused.error().contains("version 2027-01 is already active with other content"), reused.error());
        assertEquals(0, staged());
        assertTrue(push(v2, "2027-02", "publisher").activated(), "a new version, signed later");
    }

    /**
     * A receiver that got its keys after an unsigned release was activated: the active version label is
     * not taken for other content; the first signed release of a new version becomes the baseline.
     */
    @Test
    void shouldRefuseTheLabelOfAnUnsignedActiveReleaseOnceKeysAreConfigured() throws Exception {
        Path root = tmp.resolve("late-root");
        List<HostPort> to;
        PushOptions unsigned = PushOptions.defaults().withRetries(0, Duration.ZERO);
        try (Receiver before = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), root))) {
            to = List.of(new HostPort("127.0.0.1", before.port()));
            assertTrue(Skiff.push(v1, CHANNEL, "2027-01", to, unsigned, PushListener.NONE).allActivated());
        }
        PushOptions signed = unsigned.withSigning(new SigningOptions(tmp.resolve("publisher").resolve(SigningKeys.PRIVATE_FILE),
                SigningOptions.DEFAULT_VALIDITY, false));
        try (Receiver after = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), root)
                .withTrust(new TrustKeys(List.of(tmp.resolve("publisher").resolve(SigningKeys.PUBLIC_FILE)), 1)))) {
            to = List.of(new HostPort("127.0.0.1", after.port()));
            io.skiff.protocol.Sha256 unsignedActive = after.store().current(CHANNEL).orElseThrow();

            TargetResult reused = Skiff.push(v2, CHANNEL, "2027-01", to, signed, PushListener.NONE).targets().get(0);

            assertEquals(ErrorCode.ROLLBACK_REFUSED, reused.code(), reused.error());
            assertTrue(reused.error().contains("version 2027-01 is already active with other content"), reused.error());
            assertEquals(0, staged(root));
            assertEquals(Optional.of(unsignedActive), after.store().current(CHANNEL));

            PushResult next = Skiff.push(v2, CHANNEL, "2027-02", to, signed, PushListener.NONE);

            assertTrue(next.allActivated(), next.toString());
            assertEquals(Optional.of(next.manifest().releaseId()), after.store().current(CHANNEL));
            assertTrue(Files.isRegularFile(SignedReleases.file(after.store(), CHANNEL, next.manifest().releaseId())),
                    "the baseline for the next offer's sequence");
        }
    }

    /** Signed by two keys when the manifest was saved, sent as it is: a receiver that wants both takes it, one key is too few. */
    @Test
    void shouldPushAStatementSignedBeforehandByTwoKeysToAReceiverThatWantsBoth() throws Exception {
        Path publisher = tmp.resolve("publisher");
        Path stranger = tmp.resolve("stranger");
        try (Receiver twoOfTwo = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("two-of-two"))
                .withTrust(new TrustKeys(List.of(publisher.resolve(SigningKeys.PUBLIC_FILE), stranger.resolve(SigningKeys.PUBLIC_FILE)), 2)))) {
            Topology to = Topology.direct(List.of(new HostPort("127.0.0.1", twoOfTwo.port())));
            PushOptions options = PushOptions.defaults().withRetries(0, Duration.ZERO);
            SignedManifest saved = Skiff.manifest(v1, CHANNEL, "2027-01", new SigningOptions(List.of(
                    publisher.resolve(SigningKeys.PRIVATE_FILE), stranger.resolve(SigningKeys.PRIVATE_FILE)), Duration.ofDays(7), false));
            Path file = tmp.resolve("v1.manifest");
            Skiff.writeManifest(saved, file);
            SignedRelease read = Skiff.readSignature(Skiff.signatureFile(file), Skiff.readManifest(file, v1));

            TargetResult oneKey = Skiff.push(v1, saved.manifest(), to, options.withSigning(new SigningOptions(
                    publisher.resolve(SigningKeys.PRIVATE_FILE), Duration.ofDays(7), false)), PushListener.NONE).targets().get(0);
            PushResult pushed = Skiff.push(v1, saved.manifest(), read, to, options, PushListener.NONE);

            assertEquals(ErrorCode.RELEASE_UNTRUSTED, oneKey.code(), oneKey.error());
            assertTrue(oneKey.error().contains("1 valid signature(s) by trusted keys"), oneKey.error());
            assertTrue(pushed.allActivated(), pushed.toString());
            assertEquals(saved.signed(), read);
            assertEquals(2, SignedReleases.load(twoOfTwo.store(), CHANNEL, saved.manifest().releaseId()).orElseThrow().signatures().size());
        }
    }

    /** What a receiver would refuse anyway, the sender refuses before connecting: another release's statement, an expired one. */
    @Test
    void shouldRefuseAStatementForAnotherReleaseOrExpiredBeforeConnecting() {
        SigningOptions signing = new SigningOptions(tmp.resolve("publisher").resolve(SigningKeys.PRIVATE_FILE), Duration.ofDays(1), false);
        Manifest first = Skiff.manifest(v1, CHANNEL, "2027-01");
        SignedRelease forSecond = Skiff.manifest(v2, CHANNEL, "2027-01", signing).signed();
        long expiredAt = System.currentTimeMillis() - 60_000;
        SignedRelease expired = ReleaseTrust.sign(new ReleaseStatement(CHANNEL, "2027-01", first.releaseId(), expiredAt - 1, expiredAt, false),
                List.of(SigningKeys.readPrivate(tmp.resolve("publisher").resolve(SigningKeys.PRIVATE_FILE))));
        Topology to = Topology.direct(List.of(new HostPort("127.0.0.1", receiver.port())));

        UsageException other = assertThrows(UsageException.class, () -> Skiff.push(v1, first, forSecond, to, PushOptions.defaults(),
                PushListener.NONE));
        UsageException stale = assertThrows(UsageException.class, () -> Skiff.push(v1, first, expired, to, PushOptions.defaults(),
                PushListener.NONE));

        assertTrue(other.getMessage().contains("not this manifest's icd10cm 2027-01 (" + first.releaseId().hex() + ")"), other.getMessage());
        assertTrue(stale.getMessage().contains("expired at " + java.time.Instant.ofEpochMilli(expiredAt) + "; sign again"),
                stale.getMessage());
        assertFalse(Files.exists(tmp.resolve("root").resolve(CHANNEL)), "no offer reached the receiver");
    }

    @Test
    void shouldRefuseAKeyFileThatIsNotOneBeforeHashing() throws IOException {
        Path bad = Files.writeString(tmp.resolve("not-a-key.pem"), "hello");
        PushOptions options = PushOptions.defaults().withSigning(new SigningOptions(bad, Duration.ofDays(1), false));

        UsageException e = assertThrows(UsageException.class, () -> Skiff.push(v1, CHANNEL, "2027-01",
                List.of(new HostPort("127.0.0.1", receiver.port())), options, PushListener.NONE));

        assertTrue(e.getMessage().contains("not-a-key.pem"), e.getMessage());
    }

    /**
     * The origin (a root filled by a receiver that checks nothing) forwards the publisher's statement it
     * kept; a follower that trusts the publisher activates the release, one that trusts a stranger refuses it.
     */
    @Test
    void shouldPassTheSignaturesOnThroughAnOriginToFollowersThatCheckThem() throws Exception {
        Receiver publishing = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("origin-root")));
        Origin origin = null;
        Receiver trusting = null;
        Receiver suspicious = null;
        try {
            PushOptions options = PushOptions.defaults().withRetries(0, Duration.ZERO).withSigning(new SigningOptions(
                    tmp.resolve("publisher").resolve(SigningKeys.PRIVATE_FILE), SigningOptions.DEFAULT_VALIDITY, false));
            PushResult pushed = Skiff.push(v1, CHANNEL, "2027-01", List.of(new HostPort("127.0.0.1", publishing.port())), options,
                    PushListener.NONE);
            assertTrue(pushed.allActivated(), pushed.toString());
            assertTrue(Files.isRegularFile(SignedReleases.file(publishing.store(), CHANNEL, pushed.manifest().releaseId())),
                    "kept though this receiver checks nothing");
            origin = Origin.start(new HostPort("127.0.0.1", 0), tmp.resolve("origin-root"), Duration.ofSeconds(30), "origin");
            trusting = follower("trusting", origin, "publisher");
            suspicious = follower("suspicious", origin, "stranger");

            long deadline = System.nanoTime() + 20_000_000_000L;
            while (trusting.store().current(CHANNEL).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Thread.sleep(300); // the suspicious follower has asked a few times by now

            assertEquals(Optional.of(pushed.manifest().releaseId()), trusting.store().current(CHANNEL));
            assertEquals(Optional.empty(), suspicious.store().current(CHANNEL));
            Path staging = suspicious.store().channelDir(CHANNEL).resolve("staging");
            assertFalse(Files.exists(staging) && staging.toFile().list().length > 0, "nothing staged by the one that refused");
        } finally {
            for (AutoCloseable c : new AutoCloseable[]{suspicious, trusting, origin, publishing}) {
                if (c != null) {
                    c.close();
                }
            }
        }
    }

    private Receiver follower(String name, Origin origin, String trusted) {
        return Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve(name))
                .withTrust(new TrustKeys(List.of(tmp.resolve(trusted).resolve(SigningKeys.PUBLIC_FILE)), 1))
                .withFollow(new HostPort("127.0.0.1", origin.port()), CHANNEL, Duration.ofMillis(100)));
    }

    /** A region of three trusting receivers: the sender signs once, its relay forwards the statement, every one checks it. */
    @Test
    void shouldActivateASignedReleaseRelayedToAWholeRegionAndRefuseAnUnsignedOne() throws Exception {
        List<Receiver> region = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                region.add(Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("eu-" + i))
                        .withTrust(new TrustKeys(List.of(tmp.resolve("publisher").resolve(SigningKeys.PUBLIC_FILE)), 1))));
            }
            Topology topology = new Topology(List.of(new Topology.Region("eu", region.stream()
                    .map(r -> new Topology.Target(new HostPort("127.0.0.1", r.port()), new HostPort("127.0.0.1", r.port()), 0, false))
                    .toList())));
            PushOptions options = PushOptions.defaults().withRetries(0, Duration.ZERO);

            PushResult unsigned = Skiff.push(v1, CHANNEL, "2027-01", topology, options, PushListener.NONE);
            PushResult signed = Skiff.push(v1, CHANNEL, "2027-01", topology, options.withSigning(new SigningOptions(
                    tmp.resolve("publisher").resolve(SigningKeys.PRIVATE_FILE), SigningOptions.DEFAULT_VALIDITY, false)), PushListener.NONE);

            assertEquals(ErrorCode.RELEASE_UNTRUSTED, unsigned.targets().get(0).code(), unsigned.toString());
            assertTrue(signed.allActivated(), signed.toString());
            assertEquals(TargetResult.Route.RELAY, signed.targets().get(0).route());
            for (Receiver r : region) {
                assertEquals(Optional.of(signed.manifest().releaseId()), r.store().current(CHANNEL));
                assertTrue(Files.isRegularFile(SignedReleases.file(r.store(), CHANNEL, signed.manifest().releaseId())));
            }
        } finally {
            for (Receiver r : region) {
                r.close();
            }
        }
    }

    /** Retention prunes a release's statement with it: the kept releases' statements stay. */
    @Test
    void shouldPruneTheStatementOfAPrunedRelease() throws Exception {
        List<io.skiff.protocol.Sha256> ids = new java.util.ArrayList<>();
        for (int v = 1; v <= ReceiverConfig.DEFAULT_RETAIN + 1; v++) {
            Path tree = tmp.resolve("r" + v);
            TestTrees.textFile(tree.resolve("codes.tsv"), 100_000, 100 + v);
            PushOptions options = PushOptions.defaults().withRetries(0, Duration.ZERO).withHistory(null).withSigning(new SigningOptions(
                    tmp.resolve("publisher").resolve(SigningKeys.PRIVATE_FILE), SigningOptions.DEFAULT_VALIDITY, false));
            PushResult r = Skiff.push(tree, CHANNEL, "v" + v, List.of(new HostPort("127.0.0.1", receiver.port())), options, PushListener.NONE);
            assertTrue(r.allActivated(), r.toString());
            ids.add(r.manifest().releaseId());
        }

        assertFalse(Files.exists(SignedReleases.file(receiver.store(), CHANNEL, ids.get(0))), "pruned with its release");
        for (io.skiff.protocol.Sha256 kept : ids.subList(1, ids.size())) {
            assertTrue(Files.isRegularFile(SignedReleases.file(receiver.store(), CHANNEL, kept)));
        }
    }

    /** Trust per channel from the receiver's config file (which needs TLS, as grants do): icd* signed, the rest as before. */
    @Test
    void shouldTakeEachChannelsKeysFromTheConfigFile() throws Exception {
        TestDeployment deployment = TestDeployment.withConfig(tmp, """
                [[trust]]
                channels = ["icd*"]
                keys     = ["publisher/signing-pub.pem"]
                """);
        try (Receiver tls = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("tls-root"))
                .withTls(deployment.receiverTls()).withGrants(deployment.config()))) {
            PushOptions options = PushOptions.defaults().withRetries(0, Duration.ZERO)
                    .withTls(deployment.senderTls());
            List<HostPort> to = List.of(new HostPort("127.0.0.1", tls.port()));
            SigningOptions signing = new SigningOptions(tmp.resolve("publisher").resolve(SigningKeys.PRIVATE_FILE),
                    SigningOptions.DEFAULT_VALIDITY, false);

            TargetResult loinc = Skiff.push(v1, "loinc", "2.80", to, options, PushListener.NONE).targets().get(0);
            TargetResult unsigned = Skiff.push(v1, CHANNEL, "2027-01", to, options, PushListener.NONE).targets().get(0);
            TargetResult signed = Skiff.push(v1, CHANNEL, "2027-01", to, options.withSigning(signing), PushListener.NONE).targets().get(0);

            assertTrue(loinc.activated(), "no [[trust]] for loinc: " + loinc.error());
            assertEquals(ErrorCode.RELEASE_UNTRUSTED, unsigned.code(), unsigned.error());
            assertTrue(signed.activated(), signed.error());
        }
    }
}
