package io.skiff.protocol;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A {@link ReleaseStatement} and the publishers' signatures over its canonical bytes: what travels with
 * a manifest from the publisher through relays and origins to every receiver, each of which checks it
 * against its own trusted keys (a mirror can forward it, not make one).
 *
 * <p>Encoding: the statement's canonical bytes · signature count u8 (1..{@value ProtocolLimits#MAX_SIGNATURES})
 * · per signature: key id (32 bytes: SHA-256 of the public key's X.509 SubjectPublicKeyInfo encoding)
 * · signature length u16 (1..{@value ProtocolLimits#MAX_SIGNATURE_BYTES}) · signature bytes. Key ids are
 * distinct; nothing follows.
 */
public record SignedRelease(ReleaseStatement statement, List<Signature> signatures) {
    /** One publisher key's signature. */
    public record Signature(Sha256 keyId, byte[] bytes) {
        public Signature {
            Objects.requireNonNull(keyId, "keyId");
            bytes = bytes.clone();
            if (bytes.length == 0 || bytes.length > ProtocolLimits.MAX_SIGNATURE_BYTES) {
                throw new IllegalArgumentException("signature of " + bytes.length + " bytes");
            }
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        /** Writes {@code signatures} as they travel: per signature its key id, a u16 length and the bytes (after the count). */
        static void writeList(DataOutputStream out, List<Signature> signatures) throws IOException {
            for (Signature s : signatures) {
                out.write(s.keyId().toBytes());
                out.writeShort(s.bytes.length);
                out.write(s.bytes);
            }
        }

        /**
         * Reads {@code count} signatures written by {@link #writeList}; MALFORMED for a length out of 1..MAX_SIGNATURE_BYTES
         * or a key that signed twice, {@link BufferUnderflowException} (checked before allocating) for one cut short.
         */
        static List<Signature> readList(ByteBuffer in, int count) {
            List<Signature> signatures = new ArrayList<>(count);
            Set<Sha256> keys = new HashSet<>();
            for (int i = 0; i < count; i++) {
                byte[] id = new byte[Sha256.BYTES];
                in.get(id);
                int length = in.getShort() & 0xffff;
                if (length == 0 || length > ProtocolLimits.MAX_SIGNATURE_BYTES) {
                    throw new ProtocolException(ErrorCode.MALFORMED, "signature of " + length + " bytes: 1.." + ProtocolLimits.MAX_SIGNATURE_BYTES);
                }
                if (length > in.remaining()) {
                    throw new BufferUnderflowException();
                }
                byte[] sig = new byte[length];
                in.get(sig);
                Sha256 keyId = Sha256.of(id);
                if (!keys.add(keyId)) {
                    throw new ProtocolException(ErrorCode.MALFORMED, "two signatures by key " + keyId.shortHex());
                }
                signatures.add(new Signature(keyId, sig));
            }
            return signatures;
        }

        // by the signature's bytes, not the array's identity
        @Override
        public boolean equals(Object o) {
            return o instanceof Signature other && keyId.equals(other.keyId) && java.util.Arrays.equals(bytes, other.bytes);
        }

        @Override
        public int hashCode() {
            return 31 * keyId.hashCode() + java.util.Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Signature[key " + keyId.shortHex() + ", " + bytes.length + " bytes]";
        }
    }

    public SignedRelease {
        Objects.requireNonNull(statement, "statement");
        signatures = List.copyOf(signatures);
        if (signatures.isEmpty() || signatures.size() > ProtocolLimits.MAX_SIGNATURES) {
            throw new IllegalArgumentException(signatures.size() + " signatures: 1.." + ProtocolLimits.MAX_SIGNATURES);
        }
        Set<Sha256> keys = new HashSet<>();
        for (Signature s : signatures) {
            if (!keys.add(s.keyId())) {
                throw new IllegalArgumentException("two signatures by key " + s.keyId().shortHex());
            }
        }
    }

    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(statement.canonicalBytes());
            out.writeByte(signatures.size());
            Signature.writeList(out, signatures);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    /** Decodes exactly {@code data}; anything else than {@link #encode()}'s output is a {@link ProtocolException}. */
    public static SignedRelease decode(byte[] data) {
        if (data.length > ProtocolLimits.MAX_SIGNED_RELEASE_BYTES) {
            throw new ProtocolException(ErrorCode.MALFORMED, "signed release of " + data.length + " bytes exceeds "
                    + ProtocolLimits.MAX_SIGNED_RELEASE_BYTES);
        }
        ByteBuffer in = ByteBuffer.wrap(data);
        ReleaseStatement statement = ReleaseStatement.read(in);
        try {
            int count = in.get() & 0xff;
            if (count == 0 || count > ProtocolLimits.MAX_SIGNATURES) {
                throw new ProtocolException(ErrorCode.MALFORMED, count + " signatures: 1.." + ProtocolLimits.MAX_SIGNATURES);
            }
            List<Signature> signatures = Signature.readList(in, count);
            if (in.hasRemaining()) {
                throw new ProtocolException(ErrorCode.MALFORMED, in.remaining() + " trailing bytes after the signatures");
            }
            return new SignedRelease(statement, signatures);
        } catch (BufferUnderflowException e) {
            throw new ProtocolException(ErrorCode.MALFORMED, "signed release truncated at byte " + in.position());
        }
    }
}
