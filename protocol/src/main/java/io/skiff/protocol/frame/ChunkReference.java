package io.skiff.protocol.frame;

import io.netty.buffer.ByteBuf;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.ProtocolException;

/**
 * The reference in front of a zstd+reference chunk payload: a run of {@code count} chunks of the base
 * release starting at base ordinal {@code start}, all in one base file; their bytes, concatenated, are
 * the zstd dictionary.
 */
public record ChunkReference(int start, int count) {
    /** Reads the reference at the payload's reader index without moving it. */
    public static ChunkReference peek(ByteBuf payload) {
        if (payload.readableBytes() < FrameDescriptor.REFERENCE_HEADER_BYTES + 1) {
            throw new ProtocolException(ErrorCode.CHUNK_DECODE_FAILED, "zstd+reference payload of " + payload.readableBytes() + " bytes");
        }
        int start = payload.getInt(payload.readerIndex());
        int count = payload.getUnsignedShort(payload.readerIndex() + 4);
        if (start < 0 || count < 1) {
            throw new ProtocolException(ErrorCode.CHUNK_DECODE_FAILED, "reference start=" + Integer.toUnsignedString(start) + " count=" + count);
        }
        return new ChunkReference(start, count);
    }

    public void writeTo(ByteBuf out) {
        out.writeInt(start);
        out.writeShort(count);
    }
}
