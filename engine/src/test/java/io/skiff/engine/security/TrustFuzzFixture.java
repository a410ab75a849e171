package io.skiff.engine.security;

import io.skiff.protocol.ReleaseStatement;
import io.skiff.protocol.Sha256;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Arrays;

/**
 * The receiver {@link ReleaseTrustFuzzTest} checks as, and the keys its seeds are signed with
 * ({@link io.skiff.engine.encode.EngineFuzzSeeds}). The keys come from fixed secrets instead of the
 * system's randomness, so a signature written into the seed corpus once verifies in every later run;
 * anyone can make them, so they are for tests only.
 */
public final class TrustFuzzFixture {
    /** The one key the receiver trusts, for every channel. */
    public static final SigningKeys.Publisher TRUSTED = publisher((byte) 1);
    /** A key the receiver does not trust. */
    public static final SigningKeys.Publisher STRANGER = publisher((byte) 2);
    /** The channel's active release on the receiver, signed with sequence 41. */
    public static final ReleaseStatement ACTIVE = new ReleaseStatement("icd10cm", "2026-01",
            Sha256.digest("active release".getBytes(StandardCharsets.UTF_8)), 41, Instant.parse("2027-01-01T00:00:00Z").toEpochMilli(), false);
    /** The receiver's clock. */
    public static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

    private TrustFuzzFixture() {
    }

    /** The publisher whose 32-byte Ed25519 secret is {@code secretByte} repeated. */
    private static SigningKeys.Publisher publisher(byte secretByte) {
        byte[] secret = new byte[Ed25519PrivateKeyParameters.KEY_SIZE];
        Arrays.fill(secret, secretByte);
        Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(secret, 0);
        try {
            KeyFactory keys = KeyFactory.getInstance(SigningKeys.ALGORITHM);
            PrivateKey privateKey = keys.generatePrivate(new PKCS8EncodedKeySpec(PrivateKeyInfoFactory.createPrivateKeyInfo(key).getEncoded()));
            PublicKey publicKey = keys.generatePublic(new X509EncodedKeySpec(
                    SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(key.generatePublicKey()).getEncoded()));
            return new SigningKeys.Publisher(privateKey, publicKey, SigningKeys.keyId(publicKey));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot read an Ed25519 key: " + e, e);
        }
    }
}
