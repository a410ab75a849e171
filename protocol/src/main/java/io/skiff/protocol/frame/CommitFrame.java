package io.skiff.protocol.frame;

import io.skiff.protocol.Sha256;

/** All wanted chunks were sent: verify and activate this release. */
public record CommitFrame(Sha256 releaseId) implements Frame {
    @Override
    public FrameType type() {
        return FrameType.COMMIT;
    }
}
