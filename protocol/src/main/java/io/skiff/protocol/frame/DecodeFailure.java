package io.skiff.protocol.frame;

import io.skiff.protocol.ErrorCode;

/**
 * Emitted once by {@link FrameDecoder} instead of a frame when the incoming bytes are not valid; the
 * decoder discards everything after it. The handler answers with an ERROR frame and closes.
 */
public record DecodeFailure(ErrorCode code, String message) {
}
