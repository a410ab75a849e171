package io.skiff.protocol;

import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * {@link SignedRelease#decode} (with {@link ReleaseStatement}'s reading) over any bytes, as a receiver
 * reads a SIGNED frame or its kept statements: a value or a {@link ProtocolException}, nothing else. A
 * value encodes to exactly these bytes: the statement its signatures are checked over is the one that
 * arrived, and no second encoding carries the same signatures. Whether they hold is the engine's
 * ReleaseTrustFuzzTest. Seeds: {@code SignedReleaseFuzzTestInputs/},
 * written by {@link ProtocolFuzzSeeds}.
 */
class SignedReleaseFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void shouldYieldACanonicalSignedReleaseOrProtocolException(byte[] bytes) {
        SignedRelease signed;
        try {
            signed = SignedRelease.decode(bytes);
        } catch (ProtocolException refused) {
            return;
        }
        // encode() starts with the statement's canonical bytes, the ones signatures are checked over
        assertArrayEquals(bytes, signed.encode(), "one signed release, one encoding");
    }
}
