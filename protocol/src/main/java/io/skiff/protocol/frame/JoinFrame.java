package io.skiff.protocol.frame;

import io.skiff.protocol.Sha256;

/**
 * Opens an extra stream of a push with parallel streams: after its HELLO, the connection joins the
 * receiver's transfer of {@code releaseId} of {@code channel}, and carries only CHUNK frames of it.
 */
public record JoinFrame(String channel, Sha256 releaseId) implements Frame {
    @Override
    public FrameType type() {
        return FrameType.JOIN;
    }
}
