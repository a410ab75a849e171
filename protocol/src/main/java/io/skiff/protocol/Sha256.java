package io.skiff.protocol;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/** An immutable SHA-256 digest: a value usable as a map key, rendered as lower-case hex. */
public final class Sha256 implements Comparable<Sha256> {
    public static final int BYTES = 32;

    private final byte[] bytes;

    private Sha256(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Wraps a copy of {@code bytes[offset, offset+32)}. */
    public static Sha256 of(byte[] bytes, int offset) {
        if (offset < 0 || bytes.length - offset < BYTES) {
            throw new IllegalArgumentException("need " + BYTES + " bytes at offset=" + offset + ", length=" + bytes.length);
        }
        return new Sha256(Arrays.copyOfRange(bytes, offset, offset + BYTES));
    }

    public static Sha256 of(byte[] bytes) {
        if (bytes.length != BYTES) {
            throw new IllegalArgumentException("digest length=" + bytes.length + ", expected " + BYTES);
        }
        return new Sha256(bytes.clone());
    }

    public static Sha256 parseHex(String hex) {
        if (hex.length() != 2 * BYTES) {
            throw new IllegalArgumentException("not a SHA-256 hex digest: " + hex);
        }
        return new Sha256(HexFormat.of().parseHex(hex));
    }

    /** SHA-256 of a whole byte array (for small documents such as manifests). */
    public static Sha256 digest(byte[] data) {
        return new Sha256(newDigest().digest(data));
    }

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JRE", e);
        }
    }

    public byte[] toBytes() {
        return bytes.clone();
    }

    public void copyTo(byte[] target, int offset) {
        System.arraycopy(bytes, 0, target, offset, BYTES);
    }

    /** True if this digest equals {@code other[offset, offset+32)}. */
    public boolean matches(byte[] other, int offset) {
        return Arrays.equals(bytes, 0, BYTES, other, offset, offset + BYTES);
    }

    public String hex() {
        return HexFormat.of().formatHex(bytes);
    }

    /** First 12 hex digits, for log lines and tables. */
    public String shortHex() {
        return hex().substring(0, 12);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sha256 other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        // The bytes are uniformly distributed already.
        return (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff);
    }

    @Override
    public int compareTo(Sha256 o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
