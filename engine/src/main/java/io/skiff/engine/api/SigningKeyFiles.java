package io.skiff.engine.api;

import java.nio.file.Path;

/**
 * A publisher signing key written by {@code skiff keys gen-signing}.
 *
 * @param privateKey the private key (PKCS#8 PEM, 0600): what {@code --sign-key} names, kept by the publisher only
 * @param publicKey  the public key (PEM): what receivers trust ({@code --trust-key}, or per channel in their config)
 * @param keyId      SHA-256 of the public key's X.509 SubjectPublicKeyInfo encoding, hex: how signatures name the key
 */
public record SigningKeyFiles(Path privateKey, Path publicKey, String keyId) {
}
