package io.skiff.protocol.frame;

import java.util.BitSet;

/** The chunk ordinals the receiver asks for, as a bitmap over the manifest's chunk order. */
public record WantFrame(int chunkCount, BitSet wanted) implements Frame {
    @Override
    public FrameType type() {
        return FrameType.WANT;
    }
}
