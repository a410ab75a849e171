package io.skiff.protocol.frame;

import java.util.List;
import java.util.Objects;

/**
 * The sender asks the receiver to act as its region's relay: forward the release offered next to
 * {@code targets}, chunk by chunk as each is verified, and report on each with {@link RelayStatusFrame}.
 * Sent after HELLO, before OFFER.
 */
public record RelayFrame(List<Target> targets) implements Frame {
    /**
     * @param address        {@code host:port} as the relay reaches it
     * @param bandwidthLimit bytes per second towards it; 0 for no limit
     */
    public record Target(String address, long bandwidthLimit) {
        public Target {
            Objects.requireNonNull(address, "address");
            if (bandwidthLimit < 0) {
                throw new IllegalArgumentException("bandwidthLimit=" + bandwidthLimit);
            }
        }
    }

    public RelayFrame {
        targets = List.copyOf(targets);
    }

    @Override
    public FrameType type() {
        return FrameType.RELAY;
    }
}
