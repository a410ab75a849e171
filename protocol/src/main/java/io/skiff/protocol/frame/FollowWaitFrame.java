package io.skiff.protocol.frame;

import io.skiff.protocol.ProtocolLimits;
import io.skiff.protocol.Sha256;

import java.util.Objects;

/**
 * A follower asks an origin for the current release of {@code channel}, saying which release it holds
 * and that it is willing to wait: the origin answers as a sender at once if its current release differs
 * from {@code held}, otherwise when it changes or after at most {@code maxWaitSeconds} (a long poll).
 *
 * @param held           the release the follower holds, or null for none (32 zero bytes on the wire)
 * @param maxWaitSeconds 0..{@link ProtocolLimits#MAX_FOLLOW_WAIT_SECONDS}; 0 asks for an answer at once, like FOLLOW
 */
public record FollowWaitFrame(String channel, Sha256 held, int maxWaitSeconds) implements Frame {
    public FollowWaitFrame {
        Objects.requireNonNull(channel, "channel");
        if (maxWaitSeconds < 0 || maxWaitSeconds > ProtocolLimits.MAX_FOLLOW_WAIT_SECONDS) {
            throw new IllegalArgumentException("maxWaitSeconds=" + maxWaitSeconds + " outside 0.." + ProtocolLimits.MAX_FOLLOW_WAIT_SECONDS);
        }
    }

    @Override
    public FrameType type() {
        return FrameType.FOLLOW_WAIT;
    }
}
