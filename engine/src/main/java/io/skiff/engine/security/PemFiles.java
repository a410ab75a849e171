package io.skiff.engine.security;

import io.skiff.protocol.StorageException;
import io.skiff.protocol.UsageException;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.util.io.pem.PemGenerationException;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * PEM files of certificates and PKCS#8 private keys, as OpenSSL and Netty's {@code SslContextBuilder}
 * read them. A private key file is created 0600 before a byte is written, and never replaced.
 */
final class PemFiles {
    private PemFiles() {
    }

    static void writeCertificate(Path file, X509Certificate certificate) {
        write(file, pem(certificate), false);
    }

    /** PKCS#8 ("BEGIN PRIVATE KEY"), unencrypted: what Netty reads (it does not read SEC1 "EC PRIVATE KEY"). */
    static void writePrivateKey(Path file, PrivateKey key) {
        try {
            write(file, pem(new JcaPKCS8Generator(key, null)), true);
        } catch (PemGenerationException e) {
            throw new IllegalStateException("cannot encode the private key as PKCS#8", e);
        }
    }

    /** X.509 SubjectPublicKeyInfo ("BEGIN PUBLIC KEY"). */
    static void writePublicKey(Path file, java.security.PublicKey key) {
        write(file, pem(key), false);
    }

    /** The PEM object in {@code file} as BouncyCastle parsed it (a public key is a SubjectPublicKeyInfo). */
    static Object read(Path file) {
        return readObject(file);
    }

    static X509Certificate readCertificate(Path file) {
        Object o = readObject(file);
        try {
            if (o instanceof X509CertificateHolder holder) {
                return new JcaX509CertificateConverter().getCertificate(holder);
            }
        } catch (GeneralSecurityException e) {
            throw new UsageException(file + " is not a usable certificate: " + e.getMessage());
        }
        throw new UsageException(file + " holds no PEM certificate");
    }

    static PrivateKey readPrivateKey(Path file) {
        Object o = readObject(file);
        try {
            if (o instanceof PrivateKeyInfo info) {
                return new JcaPEMKeyConverter().getPrivateKey(info);
            }
        } catch (IOException e) {
            throw new UsageException(file + " is not a usable private key: " + e.getMessage());
        }
        throw new UsageException(file + " holds no PEM private key (PKCS#8, \"BEGIN PRIVATE KEY\")");
    }

    private static Object readObject(Path file) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(r)) {
            return parser.readObject();
        } catch (NoSuchFileException e) {
            throw new UsageException(file + ": no such file");
        } catch (IOException e) {
            throw new StorageException("read", file, e);
        }
    }

    private static String pem(Object o) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
            w.writeObject(o);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + o.getClass().getSimpleName() + " as PEM", e);
        }
        return text.toString();
    }

    private static void write(Path file, String text, boolean secret) {
        try {
            if (secret && file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(file);
            }
            Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        } catch (FileAlreadyExistsException e) {
            throw new UsageException(file + " exists: keys are never overwritten");
        } catch (IOException e) {
            throw new StorageException("write", file, e);
        }
    }
}
