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
 * A {@link KeyRotation} and the signatures over its canonical bytes: those of the key set it replaces and
 * those of its own new keys. It travels in a ROTATION frame and is kept as a file (the statement file of
 * {@code skiff keys rotate}, to which each key holder adds a signature, and a receiver's
 * {@code ROOT/trust/<scope>/<sequence>.rotation}).
 *
 * <p>Encoding: the rotation's canonical bytes · signature count u8 (0..{@value ProtocolLimits#MAX_ROTATION_SIGNATURES}:
 * a statement not signed yet has none) · per signature: key id (32 bytes: SHA-256 of the public key's X.509
 * SubjectPublicKeyInfo encoding) · signature length u16 (1..{@value ProtocolLimits#MAX_SIGNATURE_BYTES}) · signature
 * bytes. Key ids are distinct; nothing follows.
 */
public record SignedKeyRotation(KeyRotation rotation, List<SignedRelease.Signature> signatures) {
    public SignedKeyRotation {
        Objects.requireNonNull(rotation, "rotation");
        signatures = List.copyOf(signatures);
        if (signatures.size() > ProtocolLimits.MAX_ROTATION_SIGNATURES) {
            throw new IllegalArgumentException(signatures.size() + " signatures: at most " + ProtocolLimits.MAX_ROTATION_SIGNATURES);
        }
        Set<Sha256> keys = new HashSet<>();
        for (SignedRelease.Signature s : signatures) {
            if (!keys.add(s.keyId())) {
                throw new IllegalArgumentException("two signatures by key " + s.keyId().shortHex());
            }
        }
    }

    /** Whether key {@code keyId} has signed (validly or not: checking is the receiver's). */
    public boolean signedBy(Sha256 keyId) {
        return signatures.stream().anyMatch(s -> s.keyId().equals(keyId));
    }

    /** This rotation with {@code signature} added. */
    public SignedKeyRotation with(SignedRelease.Signature signature) {
        List<SignedRelease.Signature> more = new ArrayList<>(signatures);
        more.add(signature);
        return new SignedKeyRotation(rotation, more);
    }

    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(rotation.canonicalBytes());
            out.writeByte(signatures.size());
            SignedRelease.Signature.writeList(out, signatures);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    /** Decodes exactly {@code data}; anything else than {@link #encode()}'s output is a {@link ProtocolException}. */
    public static SignedKeyRotation decode(byte[] data) {
        if (data.length > ProtocolLimits.MAX_KEY_ROTATION_BYTES) {
            throw new ProtocolException(ErrorCode.MALFORMED, "key rotation of " + data.length + " bytes exceeds "
                    + ProtocolLimits.MAX_KEY_ROTATION_BYTES);
        }
        ByteBuffer in = ByteBuffer.wrap(data);
        KeyRotation rotation = KeyRotation.read(in);
        try {
            int count = in.get() & 0xff;
            if (count > ProtocolLimits.MAX_ROTATION_SIGNATURES) {
                throw new ProtocolException(ErrorCode.MALFORMED, count + " signatures on a key rotation: at most "
                        + ProtocolLimits.MAX_ROTATION_SIGNATURES);
            }
            List<SignedRelease.Signature> signatures = SignedRelease.Signature.readList(in, count);
            if (in.hasRemaining()) {
                throw new ProtocolException(ErrorCode.MALFORMED, in.remaining() + " trailing bytes after the key rotation's signatures");
            }
            return new SignedKeyRotation(rotation, signatures);
        } catch (BufferUnderflowException e) {
            throw new ProtocolException(ErrorCode.MALFORMED, "key rotation truncated at byte " + in.position());
        }
    }
}
