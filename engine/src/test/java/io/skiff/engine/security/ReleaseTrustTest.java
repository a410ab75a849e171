package io.skiff.engine.security;

import io.skiff.protocol.ReleaseStatement;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SignedRelease;
import io.skiff.protocol.UsageException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Signing keys on disk, and the receiver's decision on a signed release: every refusal, with its reason. */
class ReleaseTrustTest {
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    private static final Sha256 V1 = Sha256.digest("v1".getBytes(StandardCharsets.UTF_8));
    private static final Sha256 V2 = Sha256.digest("v2".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path tmp;
    private SigningKeys.Publisher alice;
    private SigningKeys.Publisher bob;
    private SigningKeys.Publisher mallory;
    private ReleaseTrust oneOfTwo;
    private ReleaseTrust twoOfTwo;

    @BeforeEach
    void keys() {
        alice = publisher("alice");
        bob = publisher("bob");
        mallory = publisher("mallory");
        List<PublicKey> trusted = List.of(SigningKeys.readPublic(tmp.resolve("alice").resolve(SigningKeys.PUBLIC_FILE)),
                SigningKeys.readPublic(tmp.resolve("bob").resolve(SigningKeys.PUBLIC_FILE)));
        oneOfTwo = ReleaseTrust.forAllChannels(ReleaseTrust.KeySet.of(trusted, 1));
        twoOfTwo = ReleaseTrust.none().withChannel("icd10cm", ReleaseTrust.KeySet.of(trusted, 2));
    }

    private SigningKeys.Publisher publisher(String name) {
        Sha256 id = SigningKeys.generate(tmp.resolve(name));
        SigningKeys.Publisher p = SigningKeys.readPrivate(tmp.resolve(name).resolve(SigningKeys.PRIVATE_FILE));
        assertEquals(id, p.keyId(), "the id generate printed is the key read back");
        return p;
    }

    private static ReleaseStatement statement(String version, Sha256 id, long sequence, boolean downgrade) {
        return new ReleaseStatement("icd10cm", version, id, sequence, NOW.plus(Duration.ofDays(30)).toEpochMilli(), downgrade);
    }

    private static ReleaseTrust.Verdict offer(ReleaseTrust trust, String version, Sha256 id, SignedRelease signed, Sha256 activeId,
                                              ReleaseStatement active) {
        return trust.check("icd10cm", version, id, signed, activeId, active == null ? null : active.version(), active, NOW);
    }

    @Test
    void shouldWriteKeysThatAreNeverOverwrittenWithThePrivateOneOwnerOnly() throws Exception {
        Path dir = tmp.resolve("alice");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(SigningKeys.PRIVATE_FILE))));
        assertTrue(Files.readString(dir.resolve(SigningKeys.PUBLIC_FILE)).startsWith("-----BEGIN PUBLIC KEY-----"));
        String before = Files.readString(dir.resolve(SigningKeys.PRIVATE_FILE));

        UsageException again = assertThrows(UsageException.class, () -> SigningKeys.generate(dir));

        assertTrue(again.getMessage().contains("never overwritten"), again.getMessage());
        assertEquals(before, Files.readString(dir.resolve(SigningKeys.PRIVATE_FILE)));
        UsageException notPublic = assertThrows(UsageException.class, () -> SigningKeys.readPublic(dir.resolve(SigningKeys.PRIVATE_FILE)));
        assertTrue(notPublic.getMessage().contains("no PEM public key"), notPublic.getMessage());
    }

    @Test
    void shouldAcceptAReleaseSignedByEnoughTrustedKeys() {
        SignedRelease byAlice = ReleaseTrust.sign(statement("2027-01", V1, 1, false), List.of(alice));
        SignedRelease byBoth = ReleaseTrust.sign(statement("2027-01", V1, 1, false), List.of(alice, bob));

        assertTrue(offer(oneOfTwo, "2027-01", V1, byAlice, null, null).accepted());
        assertTrue(offer(twoOfTwo, "2027-01", V1, byBoth, null, null).accepted());
        assertTrue(ReleaseTrust.none().check("icd10cm", "2027-01", V1, null, null, null, null, NOW).accepted(), "no keys: unsigned is fine");
        assertTrue(twoOfTwo.check("loinc", "2.77", V1, null, null, null, null, NOW).accepted(), "keys for another channel only");
    }

    @Test
    void shouldRefuseUnsignedBadUntrustedAndTooFewSignatures() {
        SignedRelease byAlice = ReleaseTrust.sign(statement("2027-01", V1, 1, false), List.of(alice));
        SignedRelease byMallory = ReleaseTrust.sign(statement("2027-01", V1, 1, false), List.of(mallory));
        SignedRelease forged = new SignedRelease(byAlice.statement(),
                List.of(new SignedRelease.Signature(alice.keyId(), byMallory.signatures().get(0).bytes())));

        ReleaseTrust.Verdict unsigned = offer(oneOfTwo, "2027-01", V1, null, null, null);
        ReleaseTrust.Verdict untrusted = offer(oneOfTwo, "2027-01", V1, byMallory, null, null);
        ReleaseTrust.Verdict bad = offer(oneOfTwo, "2027-01", V1, forged, null, null);
        ReleaseTrust.Verdict tooFew = offer(twoOfTwo, "2027-01", V1, byAlice, null, null);

        assertEquals(ReleaseTrust.Refusal.UNSIGNED, unsigned.refusal());
        assertTrue(unsigned.reason().contains("is unsigned"), unsigned.reason());
        assertEquals(ReleaseTrust.Refusal.BELOW_THRESHOLD, untrusted.refusal());
        assertTrue(untrusted.reason().contains("1 by untrusted keys"), untrusted.reason());
        assertEquals(ReleaseTrust.Refusal.BELOW_THRESHOLD, bad.refusal());
        assertTrue(bad.reason().contains("1 that do not verify"), bad.reason());
        assertEquals(ReleaseTrust.Refusal.BELOW_THRESHOLD, tooFew.refusal());
        assertTrue(tooFew.reason().contains("1 valid signature(s) by trusted keys (" + alice.keyId().shortHex() + "), 2 needed"),
                tooFew.reason());
        for (ReleaseTrust.Verdict v : List.of(unsigned, untrusted, bad, tooFew)) {
            assertTrue(!v.reason().contains("\n") && v.reason().startsWith("icd10cm 2027-01 (" + V1.shortHex() + ")"), v.reason());
        }
    }

    @Test
    void shouldRefuseASignatureForAnotherChannelVersionOrRelease() {
        SignedRelease forLoinc = ReleaseTrust.sign(new ReleaseStatement("loinc", "2027-01", V1, 1,
                NOW.plusSeconds(60).toEpochMilli(), false), List.of(alice));
        SignedRelease forV2 = ReleaseTrust.sign(statement("2027-01", V2, 1, false), List.of(alice));
        SignedRelease forOtherLabel = ReleaseTrust.sign(statement("2027-02", V1, 1, false), List.of(alice));

        for (SignedRelease wrong : List.of(forLoinc, forV2, forOtherLabel)) {
            ReleaseTrust.Verdict v = offer(oneOfTwo, "2027-01", V1, wrong, null, null);
            assertEquals(ReleaseTrust.Refusal.NOT_THIS_RELEASE, v.refusal(), v.reason());
        }
    }

    @Test
    void shouldRefuseAnExpiredStatement() {
        SignedRelease stale = ReleaseTrust.sign(new ReleaseStatement("icd10cm", "2027-01", V1, 1,
                NOW.minusSeconds(1).toEpochMilli(), false), List.of(alice));

        ReleaseTrust.Verdict v = offer(oneOfTwo, "2027-01", V1, stale, null, null);

        assertEquals(ReleaseTrust.Refusal.EXPIRED, v.refusal());
        assertTrue(v.reason().contains("expired 2026-12-07T11:59:59Z"), v.reason());
    }

    @Test
    void shouldRefuseRollbackAndAReusedLabelButTakeASignedDowngradeAndTheSameRelease() {
        ReleaseStatement active = statement("2027-02", V2, 20, false);
        SignedRelease older = ReleaseTrust.sign(statement("2027-01", V1, 10, false), List.of(alice));
        SignedRelease sameSequence = ReleaseTrust.sign(statement("2027-01", V1, 20, false), List.of(alice));
        SignedRelease downgrade = ReleaseTrust.sign(statement("2027-01", V1, 10, true), List.of(alice));
        SignedRelease reused = ReleaseTrust.sign(statement("2027-02", V1, 30, false), List.of(alice));
        SignedRelease again = ReleaseTrust.sign(active, List.of(bob));

        ReleaseTrust.Verdict rollback = offer(oneOfTwo, "2027-01", V1, older, V2, active);

        assertEquals(ReleaseTrust.Refusal.ROLLBACK, rollback.refusal());
        assertTrue(rollback.reason().contains("sequence 10 is not after the active release's 20 (2027-02)"), rollback.reason());
        assertEquals(ReleaseTrust.Refusal.ROLLBACK, offer(oneOfTwo, "2027-01", V1, sameSequence, V2, active).refusal());
        assertEquals(ReleaseTrust.Refusal.VERSION_REUSED, offer(oneOfTwo, "2027-02", V1, reused, V2, active).refusal());
        assertTrue(offer(oneOfTwo, "2027-01", V1, downgrade, V2, active).accepted(), "signed with --allow-downgrade");
        assertTrue(offer(oneOfTwo, "2027-02", V2, again, V2, active).accepted(), "the active release again");
        assertNull(offer(oneOfTwo, "2027-03", V1, ReleaseTrust.sign(statement("2027-03", V1, 21, false), List.of(alice)), V2, active)
                .refusal(), "a later sequence");
    }

    /** An active release that came unsigned (before keys were configured): its label still counts, its missing sequence does not. */
    @Test
    void shouldRefuseTheLabelOfAnUnsignedActiveReleaseOnOtherContentAndTakeTheNextSignedOneAsBaseline() {
        SignedRelease reused = ReleaseTrust.sign(statement("2027-01", V1, 30, false), List.of(alice));
        SignedRelease next = ReleaseTrust.sign(statement("2027-02", V1, 1, false), List.of(alice));
        SignedRelease sameContent = ReleaseTrust.sign(statement("2027-01", V2, 1, false), List.of(alice));

        ReleaseTrust.Verdict refused = oneOfTwo.check("icd10cm", "2027-01", V1, reused, V2, "2027-01", null, NOW);

        assertEquals(ReleaseTrust.Refusal.VERSION_REUSED, refused.refusal());
        assertTrue(refused.reason().contains("version 2027-01 is already active with other content (" + V2.shortHex() + ")"),
                refused.reason());
        assertTrue(oneOfTwo.check("icd10cm", "2027-02", V1, next, V2, "2027-01", null, NOW).accepted(), "no sequence to compare with");
        assertTrue(oneOfTwo.check("icd10cm", "2027-01", V2, sameContent, V2, "2027-01", null, NOW).accepted(), "the active release, signed");
    }

    /** [[trust]] tables in the receiver's config: per channel glob, first match, relative key paths; bad tables in one line. */
    @Test
    void shouldReadPerChannelTrustFromTheConfigFile() throws Exception {
        Path config = tmp.resolve("receiver.toml");
        Files.writeString(config, """
                [[grant]]
                identity = "pipeline-*"
                channels = ["*"]
                actions  = ["push"]

                [[trust]]
                channels  = ["icd10cm", "snomed-*"]
                keys      = ["alice/signing-pub.pem", "bob/signing-pub.pem"]
                threshold = 2

                [[trust]]
                channels = ["snomed-int"]
                keys     = ["mallory/signing-pub.pem"]
                """);
        ReleaseTrust trust = ReleaseTrust.of(ReleaseTrust.none(), AccessPolicy.load(config).trustRules());
        SignedRelease byAlice = ReleaseTrust.sign(statement("2027-01", V1, 1, false), List.of(alice));
        SignedRelease byBoth = ReleaseTrust.sign(statement("2027-01", V1, 1, false), List.of(alice, bob));

        assertEquals(2, trust.keysFor("icd10cm").orElseThrow().threshold());
        assertEquals(2, trust.keysFor("snomed-int").orElseThrow().threshold(), "the first matching table decides");
        assertTrue(trust.keysFor("loinc").isEmpty(), "no table: unsigned is fine");
        assertEquals(ReleaseTrust.Refusal.BELOW_THRESHOLD, offer(trust, "2027-01", V1, byAlice, null, null).refusal());
        assertTrue(offer(trust, "2027-01", V1, byBoth, null, null).accepted());

        Files.writeString(config, Files.readString(config).replace("mallory/", "nobody/"));
        UsageException missing = assertThrows(UsageException.class, () -> AccessPolicy.load(config));
        assertTrue(missing.getMessage().contains("trust 2: key " + tmp.resolve("nobody") + "/signing-pub.pem: no such file"), missing.getMessage());
        Files.writeString(config, Files.readString(config).replace("threshold = 2", "threshold = 3"));
        UsageException tooHigh = assertThrows(UsageException.class, () -> AccessPolicy.load(config));
        assertTrue(tooHigh.getMessage().contains("trust 1: threshold 3 of 2 key(s)"), tooHigh.getMessage());
    }
}
