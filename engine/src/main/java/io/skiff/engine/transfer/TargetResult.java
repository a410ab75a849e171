package io.skiff.engine.transfer;

import io.skiff.protocol.ErrorCode;

/**
 * How one target's push ended.
 *
 * @param activated      the target's current release is now the pushed one
 * @param alreadyActive  it already was: only the handshake crossed the wire
 * @param bytesWire      bytes the sender wrote to this target's socket, framing included
 * @param chunksTotal    chunks in the manifest
 * @param chunksSent     chunks the target asked for and the sender sent
 * @param chunksCopiedLocally chunks the target found on its own disk
 * @param error          null when activated; otherwise a one-line reason with {@code code}
 */
public record TargetResult(String target, boolean activated, boolean alreadyActive, long bytesWire,
                           double seconds, int chunksTotal, int chunksSent, int chunksCopiedLocally,
                           ErrorCode code, String error) {
    public String status() {
        return activated ? "activated" : "failed";
    }
}
