package io.skiff.engine.security;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.ReleaseStatement;
import io.skiff.protocol.SignedRelease;

import java.util.List;

import static io.skiff.engine.security.TrustFuzzFixture.ACTIVE;
import static io.skiff.engine.security.TrustFuzzFixture.NOW;
import static io.skiff.engine.security.TrustFuzzFixture.TRUSTED;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A receiver's signature check over any SIGNED frame body: {@link SignedRelease#decode} gives a value
 * or a {@link ProtocolException}, and {@link ReleaseTrust#check} (one trusted key, an active release
 * to roll back from: {@link TrustFuzzFixture}) gives a verdict for any value, never an exception; the
 * receiver turns a refusal into a TrustException. A release is accepted only with a signature by the
 * trusted key that verifies over its statement. Seeds: {@code ReleaseTrustFuzzTestInputs/}, written by
 * {@link io.skiff.engine.encode.EngineFuzzSeeds}.
 */
class ReleaseTrustFuzzTest {
    private static final ReleaseTrust TRUST = ReleaseTrust.forAllChannels(ReleaseTrust.KeySet.of(List.of(TRUSTED.publicKey()), 1));

    @FuzzTest(maxDuration = "30s")
    void shouldAcceptOnlyAValidTrustedSignature(byte[] bytes) {
        SignedRelease signed;
        try {
            signed = SignedRelease.decode(bytes);
        } catch (ProtocolException refused) {
            return;
        }
        ReleaseStatement statement = signed.statement();
        ReleaseTrust.Verdict verdict = TRUST.check(statement.channel(), statement.version(), statement.releaseId(), signed,
                ACTIVE.releaseId(), ACTIVE.version(), ACTIVE, NOW);
        if (verdict.accepted()) {
            byte[] signedBytes = statement.canonicalBytes();
            assertTrue(signed.signatures().stream().anyMatch(s -> s.keyId().equals(TRUSTED.keyId())
                    && SigningKeys.verifies(TRUSTED.publicKey(), signedBytes, s.bytes())), "accepted without a valid trusted signature");
        }
    }
}
