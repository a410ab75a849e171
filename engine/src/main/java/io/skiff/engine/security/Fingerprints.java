package io.skiff.engine.security;

import io.skiff.protocol.Sha256;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;

/** How an operator compares certificates by eye: the SHA-256 of the DER encoding, in hex. */
final class Fingerprints {
    private Fingerprints() {
    }

    static String sha256(X509Certificate certificate) {
        try {
            return Sha256.digest(certificate.getEncoded()).hex();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode " + certificate.getSubjectX500Principal(), e);
        }
    }
}
