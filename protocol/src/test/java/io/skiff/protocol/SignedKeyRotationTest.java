package io.skiff.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The key rotation's canonical bytes and the strict decoding of a signed one, table by table. */
class SignedKeyRotationTest {
    private static final byte[] KEY_A = filled(44, 1);
    private static final byte[] KEY_B = filled(44, 2);
    private static final KeyRotation ROTATION = new KeyRotation("icd*", 3, 2, List.of(KEY_A, KEY_B));

    private static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    private static SignedKeyRotation signed(int signatures) {
        List<SignedRelease.Signature> all = new ArrayList<>();
        for (int i = 0; i < signatures; i++) {
            all.add(new SignedRelease.Signature(Sha256.digest(new byte[]{(byte) i}), filled(64, i)));
        }
        return new SignedKeyRotation(ROTATION, all);
    }

    @Test
    void shouldLayOutTheCanonicalBytesAsDocumented() {
        ByteBuffer b = ByteBuffer.wrap(ROTATION.canonicalBytes());

        assertEquals(0x534B5254, b.getInt(), "magic SKRT");
        assertEquals(1, b.get(), "format");
        assertEquals(4, b.getShort());
        byte[] scope = new byte[4];
        b.get(scope);
        assertEquals("icd*", new String(scope, StandardCharsets.UTF_8));
        assertEquals(3, b.getInt(), "sequence");
        assertEquals(2, b.get(), "threshold");
        assertEquals(2, b.get(), "key count");
        for (byte[] key : List.of(KEY_A, KEY_B)) {
            assertEquals(44, b.getShort());
            byte[] read = new byte[44];
            b.get(read);
            assertArrayEquals(key, read);
        }
        assertEquals(0, b.remaining());
    }

    @Test
    void shouldRoundTripWhatItEncodesWithAnyNumberOfSignatures() {
        for (int n : new int[]{0, 1, 3, ProtocolLimits.MAX_ROTATION_SIGNATURES}) {
            SignedKeyRotation original = signed(n);
            SignedKeyRotation back = SignedKeyRotation.decode(original.encode());
            assertEquals(original, back, "signatures compare by their bytes, keys too");
            assertArrayEquals(original.encode(), back.encode());
        }
        assertEquals(List.of(Sha256.digest(KEY_A), Sha256.digest(KEY_B)), ROTATION.keyIds());
        assertNotEquals(ROTATION, new KeyRotation("icd*", 3, 2, List.of(KEY_B, KEY_A)), "key order is in the signed bytes");
    }

    @Test
    void shouldRefuseEveryTruncationAndATrailingByte() {
        byte[] whole = signed(2).encode();
        for (int length = 0; length < whole.length; length++) {
            byte[] cut = Arrays.copyOf(whole, length);
            ProtocolException e = assertThrows(ProtocolException.class, () -> SignedKeyRotation.decode(cut), "cut at " + length);
            assertEquals(ErrorCode.MALFORMED, e.code());
        }
        ProtocolException trailing = assertThrows(ProtocolException.class, () -> SignedKeyRotation.decode(Arrays.copyOf(whole, whole.length + 1)));
        assertTrue(trailing.getMessage().contains("trailing"), trailing.getMessage());
    }

    /** Bytes that are not a canonical signed rotation, each with the code it must get. */
    static Stream<Arguments> notCanonical() {
        return Stream.of(
                bad("bad magic", new Body().u32(0x534B5347).u8(1).str("*").u32(1).u8(1).u8(1).key(KEY_A).u8(0), ErrorCode.MALFORMED),
                bad("format 2", new Body().magic().u8(2).str("*").u32(1).u8(1).u8(1).key(KEY_A).u8(0), ErrorCode.UNSUPPORTED_VERSION),
                bad("empty scope", new Body().magic().u8(1).str("").u32(1).u8(1).u8(1).key(KEY_A).u8(0), ErrorCode.MALFORMED),
                bad("scope above the label limit", new Body().magic().u8(1).str("x".repeat(ProtocolLimits.MAX_LABEL_BYTES + 1)).u32(1)
                        .u8(1).u8(1).key(KEY_A).u8(0), ErrorCode.MALFORMED),
                bad("sequence 0", new Body().magic().u8(1).str("*").u32(0).u8(1).u8(1).key(KEY_A).u8(0), ErrorCode.MALFORMED),
                bad("threshold 0", new Body().magic().u8(1).str("*").u32(1).u8(0).u8(1).key(KEY_A).u8(0), ErrorCode.MALFORMED),
                bad("threshold above the key count", new Body().magic().u8(1).str("*").u32(1).u8(2).u8(1).key(KEY_A).u8(0), ErrorCode.MALFORMED),
                bad("no keys", new Body().magic().u8(1).str("*").u32(1).u8(1).u8(0).u8(0), ErrorCode.MALFORMED),
                bad("key count above the limit, no key bytes after it", new Body().magic().u8(1).str("*").u32(1).u8(1)
                        .u8(ProtocolLimits.MAX_ROTATION_KEYS + 1), ErrorCode.MALFORMED),
                bad("key length 0", new Body().magic().u8(1).str("*").u32(1).u8(1).u8(1).u16(0).u8(0), ErrorCode.MALFORMED),
                bad("key length above the limit, no key bytes after it", new Body().magic().u8(1).str("*").u32(1).u8(1).u8(1)
                        .u16(ProtocolLimits.MAX_ROTATION_KEY_BYTES + 1), ErrorCode.MALFORMED),
                bad("key length 65535 with 3 bytes", new Body().magic().u8(1).str("*").u32(1).u8(1).u8(1).u16(0xFFFF).u8(1).u8(2).u8(3),
                        ErrorCode.MALFORMED),
                bad("the same key twice", new Body().magic().u8(1).str("*").u32(1).u8(1).u8(2).key(KEY_A).key(KEY_A).u8(0), ErrorCode.MALFORMED),
                bad("signature count above the limit, no signatures after it", new Body().magic().u8(1).str("*").u32(1).u8(1).u8(1)
                        .key(KEY_A).u8(ProtocolLimits.MAX_ROTATION_SIGNATURES + 1), ErrorCode.MALFORMED),
                bad("signature length 0", new Body().magic().u8(1).str("*").u32(1).u8(1).u8(1).key(KEY_A).u8(1)
                        .bytes(new byte[32]).u16(0), ErrorCode.MALFORMED),
                bad("signature length above the limit", new Body().magic().u8(1).str("*").u32(1).u8(1).u8(1).key(KEY_A).u8(1)
                        .bytes(new byte[32]).u16(ProtocolLimits.MAX_SIGNATURE_BYTES + 1), ErrorCode.MALFORMED),
                bad("two signatures by one key", new Body().magic().u8(1).str("*").u32(1).u8(1).u8(1).key(KEY_A).u8(2)
                        .bytes(new byte[32]).u16(1).u8(7).bytes(new byte[32]).u16(1).u8(8), ErrorCode.MALFORMED),
                bad("above MAX_KEY_ROTATION_BYTES", new Body().bytes(new byte[ProtocolLimits.MAX_KEY_ROTATION_BYTES + 1]), ErrorCode.MALFORMED));
    }

