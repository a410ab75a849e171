package io.skiff.engine.store;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

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
    /**
     * The default: 64 MiB of direct memory, room for a few files in flight for a few sessions. Whole
     * segments wait in the writer's queue with their buffers: with 8, 2–32 of a 1.5 GB push's 367
     * segments found none free and went through the page cache; with 16, none did, and the push took
     * ~2.1 s instead of ~2.25 (5 pushes each, 2026-11-23).
     */
    public static final int DEFAULT_MAX = 16;

    private final int max;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private int made;
    /** Whole segments handed to the writer and not written yet: each will give its buffer back. */
    private int writing;
    /** Writes whole segments, so the threads that fill them go on hashing meanwhile; made on first need. */
    private ExecutorService writer;
    private boolean closed;

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

    /**
     * A buffer as {@link #tryAcquire} gives one, but when all are taken and some of them belong to
     * segments being written, waits for one of those writes to give its buffer back: a disk slower than
     * the network then slows the transfer down (the read-ahead fills, TCP pushes back) instead of sending
     * segments through the page cache. Null only when every buffer belongs to a segment still filling.
     */
    synchronized ByteBuffer acquire() throws InterruptedIOException {
        ByteBuffer b = tryAcquire();
        while (b == null && writing > 0) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted waiting for a segment buffer");
            }
            b = tryAcquire();
        }
        return b;
    }

    synchronized void release(ByteBuffer b) {
        free.push(b);
        notifyAll();
    }

    /**
     * Runs {@code write} of a whole segment on the writer thread, or on the caller's once the writer has
     * stopped ({@link #close}); {@code write} must call {@link #written} last.
     */
    void writeBehind(Runnable write) {
        ExecutorService w;
        synchronized (this) {
            writing++;
            if (!closed && writer == null) {
                writer = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "skiff-rx-write");
                    t.setDaemon(true);
                    return t;
                });
            }
            w = closed ? null : writer;
        }
        try {
            if (w != null) {
                w.execute(write);
                return;
            }
        } catch (RejectedExecutionException stopped) {
            // closed meanwhile
        }
        write.run(); // a flush may be waiting for this segment: it must be written, or fail, either way
    }

    /** A segment handed to {@link #writeBehind} is written (or failed), its buffer released. */
    synchronized void written() {
        writing--;
        notifyAll();
    }

    /** Stops the writer once the segments handed to it are written; later ones are written by whoever completes them. */
    public synchronized void close() {
        closed = true;
        if (writer != null) {
            writer.shutdown();
        }
    }

    /** Buffers not handed out right now (made or not yet made). */
    public synchronized int available() {
        return free.size() + (max - made);
    }
}
