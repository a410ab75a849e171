package io.skiff.protocol.frame;

import io.skiff.protocol.Sha256;

public record OfferFrame(Sha256 releaseId, int manifestLength, String channel, String version) implements Frame {
    @Override
    public FrameType type() {
        return FrameType.OFFER;
    }
}