    private static Arguments bad(String name, Body body, ErrorCode code) {
        return Arguments.of(name, body.toByteArray(), code);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notCanonical")
    void shouldRefuseWhatIsNotCanonical(String name, byte[] bytes, ErrorCode code) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> SignedKeyRotation.decode(bytes));
        assertEquals(code, e.code(), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void shouldHoldTheLongestValidRotationWithinItsLimit() {
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < ProtocolLimits.MAX_ROTATION_KEYS; i++) {
            keys.add(filled(ProtocolLimits.MAX_ROTATION_KEY_BYTES, i));
        }
        List<SignedRelease.Signature> signatures = new ArrayList<>();
        for (int i = 0; i < ProtocolLimits.MAX_ROTATION_SIGNATURES; i++) {
            signatures.add(new SignedRelease.Signature(Sha256.digest(new byte[]{(byte) i}), new byte[ProtocolLimits.MAX_SIGNATURE_BYTES]));
        }
        String scope = "x".repeat(ProtocolLimits.MAX_LABEL_BYTES);
        byte[] longest = new SignedKeyRotation(new KeyRotation(scope, KeyRotation.MAX_SEQUENCE, keys.size(), keys), signatures).encode();

        assertTrue(longest.length <= ProtocolLimits.MAX_KEY_ROTATION_BYTES, longest.length + " bytes");
        assertTrue(ProtocolLimits.MAX_KEY_ROTATION_BYTES < ProtocolLimits.MAX_FRAME_BYTES, "it fits one frame");
        KeyRotation back = SignedKeyRotation.decode(longest).rotation();
        assertEquals(KeyRotation.MAX_SEQUENCE, back.sequence(), "a u32 sequence, read unsigned");
        assertEquals(scope, back.scope());
    }

    @Test
    void shouldRefuseToBuildWhatTheDecoderWouldRefuse() {
        assertThrows(IllegalArgumentException.class, () -> new KeyRotation("*", 0, 1, List.of(KEY_A)));
        assertThrows(IllegalArgumentException.class, () -> new KeyRotation("*", KeyRotation.MAX_SEQUENCE + 1, 1, List.of(KEY_A)));
        assertThrows(IllegalArgumentException.class, () -> new KeyRotation("*", 1, 2, List.of(KEY_A)));
        assertThrows(IllegalArgumentException.class, () -> new KeyRotation("*", 1, 1, List.of(KEY_A, KEY_A.clone())));
        assertThrows(IllegalArgumentException.class, () -> new KeyRotation("", 1, 1, List.of(KEY_A)));
        SignedRelease.Signature s = new SignedRelease.Signature(Sha256.digest(KEY_A), filled(64, 1));
        assertThrows(IllegalArgumentException.class, () -> new SignedKeyRotation(ROTATION, List.of(s, s)));
        assertThrows(IllegalArgumentException.class, () -> signed(0).with(s).with(s));
    }

    /** Bytes built field by field, big-endian. */
    private static final class Body {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Body magic() {
            return u32(0x534B5254);
        }

        Body u8(int v) {
            out.write(v);
            return this;
        }

        Body u16(int v) {
            return u8(v >>> 8).u8(v);
        }

        Body u32(int v) {
            return u16(v >>> 16).u16(v);
        }

        Body bytes(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        Body str(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            return u16(utf8.length).bytes(utf8);
        }

        Body key(byte[] key) {
            return u16(key.length).bytes(key);
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }
}
