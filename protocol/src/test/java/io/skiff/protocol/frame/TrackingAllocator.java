package io.skiff.protocol.frame;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * An unpooled allocator that remembers every buffer it hands out, so a test can assert that all of
 * them were released (refCnt 0) right away instead of waiting for the GC-driven leak detector, and
 * can count allocations to prove that a decoder allocated nothing.
 */
final class TrackingAllocator extends AbstractByteBufAllocator {
    private final List<ByteBuf> allocated = new ArrayList<>();

    TrackingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return track(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity));
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return track(new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity));
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
        return track(super.compositeHeapBuffer(maxNumComponents));
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
        return track(super.compositeDirectBuffer(maxNumComponents));
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    /** Buffers handed out so far (including released ones). */
    int allocations() {
        return allocated.size();
    }

    /** Fails naming the first buffer still referenced; then forgets all buffers seen so far. */
    void assertAllReleased(String context) {
        for (int i = 0; i < allocated.size(); i++) {
            ByteBuf buf = allocated.get(i);
            if (buf.refCnt() != 0) {
                fail(context + ": buffer #" + i + " of " + allocated.size() + " not released, refCnt=" + buf.refCnt()
                        + ", " + buf);
            }
        }
        allocated.clear();
    }

    private <T extends ByteBuf> T track(T buf) {
        allocated.add(buf);
        return buf;
    }
}
