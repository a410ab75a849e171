package io.skiff.engine.security;

import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.KeyRotation;
import io.skiff.protocol.SignedKeyRotation;
import io.skiff.protocol.SignedRelease;
import io.skiff.protocol.TrustException;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rotation rule alone, without a receiver: which rotation a scope's chain takes, ignores or refuses, and why in one line. */
class RotationChainTest {
    private static final KeyPair A = generate();
    private static final KeyPair B = generate();
    private static final KeyPair C = generate();
    private static final KeyPair N1 = generate();
    private static final KeyPair N2 = generate();
    private static final KeyPair M = generate();
    /** The configured keys: 2 of a, b, c. */
    private static final ReleaseTrust.KeySet CONFIGURED = ReleaseTrust.KeySet.of(List.of(A.getPublic(), B.getPublic(), C.getPublic()), 2);

    private static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    private static KeyRotation rotation(long sequence, int threshold, KeyPair... keys) {
        List<byte[]> encoded = new ArrayList<>();
        for (KeyPair k : keys) {
            encoded.add(k.getPublic().getEncoded());
        }
        return new KeyRotation("*", sequence, threshold, encoded);
    }

    private static SignedKeyRotation signed(KeyRotation rotation, KeyPair... signers) {
        List<SignedRelease.Signature> signatures = new ArrayList<>();
        for (KeyPair k : signers) {
            signatures.add(new SignedRelease.Signature(SigningKeys.keyId(k.getPublic()), SigningKeys.sign(k.getPrivate(), rotation.canonicalBytes())));
        }
        return new SignedKeyRotation(rotation, signatures);
    }

    private static RotationChain start() {
        return RotationChain.start("*", CONFIGURED);
    }

    @Test
    void shouldTakeARotationSignedByTheCurrentThresholdAndByItsOwn() {
        RotationChain chain = start().next(signed(rotation(1, 1, N1, N2), A, C, N2));

        assertEquals(1, chain.sequence());
        assertEquals(1, chain.keys().threshold());
        assertEquals(List.of(SigningKeys.keyId(N1.getPublic()), SigningKeys.keyId(N2.getPublic())).stream().sorted().toList(),
                chain.keys().keys().keySet().stream().sorted().toList());
        RotationChain next = chain.next(signed(rotation(2, 1, M), N1, M));
        assertEquals(2, next.sequence(), "rotation 2 is checked against set 1, not the configured keys");
        assertEquals(0, start().sequence(), "chains are values: the start is unchanged");
    }

    @Test
    void shouldRefuseWithoutTheCurrentThresholdSayingHowManyAreValid() {
        TrustException e = assertThrows(TrustException.class, () -> start().next(signed(rotation(1, 1, N1), A, N1)));

        assertEquals(ErrorCode.RELEASE_UNTRUSTED, e.code());
        assertTrue(e.getMessage().startsWith("key rotation 1 of scope *: 1 valid signature(s) by the current key set 0 ("), e.getMessage());
        assertTrue(e.getMessage().contains("2 needed; 1 by keys outside it, 0 that do not verify"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void shouldRefuseWhatItsNewKeysDidNotSign() {
        TrustException e = assertThrows(TrustException.class, () -> start().next(signed(rotation(1, 2, N1, N2), A, B, N1)));

        assertEquals(ErrorCode.RELEASE_UNTRUSTED, e.code());
        assertTrue(e.getMessage().contains("1 valid signature(s) by its new keys"), e.getMessage());
        assertTrue(e.getMessage().contains("2 needed (their holders sign it too: skiff keys sign-rotation)"), e.getMessage());
    }

    @Test
    void shouldCountASignatureOverOtherBytesAsOneThatDoesNotVerify() {
        SignedKeyRotation good = signed(rotation(1, 1, N1), A, B, N1);
        SignedKeyRotation other = signed(rotation(1, 1, N2), A, B, N2);
        SignedKeyRotation mixed = new SignedKeyRotation(good.rotation(), List.of(good.signatures().get(0), other.signatures().get(1),
                good.signatures().get(2)));

        TrustException e = assertThrows(TrustException.class, () -> start().next(mixed));

        assertTrue(e.getMessage().contains("1 valid signature(s) by the current key set 0"), e.getMessage());
        assertTrue(e.getMessage().contains("1 that do not verify"), e.getMessage());
    }

    @Test
    void shouldIgnoreARotationHeldAlreadyAndRefuseADifferentOneOfTheSameSequence() {
        RotationChain chain = start().next(signed(rotation(1, 1, N1), A, B, N1));

        assertSame(chain, chain.next(signed(rotation(1, 1, N1), B, C, N1)), "the same rotation, signed by others: held already");
        TrustException e = assertThrows(TrustException.class, () -> chain.next(signed(rotation(1, 1, N2), A, B, N2)));
        assertEquals(ErrorCode.ROLLBACK_REFUSED, e.code());
        assertTrue(e.getMessage().contains("differs from the one this receiver took"), e.getMessage());
    }

    @Test
    void shouldRefuseAGap() {
        TrustException e = assertThrows(TrustException.class, () -> start().next(signed(rotation(2, 1, N1), A, B, N1)));

        assertEquals(ErrorCode.RELEASE_UNTRUSTED, e.code());
        assertTrue(e.getMessage().contains("holds key set 0 of that scope and takes rotation 1 first"), e.getMessage());
    }

    @Test
    void shouldRefuseANewKeyThatIsNoEd25519Key() throws Exception {
        PublicKey ec = KeyPairGenerator.getInstance("EC").generateKeyPair().getPublic();
        KeyRotation rotation = new KeyRotation("*", 1, 1, List.of(ec.getEncoded()));

        TrustException e = assertThrows(TrustException.class, () -> start().next(signed(rotation, A, B)));

        assertTrue(e.getMessage().contains("its key 1 is not an Ed25519 public key"), e.getMessage());
    }

    @Test
    void shouldCoverTheChannelsItsScopeGlobMatches() {
        assertTrue(RotationChain.covers("*", "icd10cm"));
        assertTrue(RotationChain.covers("icd*", "icd10cm"));
        assertFalse(RotationChain.covers("icd*", "loinc"));
        assertFalse(RotationChain.covers("not a/glob", "not a/glob"), "a scope that is no glob covers nothing");
    }

    @Test
    void shouldNameEveryScopeATrustHasAndRotateOnlyThatOne() {
        ReleaseTrust.KeySet other = ReleaseTrust.KeySet.of(List.of(M.getPublic()), 1);
        ReleaseTrust trust = ReleaseTrust.forAllChannels(CONFIGURED).withChannel("icd*", other).withChannel("loinc", other);

        assertEquals(List.of("icd*", "loinc", "*"), List.copyOf(trust.scopes().keySet()));
        ReleaseTrust.KeySet rotated = ReleaseTrust.KeySet.of(List.of(N1.getPublic()), 1);
        ReleaseTrust icd = trust.withScopeKeys("icd*", rotated);
        assertEquals(rotated, icd.keysFor("icd10cm").orElseThrow());
        assertEquals(other, icd.keysFor("loinc").orElseThrow(), "another glob of the same table keeps its keys");
        assertEquals(CONFIGURED, icd.keysFor("rxnorm").orElseThrow());
        assertEquals(rotated, trust.withScopeKeys("*", rotated).keysFor("rxnorm").orElseThrow());
        assertThrows(IllegalArgumentException.class, () -> trust.withScopeKeys("snomed*", rotated));
    }
}
