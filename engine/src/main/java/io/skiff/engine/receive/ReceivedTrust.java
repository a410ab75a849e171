package io.skiff.engine.receive;

import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.ProtocolLimits;
import io.skiff.protocol.SignedKeyRotation;
import io.skiff.protocol.SignedRelease;
import io.skiff.protocol.frame.RotationFrame;
import io.skiff.protocol.frame.SignedFrame;

import java.util.ArrayList;
import java.util.List;

/**
 * The trust frames a connection sent before its OFFER: its SIGNED statement (one), and its ROTATION frames
 * in the order they came. Checked at OFFER, rotations first ({@link OfferTrust}); the rotations are what a
 * relay forwards to its targets. Used on the session's thread.
 */
final class ReceivedTrust {
    private final List<SignedKeyRotation> rotations = new ArrayList<>();
    private SignedRelease signed;

    /** Keeps {@code msg} when it is the first SIGNED or a ROTATION frame; false for anything else (a second SIGNED too). */
    boolean take(Object msg) {
        if (signed == null && msg instanceof SignedFrame f) {
            signed = f.signed();
            return true;
        }
        if (msg instanceof RotationFrame f) {
            add(f.rotation());
            return true;
        }
        return false;
    }

    /** The publishers' statement on the release offered next; null: none sent. */
    SignedRelease signed() {
        return signed;
    }

    /** @throws ProtocolException UNEXPECTED_FRAME past {@link ProtocolLimits#MAX_ROTATIONS} */
    void add(SignedKeyRotation rotation) {
        if (rotations.size() == ProtocolLimits.MAX_ROTATIONS) {
            throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME, "more than " + ProtocolLimits.MAX_ROTATIONS + " ROTATION frames before OFFER");
        }
        rotations.add(rotation);
    }

    List<SignedKeyRotation> list() {
        return List.copyOf(rotations);
    }
}
