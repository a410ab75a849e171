package io.skiff.protocol.frame;

import io.skiff.protocol.SignedKeyRotation;

import java.util.Objects;

/**
 * One key rotation of the chain the release offered next is signed under: sent after HELLO (and RELAY),
 * before OFFER, before or after SIGNED, one frame per rotation in sequence order (at most
 * {@link io.skiff.protocol.ProtocolLimits#MAX_ROTATIONS}). The receiver takes each one it can check before it
 * checks the offer's signatures against its trusted keys; a relay forwards them, an origin serves the ones it holds.
 */
public record RotationFrame(SignedKeyRotation rotation) implements Frame {
    public RotationFrame {
        Objects.requireNonNull(rotation, "rotation");
    }

    @Override
    public FrameType type() {
        return FrameType.ROTATION;
    }
}
