package io.skiff.engine.security;

import io.skiff.engine.api.IssuedIdentity;
import io.skiff.protocol.StorageException;
import io.skiff.protocol.UsageException;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Keys for a deployment without a PKI ({@code skiff keys init|issue}): a CA of its own, and node
 * identities it signs. A node's identity is its certificate's common name, also its DNS SAN.
 *
 * <pre>
 * DIR/ca.pem       the CA certificate: what every node trusts
 * DIR/ca-key.pem   the CA's private key (0600): only where identities are issued
 * DIR/cert.pem     this node's certificate, signed by the CA
 * DIR/key.pem      this node's private key (0600)
 * </pre>
 *
 * Keys are EC P-256 (what TLS 1.3 stacks, BoringSSL and the JDK's, handle fastest), certificates
 * X.509 v3 signed with SHA-256/ECDSA; Bouncy Castle builds them, the JDK's providers make the keys and
 * signatures, so no provider needs registering. Nothing is ever overwritten: a directory that already
 * holds any of the files is refused, so a second {@code init} cannot replace a deployment's CA.
 */
public final class DeploymentKeys {
    public static final String CA_CERT = "ca.pem";
    public static final String CA_KEY = "ca-key.pem";
    public static final String CERT = "cert.pem";
    public static final String KEY = "key.pem";
    /** The identity {@code skiff keys init} gives its first node. */
    public static final String FIRST_IDENTITY = "skiff-node";
    /** A CA outlives many node certificates; a node certificate is rolled (issue it again) well before. */
    static final Duration CA_VALIDITY = Duration.ofDays(3650);
    static final Duration NODE_VALIDITY = Duration.ofDays(825);
    /** An identity is a DNS label sequence: what a SAN can carry and a grant can name. */
    private static final Pattern IDENTITY = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*");
    private static final SecureRandom RANDOM = new SecureRandom();

    private DeploymentKeys() {
    }

    /** Writes a new CA and the identity {@value #FIRST_IDENTITY} into {@code dir} (created if missing). */
    public static IssuedIdentity init(Path dir) {
        refuseExisting(dir, List.of(CA_CERT, CA_KEY, CERT, KEY));
        Instant now = Instant.now();
        KeyPair caKeys = newKeyPair();
        X509Certificate ca = caCertificate(caKeys, now);
        PemFiles.writePrivateKey(dir.resolve(CA_KEY), caKeys.getPrivate());
        PemFiles.writeCertificate(dir.resolve(CA_CERT), ca);
        X509Certificate node = writeNode(dir, FIRST_IDENTITY, ca, caKeys.getPrivate(), now.minus(Duration.ofMinutes(5)),
                now.plus(NODE_VALIDITY));
        return new IssuedIdentity(FIRST_IDENTITY, dir, node.getNotAfter().toInstant(), Fingerprints.sha256(ca));
    }

    /**
     * Writes identity {@code name}, signed by the CA in {@code caDir}, into {@code outDir}: its
     * {@value #CERT} and {@value #KEY}, and a copy of {@value #CA_CERT} (not the CA's key).
     */
    public static IssuedIdentity issue(Path caDir, String name, Path outDir) {
        Instant now = Instant.now();
        return issue(caDir, name, outDir, now.minus(Duration.ofMinutes(5)), now.plus(NODE_VALIDITY));
    }

    /**
     * {@link #issue(Path, String, Path)} with a validity of the caller's choosing: for drills of rolling
     * certificates, and tests of expired ones.
     */
    public static IssuedIdentity issue(Path caDir, String name, Path outDir, Instant notBefore, Instant notAfter) {
        if (name == null || name.length() > 253 || !IDENTITY.matcher(name).matches()) {
            throw new UsageException("--name " + name + ": an identity is letters, digits, '-' and '.' (a DNS name)");
        }
        X509Certificate ca = PemFiles.readCertificate(caDir.resolve(CA_CERT));
        PrivateKey caKey = PemFiles.readPrivateKey(caDir.resolve(CA_KEY));
        refuseExisting(outDir, List.of(CERT, KEY));
        X509Certificate node = writeNode(outDir, name, ca, caKey, notBefore, notAfter);
        Path caCopy = outDir.resolve(CA_CERT);
        if (!Files.exists(caCopy)) {
            PemFiles.writeCertificate(caCopy, ca);
        } else if (!PemFiles.readCertificate(caCopy).equals(ca)) {
            throw new UsageException(caCopy + " is the certificate of another CA");
        }
        return new IssuedIdentity(name, outDir, node.getNotAfter().toInstant(), Fingerprints.sha256(ca));
    }

    /** A new key pair for identity {@code name}: {@value #KEY} and {@value #CERT} (signed by {@code ca}) in {@code dir}. */
    private static X509Certificate writeNode(Path dir, String name, X509Certificate ca, PrivateKey caKey, Instant notBefore,
                                             Instant notAfter) {
        KeyPair keys = newKeyPair();
        X509Certificate cert = nodeCertificate(name, keys, ca, caKey, notBefore, notAfter);
        PemFiles.writePrivateKey(dir.resolve(KEY), keys.getPrivate());
        PemFiles.writeCertificate(dir.resolve(CERT), cert);
        return cert;
    }

    private static X509Certificate nodeCertificate(String name, KeyPair keys, X509Certificate ca, PrivateKey caKey, Instant notBefore,
                                                   Instant notAfter) {
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, serial(), Date.from(notBefore),
                    Date.from(notAfter), subject(name), keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, name)))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
            return sign(b, caKey);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot build the certificate of " + name + ": " + e, e);
        }
    }

    private static X509Certificate caCertificate(KeyPair keys, Instant now) {
        try {
            X500Name name = subject("skiff deployment CA " + Long.toHexString(RANDOM.nextLong()));
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minus(Duration.ofMinutes(5))),
                    Date.from(now.plus(CA_VALIDITY)), name, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            return sign(b, keys.getPrivate());
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot build the CA certificate: " + e, e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer) throws GeneralSecurityException {
        try {
            ContentSigner contentSigner = new JcaContentSignerBuilder("SHA256withECDSA").build(signer);
            return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static X500Name subject(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
    }

    /** Positive, 127 random bits: unique without a serial counter to keep. */
    private static BigInteger serial() {
        return new BigInteger(127, RANDOM);
    }

    static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make P-256 keys: " + e, e);
        }
    }

    /** Refuses a directory that holds any of {@code names} (keys are never overwritten); makes it otherwise. */
    static void refuseExisting(Path dir, List<String> names) {
        for (String name : names) {
            if (Files.exists(dir.resolve(name))) {
                throw new UsageException(dir + " already holds " + name + ": keys are never overwritten (remove them, or choose another directory)");
            }
        }
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            throw new UsageException(dir + " is not a directory");
        } catch (IOException e) {
            throw new StorageException("create", dir, e);
        }
    }
}
