package io.skiff.engine.api;

import io.skiff.protocol.Manifest;
import io.skiff.protocol.SignedRelease;

import java.util.Objects;

/**
 * A manifest and the publishers' signed statement on it, as {@code skiff manifest --sign-key} makes and
 * saves them (the manifest to {@code FILE}, the statement to {@code FILE.signed}).
 *
 * @param manifest the release's manifest
 * @param signed   the signed statement naming it; null: unsigned
 */
public record SignedManifest(Manifest manifest, SignedRelease signed) {
    public SignedManifest {
        Objects.requireNonNull(manifest, "manifest");
        if (signed != null && !signed.statement().names(manifest.channel(), manifest.version(), manifest.releaseId())) {
            throw new IllegalArgumentException("the statement names " + signed.statement().releaseId().shortHex()
                    + ", not the manifest " + manifest.releaseId().shortHex());
        }
    }
}
