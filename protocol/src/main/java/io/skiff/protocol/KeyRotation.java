package io.skiff.protocol;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What the holders of a publisher key set sign to hand trust to a new key set, as TUF does for its root:
 * from now on releases of the channels in {@link #scope()} are trusted when signed by {@link #threshold()}
 * of {@link #keys()}. Rotation {@link #sequence()} N replaces key set N-1 (the receiver's configured keys
 * for N = 1), so a receiver takes them one by one, in order; a receiver checks that N is signed by a
 * threshold of set N-1 and by a threshold of its own new keys ({@link SignedKeyRotation}).
 *
 * <p>Canonical bytes, the ones signed (all integers big-endian):
 * <pre>
 * magic u32 "SKRT" · format u8 (1) · scope str16 (a channel glob as the receiver's trust names it; "*": all)
 * · sequence u32 (1..2^32-1) · threshold u8 (1..key count) · key count u8 (1..{@value ProtocolLimits#MAX_ROTATION_KEYS})
 * · per key: length u16 (1..{@value ProtocolLimits#MAX_ROTATION_KEY_BYTES}) · X.509 SubjectPublicKeyInfo DER bytes
 * </pre>
 * Keys are distinct. There is no expiry: a rotation stays true until the next one replaces it. The magic
 * keeps a signature over these bytes from being taken for one over a release statement (SKSG) or anything else.
 */
public record KeyRotation(String scope, long sequence, int threshold, List<byte[]> keys) {
    static final int MAGIC = 0x534B5254; // "SKRT"
    static final int FORMAT = 1;
    /** The largest sequence a u32 holds. */
    public static final long MAX_SEQUENCE = 0xFFFF_FFFFL;

    public KeyRotation {
        Objects.requireNonNull(scope, "scope");
        if (scope.isEmpty()) {
            throw new IllegalArgumentException("empty scope");
        }
        if (sequence < 1 || sequence > MAX_SEQUENCE) {
            throw new IllegalArgumentException("sequence " + sequence + " outside 1.." + MAX_SEQUENCE);
        }
        List<byte[]> copies = new ArrayList<>(keys.size());
        for (byte[] key : keys) {
            copies.add(key.clone());
        }
        keys = List.copyOf(copies);
        String problem = problem(keys, threshold);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** What is wrong with these keys and threshold, or null: the one rule the constructor and the decoder share. */
    private static String problem(List<byte[]> keys, int threshold) {
        if (keys.isEmpty() || keys.size() > ProtocolLimits.MAX_ROTATION_KEYS) {
            return keys.size() + " keys: 1.." + ProtocolLimits.MAX_ROTATION_KEYS;
        }
        for (int i = 0; i < keys.size(); i++) {
            byte[] key = keys.get(i);
            if (key.length == 0 || key.length > ProtocolLimits.MAX_ROTATION_KEY_BYTES) {
                return "key " + (i + 1) + " of " + key.length + " bytes: 1.." + ProtocolLimits.MAX_ROTATION_KEY_BYTES;
            }
            for (int j = 0; j < i; j++) {
                if (Arrays.equals(keys.get(j), key)) {
                    return "keys " + (j + 1) + " and " + (i + 1) + " are the same key";
                }
            }
        }
        if (threshold < 1 || threshold > keys.size()) {
            return "threshold " + threshold + " of " + keys.size() + " key(s): between 1 and the number of keys";
        }
        return null;
    }

    @Override
    public List<byte[]> keys() {
        return keys.stream().map(byte[]::clone).toList();
    }

    /** The key ids of {@link #keys()}: the SHA-256 of each encoding, as signatures name keys. */
    public List<Sha256> keyIds() {
        return keys.stream().map(Sha256::digest).toList();
    }

    /** The bytes a signature is over. */
    public byte[] canonicalBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + scope.length() + 48 * keys.size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeByte(FORMAT);
            CanonicalStrings.write(out, scope);
            out.writeInt((int) sequence);
            out.writeByte(threshold);
            out.writeByte(keys.size());
            for (byte[] key : keys) {
                out.writeShort(key.length);
                out.write(key);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    // by the keys' bytes, not the arrays' identity: two rotations are the same when their canonical bytes are
    @Override
    public boolean equals(Object o) {
        return o instanceof KeyRotation other && scope.equals(other.scope) && sequence == other.sequence
                && threshold == other.threshold && Arrays.deepEquals(keys.toArray(), other.keys.toArray());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(canonicalBytes());
    }

    @Override
    public String toString() {
        return "KeyRotation[scope " + scope + ", sequence " + sequence + ", " + threshold + " of "
                + keyIds().stream().map(Sha256::shortHex).toList() + "]";
    }

    /** Reads one rotation from {@code in} (which may hold more after it); anything not canonical is MALFORMED. */
    static KeyRotation read(ByteBuffer in) {
        try {
            if (in.getInt() != MAGIC) {
                throw new ProtocolException(ErrorCode.MALFORMED, "not a skiff key rotation (bad magic)");
            }
            int format = in.get() & 0xff;
            if (format != FORMAT) {
                throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, "key rotation format=" + format + ", supported=" + FORMAT);
            }
            String scope = CanonicalStrings.read(in, ProtocolLimits.MAX_LABEL_BYTES, ErrorCode.MALFORMED);
            long sequence = in.getInt() & 0xFFFF_FFFFL;
            int threshold = in.get() & 0xff;
            int count = in.get() & 0xff;
            if (scope.isEmpty() || sequence == 0 || count == 0 || count > ProtocolLimits.MAX_ROTATION_KEYS) {
                throw new ProtocolException(ErrorCode.MALFORMED, "key rotation scope '" + scope + "' sequence " + sequence + " with "
                        + count + " keys (1.." + ProtocolLimits.MAX_ROTATION_KEYS + ")");
            }
            List<byte[]> keys = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int length = in.getShort() & 0xffff;
                if (length == 0 || length > ProtocolLimits.MAX_ROTATION_KEY_BYTES) {
                    throw new ProtocolException(ErrorCode.MALFORMED, "key rotation key " + (i + 1) + " of " + length + " bytes: 1.."
                            + ProtocolLimits.MAX_ROTATION_KEY_BYTES);
                }
                if (length > in.remaining()) {
                    throw new BufferUnderflowException();
                }
                byte[] key = new byte[length];
                in.get(key);
                keys.add(key);
            }
            String problem = problem(keys, threshold);
            if (problem != null) {
                throw new ProtocolException(ErrorCode.MALFORMED, "key rotation: " + problem);
            }
            return new KeyRotation(scope, sequence, threshold, keys);
        } catch (BufferUnderflowException e) {
            throw new ProtocolException(ErrorCode.MALFORMED, "key rotation truncated at byte " + in.position());
        }
    }
}
