package io.skiff.protocol.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One chunk of the release, by ordinal. Holds its payload: whoever receives this frame releases it
 * (in a {@code finally}); the encoder releases it after writing.
 */
public final class ChunkFrame extends DefaultByteBufHolder implements Frame {
    private final int ordinal;
    private final ChunkEncoding encoding;
    private final int rawLength;

    public ChunkFrame(int ordinal, ChunkEncoding encoding, int rawLength, ByteBuf payload) {
        super(payload);
        this.ordinal = ordinal;
        this.encoding = encoding;
        this.rawLength = rawLength;
    }

    public int ordinal() {
        return ordinal;
    }

    public ChunkEncoding encoding() {
        return encoding;
    }

    public int rawLength() {
        return rawLength;
    }

    public ByteBuf payload() {
        return content();
    }

    @Override
    public FrameType type() {
        return FrameType.CHUNK;
    }

    @Override
    public String toString() {
        return "ChunkFrame(ordinal=" + ordinal + ", encoding=" + encoding + ", rawLength=" + rawLength
                + ", payload=" + content().readableBytes() + ")";
    }
}
