package io.skiff.protocol.frame;

/** A follower asks an origin for the current release of {@code channel}; the origin answers as a sender. */
public record FollowFrame(String channel) implements Frame {
    @Override
    public FrameType type() {
        return FrameType.FOLLOW;
    }
}
