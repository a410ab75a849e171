package io.skiff.protocol.frame;

import io.skiff.protocol.ErrorCode;

/**
 * A typed failure. Sent by a peer before it closes the connection, and also emitted by
 * {@link FrameDecoder} (never sent by anyone) when the incoming bytes are not a valid frame.
 */
public record ErrorFrame(ErrorCode code, String message) implements Frame {
    @Override
    public FrameType type() {
        return FrameType.ERROR;
    }
}
