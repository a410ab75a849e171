package io.skiff.engine.store;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The receiver's buffers for writing staging files with {@code O_DIRECT}: one {@link #SEGMENT_BYTES}
 * segment each, aligned for direct I/O, shared by all its sessions. At most {@code max} ever exist (they
 * are made on first need and kept); when every one is taken, a writer falls back to the page cache for
 * that segment instead of waiting, so a burst of sessions slows down but never blocks on memory.
 */
public final class SegmentBuffers {
    /** Bytes of a file written by one direct write; a multiple of every block size direct I/O asks for. */
    public static final int SEGMENT_BYTES = 4 << 20;
    /** Address, offset and length alignment of direct writes (logical blocks are 512 or 4096 bytes). */
    public static final int ALIGN = 4096;
    /** The default: 32 MiB of direct memory, room for a few files in flight for a few sessions. */
    public static final int DEFAULT_MAX = 8;

    private final int max;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private int made;

    public SegmentBuffers(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max=" + max);
        }
        this.max = max;
    }

    /** A cleared buffer of {@link #SEGMENT_BYTES}, or null if all {@code max} are in use. */
    synchronized ByteBuffer tryAcquire() {
        ByteBuffer b = free.poll();
        if (b == null && made < max) {
            made++;
            b = ByteBuffer.allocateDirect(SEGMENT_BYTES + ALIGN).alignedSlice(ALIGN);
        }
        if (b != null) {
            b.clear();
        }
        return b;
    }

    synchronized void release(ByteBuffer b) {
        free.push(b);
    }

    /** Buffers not handed out right now (made or not yet made). */
    public synchronized int available() {
        return free.size() + (max - made);
    }
}
