package io.skiff.engine.api;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a node's TLS key material lives, as PEM files: the deployment's CA certificate (what peers'
 * certificates must chain to), this node's certificate (its identity is the common name) and its
 * private key (PKCS#8). {@code skiff keys init|issue} writes all three into one directory.
 */
public record TlsFiles(Path ca, Path cert, Path key) {
    public static final String CA_FILE = "ca.pem";
    public static final String CERT_FILE = "cert.pem";
    public static final String KEY_FILE = "key.pem";

    public TlsFiles {
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(cert, "cert");
        Objects.requireNonNull(key, "key");
    }

    /** {@code dir/ca.pem}, {@code dir/cert.pem}, {@code dir/key.pem}: what {@code skiff keys} writes. */
    public static TlsFiles inDir(Path dir) {
        return new TlsFiles(dir.resolve(CA_FILE), dir.resolve(CERT_FILE), dir.resolve(KEY_FILE));
    }
}
