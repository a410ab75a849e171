package io.skiff.protocol.frame;

import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.ProtocolLimits;
import io.skiff.protocol.Sha256;

import java.util.List;

/**
 * The receiver's answer to an offer: what it needs, and which releases of the channel it holds
 * (current first, then retained, newest first) so the sender can pick a delta base.
 */
public record OfferReplyFrame(Decision decision, List<Sha256> bases) implements Frame {
    public OfferReplyFrame {
        bases = List.copyOf(bases);
        if (bases.size() > ProtocolLimits.MAX_BASES) {
            throw new IllegalArgumentException(bases.size() + " bases, at most " + ProtocolLimits.MAX_BASES);
        }
    }

    public OfferReplyFrame(Decision decision) {
        this(decision, List.of());
    }

    /** What the receiver needs after an offer. */
    public enum Decision {
        /** The release is already the channel's current release: nothing to send. */
        ALREADY_ACTIVE(1),
        /** Send the manifest. */
        SEND_MANIFEST(2),
        /** The receiver holds the manifest (e.g. a partial transfer); it sends WANT next. */
        MANIFEST_KNOWN(3);

        private final int wire;

        Decision(int wire) {
            this.wire = wire;
        }

        public int wire() {
            return wire;
        }

        public static Decision fromWire(int wire) {
            for (Decision d : values()) {
                if (d.wire == wire) {
                    return d;
                }
            }
            throw new ProtocolException(ErrorCode.MALFORMED, "unknown offer decision=" + wire);
        }
    }

    @Override
    public FrameType type() {
        return FrameType.OFFER_REPLY;
    }
}
