package io.skiff.protocol.frame;

/** A decoded frame. Only {@link ChunkFrame} holds a {@code ByteBuf}; its consumer releases it. */
public sealed interface Frame permits SignedFrame, RotationFrame, AuditHeadFrame, HelloFrame, OfferFrame, OfferReplyFrame, ManifestPartFrame, WantFrame,
        ChunkFrame, CommitFrame, ActivatedFrame, ErrorFrame, BaseFrame, RefetchFrame,
        FollowFrame, RelayFrame, RelayStatusFrame, FollowWaitFrame, JoinFrame {
    FrameType type();
}
