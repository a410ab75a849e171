package io.skiff.protocol.frame;

import io.skiff.protocol.Sha256;

/** The release is verified and is now the channel's current release. */
public record ActivatedFrame(Sha256 releaseId, int chunksReceived, int chunksCopiedLocally) implements Frame {
    @Override
    public FrameType type() {
        return FrameType.ACTIVATED;
    }
}
