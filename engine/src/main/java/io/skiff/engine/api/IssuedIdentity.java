package io.skiff.engine.api;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A node identity written by {@code skiff keys init|issue}.
 *
 * @param identity      the certificate's common name (and DNS SAN): what grants name
 * @param dir           where its {@code ca.pem}, {@code cert.pem} and {@code key.pem} are
 * @param notAfter      when its certificate expires
 * @param caFingerprint SHA-256 of the CA certificate's DER encoding, hex: the same on every node of a deployment
 */
public record IssuedIdentity(String identity, Path dir, Instant notAfter, String caFingerprint) {
}
