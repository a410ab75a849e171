package io.skiff.protocol;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The signed statement's canonical bytes and the strict decoding of a signed release. */
class SignedReleaseTest {
    private static final Sha256 RELEASE = Sha256.digest("manifest".getBytes(StandardCharsets.UTF_8));
    private static final ReleaseStatement STATEMENT = new ReleaseStatement("icd10cm", "2027-01", RELEASE, 1_765_000_000_000L,
            1_800_000_000_000L, false);

    private static SignedRelease signed(int signatures) {
        List<SignedRelease.Signature> all = new ArrayList<>();
        for (int i = 0; i < signatures; i++) {
            byte[] sig = new byte[64];
            Arrays.fill(sig, (byte) i);
            all.add(new SignedRelease.Signature(Sha256.digest(new byte[]{(byte) i}), sig));
        }
        return new SignedRelease(STATEMENT, all);
    }

    @Test
    void shouldLayOutTheCanonicalBytesAsDocumented() {
        ByteBuffer b = ByteBuffer.wrap(STATEMENT.canonicalBytes());

        assertEquals(0x534B5347, b.getInt(), "magic SKSG");
        assertEquals(1, b.get(), "format");
        assertEquals(7, b.getShort());
        byte[] channel = new byte[7];
        b.get(channel);
        assertEquals("icd10cm", new String(channel, StandardCharsets.UTF_8));
        assertEquals(7, b.getShort());
        b.position(b.position() + 7);
        byte[] id = new byte[32];
        b.get(id);
        assertArrayEquals(RELEASE.toBytes(), id);
        assertEquals(1_765_000_000_000L, b.getLong());
        assertEquals(1_800_000_000_000L, b.getLong());
        assertEquals(0, b.get(), "flags: no downgrade");
        assertEquals(0, b.remaining());
        byte[] downgrade = new ReleaseStatement("icd10cm", "2027-01", RELEASE, 1, 2, true).canonicalBytes();
        assertEquals(1, downgrade[downgrade.length - 1], "flag bit 0");
    }

    @Test
    void shouldRoundTripWhatItEncodes() {
        for (int n : new int[]{1, 3, ProtocolLimits.MAX_SIGNATURES}) {
            SignedRelease original = signed(n);
            SignedRelease back = SignedRelease.decode(original.encode());
            assertEquals(STATEMENT, back.statement());
            assertEquals(n, back.signatures().size());
            for (int i = 0; i < n; i++) {
                assertEquals(original.signatures().get(i).keyId(), back.signatures().get(i).keyId());
                assertArrayEquals(original.signatures().get(i).bytes(), back.signatures().get(i).bytes());
            }
        }
    }

    @Test
    void shouldRefuseEveryTruncationAndTrailingByte() {
        byte[] whole = signed(2).encode();
        for (int length = 0; length < whole.length; length++) {
            byte[] cut = Arrays.copyOf(whole, length);
            ProtocolException e = assertThrows(ProtocolException.class, () -> SignedRelease.decode(cut), "cut at " + length);
            assertEquals(ErrorCode.MALFORMED, e.code());
        }
        byte[] longer = Arrays.copyOf(whole, whole.length + 1);
        ProtocolException trailing = assertThrows(ProtocolException.class, () -> SignedRelease.decode(longer));
        assertTrue(trailing.getMessage().contains("trailing"), trailing.getMessage());
    }

    @Test
    void shouldRefuseWhatIsNotCanonical() {
        byte[] good = signed(2).encode();
        int flagsAt = STATEMENT.canonicalBytes().length - 1;

        byte[] magic = good.clone();
        magic[0] ^= 1;
        byte[] format = good.clone();
        format[4] = 2;
        byte[] flags = good.clone();
        flags[flagsAt] = 2;
        byte[] noSignatures = Arrays.copyOf(good, flagsAt + 2);
        noSignatures[flagsAt + 1] = 0;
        byte[] tooMany = good.clone();
        tooMany[flagsAt + 1] = (byte) (ProtocolLimits.MAX_SIGNATURES + 1);
        byte[] sameKeyTwice = good.clone();
        System.arraycopy(good, flagsAt + 2, sameKeyTwice, flagsAt + 2 + 32 + 2 + 64, 32);
        byte[] negativeSequence = good.clone();
        negativeSequence[flagsAt - 16] = (byte) 0x80;

        assertEquals(ErrorCode.MALFORMED, assertThrows(ProtocolException.class, () -> SignedRelease.decode(magic)).code());
        assertEquals(ErrorCode.UNSUPPORTED_VERSION, assertThrows(ProtocolException.class, () -> SignedRelease.decode(format)).code());
        for (byte[] bad : List.of(flags, noSignatures, tooMany, sameKeyTwice, negativeSequence)) {
            assertEquals(ErrorCode.MALFORMED, assertThrows(ProtocolException.class, () -> SignedRelease.decode(bad)).code());
        }
        assertThrows(ProtocolException.class, () -> SignedRelease.decode(new byte[ProtocolLimits.MAX_SIGNED_RELEASE_BYTES + 1]));
        assertTrue(signedAtItsLongest().length <= ProtocolLimits.MAX_SIGNED_RELEASE_BYTES, "the limit holds the longest valid one");
    }

    private static byte[] signedAtItsLongest() {
        String label = "x".repeat(ProtocolLimits.MAX_LABEL_BYTES);
        List<SignedRelease.Signature> all = new ArrayList<>();
        for (int i = 0; i < ProtocolLimits.MAX_SIGNATURES; i++) {
            all.add(new SignedRelease.Signature(Sha256.digest(new byte[]{(byte) i}), new byte[ProtocolLimits.MAX_SIGNATURE_BYTES]));
        }
        byte[] longest = new SignedRelease(new ReleaseStatement(label, label, RELEASE, Long.MAX_VALUE, Long.MAX_VALUE, true), all).encode();
        assertEquals(SignedRelease.decode(longest).statement().channel(), label);
        return longest;
    }
}
