package io.skiff.engine.security;

import io.skiff.protocol.Sha256;
import io.skiff.protocol.UsageException;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.List;

/**
 * A publisher's Ed25519 signing keys: {@value #PRIVATE_FILE} (PKCS#8, 0600) signs releases,
 * {@value #PUBLIC_FILE} (X.509 SubjectPublicKeyInfo) is what receivers trust. A key is named by its
 * key id, the SHA-256 of that public key encoding. Signing and checking go through the JDK's
 * {@code Signature}; Bouncy Castle only reads and writes the PEM files (and derives the public key from a
 * private key file, which the JDK cannot).
 */
public final class SigningKeys {
    public static final String PRIVATE_FILE = "signing-key.pem";
    public static final String PUBLIC_FILE = "signing-pub.pem";
    static final String ALGORITHM = "Ed25519";

    private SigningKeys() {
    }

    /** A private signing key with its public key and key id: what signing a release needs. */
    public record Publisher(PrivateKey privateKey, PublicKey publicKey, Sha256 keyId) {
    }

    /** Writes a new key pair into {@code dir} (made if missing); never overwrites. Returns the new key's id. */
    public static Sha256 generate(Path dir) {
        KeyPair pair;
        try {
            pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make Ed25519 keys: " + e, e);
        }
        DeploymentKeys.refuseExisting(dir, List.of(PRIVATE_FILE, PUBLIC_FILE));
        PemFiles.writePrivateKey(dir.resolve(PRIVATE_FILE), pair.getPrivate());
        PemFiles.writePublicKey(dir.resolve(PUBLIC_FILE), pair.getPublic());
        return keyId(pair.getPublic());
    }

    /** The private key in {@code file}, with its public key derived from it. */
    public static Publisher readPrivate(Path file) {
        Object pem = PemFiles.read(file);
        if (!(pem instanceof PrivateKeyInfo info)) {
            throw new UsageException(file + " holds no PEM private key (PKCS#8, \"BEGIN PRIVATE KEY\"); skiff keys gen-signing writes one");
        }
        try {
            AsymmetricKeyParameter parameters = PrivateKeyFactory.createKey(info);
            if (!(parameters instanceof Ed25519PrivateKeyParameters ed25519)) {
                throw new UsageException(file + " is not an Ed25519 key; skiff keys gen-signing writes one");
            }
            SubjectPublicKeyInfo publicInfo = SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(ed25519.generatePublicKey());
            KeyFactory keys = KeyFactory.getInstance(ALGORITHM);
            PrivateKey privateKey = keys.generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
            PublicKey publicKey = keys.generatePublic(new X509EncodedKeySpec(publicInfo.getEncoded()));
            return new Publisher(privateKey, publicKey, keyId(publicKey));
        } catch (IOException | GeneralSecurityException e) {
            throw new UsageException(file + " is not a usable Ed25519 key: " + e.getMessage());
        }
    }

    /** The public key in {@code file}: one a receiver trusts. */
    public static PublicKey readPublic(Path file) {
        Object pem = PemFiles.read(file);
        if (!(pem instanceof SubjectPublicKeyInfo info)) {
            throw new UsageException(file + " holds no PEM public key (\"BEGIN PUBLIC KEY\"); skiff keys gen-signing writes one as "
                    + PUBLIC_FILE);
        }
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(info.getEncoded()));
        } catch (IOException | GeneralSecurityException e) {
            throw new UsageException(file + " is not an Ed25519 public key: " + e.getMessage());
        }
    }

    /** The Ed25519 public key whose X.509 SubjectPublicKeyInfo encoding is {@code spki}; null when it is not one. */
    static PublicKey publicKey(byte[] spki) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(spki));
        } catch (GeneralSecurityException e) {
            return null;
        }
    }

    /** The SHA-256 of the key's X.509 SubjectPublicKeyInfo encoding. */
    public static Sha256 keyId(PublicKey key) {
        return Sha256.digest(key.getEncoded());
    }

    static byte[] sign(PrivateKey key, byte[] data) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(key);
            s.update(data);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with an Ed25519 key: " + e, e);
        }
    }

    /** False for a signature that does not verify, including one that is not even well-formed. */
    static boolean verifies(PublicKey key, byte[] data, byte[] signature) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(data);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
