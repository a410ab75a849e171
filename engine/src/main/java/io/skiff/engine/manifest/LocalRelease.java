package io.skiff.engine.manifest;

import io.skiff.protocol.Manifest;

import java.nio.file.Path;

/**
 * A release whose files are in a local directory: a receiver's retained release or one in the
 * sender's history. What a delta is encoded (sender) or decoded (receiver) against.
 */
public record LocalRelease(Manifest manifest, Path dir) {
}
