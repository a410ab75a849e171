package io.skiff.protocol.frame;

import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.ProtocolException;

public record OfferReplyFrame(Decision decision) implements Frame {
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
