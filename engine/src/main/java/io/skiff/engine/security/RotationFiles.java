package io.skiff.engine.security;

import io.skiff.protocol.KeyRotation;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.ProtocolLimits;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SignedKeyRotation;
import io.skiff.protocol.SignedRelease;
import io.skiff.protocol.StorageException;
import io.skiff.protocol.UsageException;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The statement file of an offline key rotation ceremony: {@code skiff keys rotate} writes a
 * {@link SignedKeyRotation} (its protocol encoding) signed by the keys at hand, every other holder adds a
 * signature with {@code skiff keys sign-rotation}, and the publisher pushes it with {@code push --rotation}.
 * A file is replaced whole (temporary file, rename), never left half-signed; a new one never overwrites.
 * Every problem with a file or key named on the command line is a one-line usage error.
 */
public final class RotationFiles {
    private RotationFiles() {
    }

    /**
     * Writes rotation {@code sequence} of {@code scope} to {@code newKeys} (public or private key files:
     * a private one signs too), signed by {@code signKeys} (the current keys' private files at hand), to {@code out}.
     */
    public static SignedKeyRotation create(String scope, long sequence, int threshold, List<Path> newKeys, List<Path> signKeys, Path out) {
        if (Glob.parseOrNull(scope) == null) {
            throw new UsageException("scope '" + scope + "' is not a channel glob (" + Glob.syntax() + "); '*' is every channel");
        }
        if (sequence < 1 || sequence > KeyRotation.MAX_SEQUENCE) {
            throw new UsageException("sequence " + sequence + " outside 1.." + KeyRotation.MAX_SEQUENCE
                    + " (1 for the first rotation from the configured keys, then one more each time)");
        }
        Map<Sha256, PublicKey> keys = new LinkedHashMap<>();
        List<SigningKeys.Publisher> signers = new ArrayList<>();
        for (Path file : newKeys) {
            PublicKey key;
            if (PemFiles.read(file) instanceof PrivateKeyInfo) {
                SigningKeys.Publisher holder = SigningKeys.readPrivate(file);
                signers.add(holder);
                key = holder.publicKey();
            } else {
                key = SigningKeys.readPublic(file);
            }
            if (keys.put(SigningKeys.keyId(key), key) != null) {
                throw new UsageException(file + " is a new key named twice (key " + SigningKeys.keyId(key).shortHex() + ")");
            }
        }
        if (keys.size() > ProtocolLimits.MAX_ROTATION_KEYS) {
            throw new UsageException(keys.size() + " new keys: at most " + ProtocolLimits.MAX_ROTATION_KEYS);
        }
        if (threshold < 1 || threshold > keys.size()) {
            throw new UsageException("threshold " + threshold + " of " + keys.size() + " new key(s): between 1 and the number of new keys");
        }
        for (Path file : signKeys) {
            signers.add(SigningKeys.readPrivate(file));
        }
        if (Files.exists(out)) {
            throw new UsageException(out + " exists: a rotation statement is never overwritten (skiff keys sign-rotation adds signatures)");
        }
        List<byte[]> encoded = keys.values().stream().map(PublicKey::getEncoded).toList();
        SignedKeyRotation signed = new SignedKeyRotation(new KeyRotation(scope, sequence, threshold, encoded), List.of());
        for (SigningKeys.Publisher signer : signers) {
            if (!signed.signedBy(signer.keyId())) { // a new key given as its private file and as --sign-key signs once
                signed = signed.with(signature(signed.rotation(), signer));
            }
        }
        write(out, signed);
        return signed;
    }

    /** Adds the signatures of {@code signKeys} (private key files) to the rotation in {@code file}. */
    public static SignedKeyRotation sign(Path file, List<Path> signKeys) {
        SignedKeyRotation signed = read(file);
        for (Path key : signKeys) {
            SigningKeys.Publisher signer = SigningKeys.readPrivate(key);
            if (signed.signedBy(signer.keyId())) {
                throw new UsageException(file + " is signed by key " + signer.keyId().shortHex() + " (" + key + ") already");
            }
            if (signed.signatures().size() == ProtocolLimits.MAX_ROTATION_SIGNATURES) {
                throw new UsageException(file + " holds " + ProtocolLimits.MAX_ROTATION_SIGNATURES + " signatures, the most a rotation takes");
            }
            signed = signed.with(signature(signed.rotation(), signer));
        }
        write(file, signed);
        return signed;
    }

    /** The rotation in {@code file}, as {@code skiff keys rotate} wrote it. */
    public static SignedKeyRotation read(Path file) {
        try {
            return SignedKeyRotation.decode(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new UsageException(file + ": no such file");
        } catch (IOException e) {
            throw new StorageException("read", file, e);
        } catch (ProtocolException e) {
            throw new UsageException(file + " is not a key rotation (skiff keys rotate writes one): " + e.getMessage());
        }
    }

    /** The rotations a push sends ({@code push --rotation}), in order: per scope, each one the next of the one before. */
    public static List<SignedKeyRotation> readChain(List<Path> files) {
        if (files.size() > ProtocolLimits.MAX_ROTATIONS) {
            throw new UsageException(files.size() + " rotations: a push sends at most " + ProtocolLimits.MAX_ROTATIONS);
        }
        List<SignedKeyRotation> chain = new ArrayList<>();
        Map<String, Long> last = new HashMap<>();
        for (Path file : files) {
            SignedKeyRotation signed = read(file);
            KeyRotation r = signed.rotation();
            Long before = last.put(r.scope(), r.sequence());
            if (before != null && r.sequence() != before + 1) {
                throw new UsageException(file + " is rotation " + r.sequence() + " of scope " + r.scope() + " after rotation " + before
                        + ": give a scope's rotations in order, each once");
            }
            chain.add(signed);
        }
        return chain;
    }

    /** How many of the rotation's own new keys have signed it validly (the current keys' signatures only receivers can check). */
    public static int validByNewKeys(SignedKeyRotation signed) {
        List<PublicKey> keys = new ArrayList<>();
        for (byte[] key : signed.rotation().keys()) {
            PublicKey k = SigningKeys.publicKey(key);
            if (k != null) {
                keys.add(k);
            }
        }
        if (keys.isEmpty()) {
            return 0;
        }
        return ReleaseTrust.KeySet.of(keys, 1).tally(signed.rotation().canonicalBytes(), signed.signatures()).valid().size();
    }

    private static SignedRelease.Signature signature(KeyRotation rotation, SigningKeys.Publisher signer) {
        return new SignedRelease.Signature(signer.keyId(), SigningKeys.sign(signer.privateKey(), rotation.canonicalBytes()));
    }

    private static void write(Path file, SignedKeyRotation signed) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.write(tmp, signed.encode(), StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE,
                    StandardOpenOption.SYNC);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the write's failure is the one to report
            }
            throw new StorageException("write", file, e);
        }
    }
}
