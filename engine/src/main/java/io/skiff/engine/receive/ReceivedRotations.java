package io.skiff.engine.receive;

import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.ProtocolLimits;
import io.skiff.protocol.SignedKeyRotation;

import java.util.ArrayList;
import java.util.List;

/**
 * The ROTATION frames a connection sent before its OFFER, in the order they came: taken at OFFER before the
 * release's signatures are checked ({@link OfferTrust}), and what a relay forwards to its targets. Used on
 * the session's thread.
 */
final class ReceivedRotations {
    private final List<SignedKeyRotation> rotations = new ArrayList<>();

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
