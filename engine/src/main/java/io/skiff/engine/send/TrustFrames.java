package io.skiff.engine.send;

import io.netty.channel.ChannelHandlerContext;
import io.skiff.protocol.ProtocolLimits;
import io.skiff.protocol.SignedKeyRotation;
import io.skiff.protocol.SignedRelease;
import io.skiff.protocol.frame.RotationFrame;
import io.skiff.protocol.frame.SignedFrame;

import java.util.List;

/**
 * What a sender shows before its OFFER so that a receiver can trust the release: the key rotations its
 * signatures depend on (ROTATION frames, in order) and the publisher's signatures (SIGNED). The publisher's
 * push makes them; a relay forwards the ones it received, an origin the ones kept with its root.
 *
 * @param rotations key rotations, in the order the receiver takes them (at most {@link ProtocolLimits#MAX_ROTATIONS})
 * @param signed    the publisher's signatures on the release; null: unsigned
 */
public record TrustFrames(List<SignedKeyRotation> rotations, SignedRelease signed) {
    public static final TrustFrames NONE = new TrustFrames(List.of(), null);

    public TrustFrames {
        rotations = List.copyOf(rotations);
        if (rotations.size() > ProtocolLimits.MAX_ROTATIONS) {
            throw new IllegalArgumentException(rotations.size() + " rotations: at most " + ProtocolLimits.MAX_ROTATIONS);
        }
    }

    /** Writes the frames (not flushed: the OFFER that follows them flushes). */
    void writeTo(ChannelHandlerContext ctx) {
        for (SignedKeyRotation rotation : rotations) {
            ctx.write(new RotationFrame(rotation));
        }
        if (signed != null) {
            ctx.write(new SignedFrame(signed));
        }
    }
}
