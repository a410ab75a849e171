package io.skiff.protocol;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * What a publisher signs for one release: which release ({@link #releaseId()}, the hash of its
 * canonical manifest) is which channel's which version, in which place of the channel's order
 * ({@link #sequence()}, only growing per channel: a receiver refuses a lower or equal one with other
 * content, i.e. a rollback), until when ({@link #expiresAtMillis()}: a receiver refuses it after that, so
 * a mirror cannot freeze a server on an old release forever), and whether the publisher means it to
 * replace a newer one ({@link #allowDowngrade()}). The channel in the statement stops a release signed
 * for one channel from being activated on another (mix-and-match).
 *
 * <p>Canonical bytes, the ones signed (all integers big-endian):
 * <pre>
 * magic u32 "SKSG" · format u8 (1) · channel str16 · version str16 · release id (32 bytes)
 * · sequence u64 · expires at u64 (milliseconds since the epoch) · flags u8 (bit 0: allow downgrade; others 0)
 * </pre>
 * The magic keeps a signature over these bytes from being taken for one over anything else the key signs.
 */
public record ReleaseStatement(String channel, String version, Sha256 releaseId, long sequence, long expiresAtMillis,
                               boolean allowDowngrade) {
    static final int MAGIC = 0x534B5347; // "SKSG"
    static final int FORMAT = 1;
    private static final int FLAG_ALLOW_DOWNGRADE = 1;

    public ReleaseStatement {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(releaseId, "releaseId");
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence " + sequence + " is negative");
        }
        if (expiresAtMillis <= 0) {
            throw new IllegalArgumentException("expiry " + expiresAtMillis + " is not a time");
        }
    }

    /** Whether this statement is about release {@code releaseId} offered as {@code channel} {@code version}. */
    public boolean names(String channel, String version, Sha256 releaseId) {
        return this.channel.equals(channel) && this.version.equals(version) && this.releaseId.equals(releaseId);
    }

    /** The bytes a signature is over. */
    public byte[] canonicalBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(96 + channel.length() + version.length());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeByte(FORMAT);
            CanonicalStrings.write(out, channel);
            CanonicalStrings.write(out, version);
            out.write(releaseId.toBytes());
            out.writeLong(sequence);
            out.writeLong(expiresAtMillis);
            out.writeByte(allowDowngrade ? FLAG_ALLOW_DOWNGRADE : 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    /** Reads one statement from {@code in} (which may hold more after it); anything not canonical is MALFORMED. */
    static ReleaseStatement read(ByteBuffer in) {
        try {
            if (in.getInt() != MAGIC) {
                throw new ProtocolException(ErrorCode.MALFORMED, "not a skiff release statement (bad magic)");
            }
            int format = in.get() & 0xff;
            if (format != FORMAT) {
                throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, "release statement format=" + format + ", supported=" + FORMAT);
            }
            String channel = CanonicalStrings.read(in, ProtocolLimits.MAX_LABEL_BYTES, ErrorCode.MALFORMED);
            String version = CanonicalStrings.read(in, ProtocolLimits.MAX_LABEL_BYTES, ErrorCode.MALFORMED);
            if ((channel + version).chars().anyMatch(Character::isISOControl)) { // they go into refusal messages and logs
                throw new ProtocolException(ErrorCode.MALFORMED, "a release statement's channel or version has a control character");
            }
            byte[] id = new byte[Sha256.BYTES];
            in.get(id);
            long sequence = in.getLong();
            long expires = in.getLong();
            int flags = in.get() & 0xff;
            if (sequence < 0 || expires <= 0) {
                throw new ProtocolException(ErrorCode.MALFORMED, "release statement sequence " + Long.toUnsignedString(sequence)
                        + " or expiry " + Long.toUnsignedString(expires) + " out of range");
            }
            if ((flags & ~FLAG_ALLOW_DOWNGRADE) != 0) {
                throw new ProtocolException(ErrorCode.MALFORMED, "release statement flags 0x" + Integer.toHexString(flags) + " unknown");
            }
            return new ReleaseStatement(channel, version, Sha256.of(id), sequence, expires, flags == FLAG_ALLOW_DOWNGRADE);
        } catch (BufferUnderflowException e) {
            throw new ProtocolException(ErrorCode.MALFORMED, "release statement truncated at byte " + in.position());
        }
    }
}
