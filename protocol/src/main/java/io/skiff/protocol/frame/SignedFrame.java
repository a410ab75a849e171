package io.skiff.protocol.frame;

import io.skiff.protocol.SignedRelease;

import java.util.Objects;

/**
 * The publisher's signatures on the release offered next: sent after HELLO (and RELAY), before OFFER,
 * by a sender that has them (the publisher, a relay or an origin forwarding them unchanged). The
 * receiver checks them against its trusted keys when the OFFER comes, before it asks for the manifest.
 */
public record SignedFrame(SignedRelease signed) implements Frame {
    public SignedFrame {
        Objects.requireNonNull(signed, "signed");
    }

    @Override
    public FrameType type() {
        return FrameType.SIGNED;
    }
}
