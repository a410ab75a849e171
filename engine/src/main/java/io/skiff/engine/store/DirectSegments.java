package io.skiff.engine.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Write-behind for one staging file written with {@code O_DIRECT}: chunks (any size, any order, from
 * several threads) are copied into the {@link SegmentBuffers#SEGMENT_BYTES} segment of the file they
 * fall in, and a segment goes to disk in one aligned direct write when its last byte arrives, on the
 * buffers' writer thread: a direct write blocks until the device has the bytes, and the verifier that
 * completed a segment used to wait there instead of hashing (a quarter of its time on a 1.5 GB push,
 * with both cores idle meanwhile as often as not). On this
 * kind of machine that is several times cheaper than writing through the page cache (no page is
 * allocated, touched or written back), and it leaves the page cache to the files being served.
 *
 * <p>A segment that cannot be completed in memory goes through the page cache instead ("spilled"): when
 * no buffer is free, and at {@link #flush}, which the staging release calls before a journal record may
 * name a chunk (a chunk must be on disk, not in a buffer, when the journal says so) and when it closes.
 * A spilled segment takes later pieces through the page cache too. Direct and buffered writes never
 * share a page: segments are aligned, and only the file's last, partial block of its last segment is
 * written buffered after a direct write of the rest.
 *
 * <p>A failed write poisons this file: the failure is thrown by that write and by every later flush, so
 * no journal record can name a chunk whose segment did not reach the disk.
 */
final class DirectSegments {
    /** How the bytes reach the file: the staging release's channels, opened with and without O_DIRECT. */
    interface FileIo {
        /** A direct write: {@code src}'s address, remaining length and {@code position} are aligned. */
        void writeDirect(ByteBuffer src, long position) throws IOException;

        void writeBuffered(ByteBuffer src, long position) throws IOException;
    }

    private final long size;
    private final SegmentBuffers buffers;
    private final FileIo io;
    /** Segments filling or spilled; a written one leaves (a piece written again after that goes buffered). */
    private final ConcurrentHashMap<Long, Segment> segments = new ConcurrentHashMap<>();
    private final AtomicInteger writtenDirect = new AtomicInteger();
    private final AtomicInteger spilled = new AtomicInteger();
    private volatile IOException failure;

    DirectSegments(long size, SegmentBuffers buffers, FileIo io) {
        this.size = size;
        this.buffers = buffers;
        this.io = io;
    }

    /** Writes {@code src}'s remaining bytes at {@code position}; they may stay in memory until their segment is whole. */
    void write(ByteBuffer src, long position) throws IOException {
        checkHealthy();
        if (position < 0 || position + src.remaining() > size) {
            throw new IOException("write of " + src.remaining() + " bytes at " + position + " is beyond the file's size " + size);
        }
        ByteBuffer rest = src.duplicate();
        long at = position;
        while (rest.hasRemaining()) {
            long index = at / SegmentBuffers.SEGMENT_BYTES;
            long start = index * SegmentBuffers.SEGMENT_BYTES;
            int length = (int) Math.min(SegmentBuffers.SEGMENT_BYTES, size - start);
            int n = (int) Math.min(rest.remaining(), start + length - at);
            Segment segment = segments.computeIfAbsent(index, i -> new Segment(start, length));
            write(segment, (int) (at - start), rest.slice(rest.position(), n));
            rest.position(rest.position() + n);
            at += n;
        }
    }

    private void write(Segment s, int offset, ByteBuffer piece) throws IOException {
        synchronized (s) {
            if (s.state == Segment.FILLING) {
                if (s.buffer == null) {
                    s.buffer = buffers.acquire();
                }
                if (s.buffer != null) {
                    s.buffer.put(offset, piece, piece.position(), piece.remaining());
                    s.add(offset, piece.remaining());
                    if (s.filled == s.length) {
                        s.state = Segment.WRITING; // its buffer is the writer's now
                        buffers.writeBehind(() -> writeWhole(s));
                    }
                    return;
                }
                s.state = Segment.SPILLED; // no buffer free: through the page cache rather than wait
                spilled.incrementAndGet();
            }
        }
        // spilled, or written (or being written) already and this piece, the same bytes, is written again:
        // through the page cache
        try {
            io.writeBuffered(piece, s.start + offset);
        } catch (IOException e) {
            throw poison(e);
        }
    }

    /**
     * On the writer thread: the whole segment in one direct write, the file's last partial block buffered.
     * A failure poisons the file, for the next write or flush to throw.
     */
    private void writeWhole(Segment s) {
        ByteBuffer b = s.buffer; // nobody else touches it while the segment is WRITING
        int aligned = s.length & -SegmentBuffers.ALIGN;
        try {
            if (aligned > 0) {
                io.writeDirect(b.duplicate().position(0).limit(aligned), s.start);
            }
            if (aligned < s.length) {
                io.writeBuffered(b.duplicate().position(aligned).limit(s.length), s.start + aligned);
            }
            writtenDirect.incrementAndGet();
        } catch (IOException | RuntimeException e) {
            poison(e instanceof IOException io ? io : new IOException("direct write failed: " + e, e));
        } finally {
            synchronized (s) {
                s.done(Segment.WRITTEN, buffers);
                s.notifyAll(); // a flush waiting for this write
            }
            segments.remove(s.start / SegmentBuffers.SEGMENT_BYTES, s);
            buffers.written();
        }
    }

    /**
     * Waits for the direct writes in flight, and writes every piece still held in memory through the page
     * cache (their segments stay spilled), so that a following fsync makes every piece written so far durable.
     */
    void flush() throws IOException {
        for (Segment s : segments.values()) {
            synchronized (s) {
                awaitWritten(s);
                if (s.state == Segment.FILLING && s.buffer != null) {
                    try {
                        for (int i = 0; i < s.pieceCount; i++) {
                            int offset = s.pieces[2 * i];
                            io.writeBuffered(s.buffer.duplicate().position(offset).limit(offset + s.pieces[2 * i + 1]), s.start + offset);
                        }
                    } catch (IOException e) {
                        throw poison(e);
                    } finally {
                        s.done(Segment.SPILLED, buffers);
                        spilled.incrementAndGet();
                    }
                }
            }
        }
        checkHealthy();
    }

    /** Returns once no direct write of this file is in flight; throws if one failed. */
    void awaitWrites() throws IOException {
        for (Segment s : segments.values()) {
            synchronized (s) {
                awaitWritten(s);
            }
        }
        checkHealthy();
    }

    /** Under the segment's lock: returns once no direct write of it is in flight. */
    private static void awaitWritten(Segment s) throws InterruptedIOException {
        while (s.state == Segment.WRITING) {
            try {
                s.wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted waiting for a segment's direct write");
            }
        }
    }

    /**
     * Returns every buffer still held by a segment that is filling, without writing it (the staging
     * release failed or is discarded); a segment being written gives its buffer back when the write ends.
     */
    void discard() {
        for (Segment s : segments.values()) {
            synchronized (s) {
                if (s.state != Segment.WRITING && s.buffer != null) {
                    s.done(Segment.SPILLED, buffers);
                }
            }
        }
    }

    /** Segments written in one direct write so far (for tests and logs). */
    int segmentsWrittenDirect() {
        return writtenDirect.get();
    }

    /** Segments that went, or go, through the page cache: held at a flush, or no buffer free when they began. */
    int segmentsSpilled() {
        return spilled.get();
    }

    /** Whether any of these bytes sits in a segment buffer, not (yet) written to the file, or being written. */
    boolean holds(long position, int length) {
        long last = (position + Math.max(length, 1) - 1) / SegmentBuffers.SEGMENT_BYTES;
        for (long index = position / SegmentBuffers.SEGMENT_BYTES; index <= last; index++) {
            Segment s = segments.get(index);
            if (s != null) {
                synchronized (s) {
                    if (s.state == Segment.WRITING || (s.state == Segment.FILLING && s.buffer != null)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Throws if a write to this file has failed. */
    void checkHealthy() throws IOException {
        IOException f = failure;
        if (f != null) {
            throw new IOException("an earlier write to this file failed: " + f.getMessage(), f);
        }
    }

    private IOException poison(IOException e) {
        if (failure == null) {
            failure = e;
        }
        return e;
    }

    /** One segment of the file: its bytes in memory while it fills, and which pieces have arrived. */
    private static final class Segment {
        static final int FILLING = 0;
        static final int WRITTEN = 1;
        static final int SPILLED = 2;
        /** Whole, handed to the writer thread with its buffer. */
        static final int WRITING = 3;

        final long start;
        final int length;
        int state = FILLING;
        ByteBuffer buffer;
        int filled;
        /** (offset, length) of each piece held; chunk boundaries are fixed, so a piece written again has the same offset. */
        int[] pieces = new int[32];
        int pieceCount;

        Segment(long start, int length) {
            this.start = start;
            this.length = length;
        }

        void add(int offset, int len) {
            for (int i = 0; i < pieceCount; i++) {
                if (pieces[2 * i] == offset) {
                    return; // the same piece again: its bytes were replaced, not added
                }
            }
            if (2 * pieceCount == pieces.length) {
                pieces = java.util.Arrays.copyOf(pieces, pieces.length * 2);
            }
            pieces[2 * pieceCount] = offset;
            pieces[2 * pieceCount + 1] = len;
            pieceCount++;
            filled += len;
        }

        void done(int finalState, SegmentBuffers buffers) {
            state = finalState;
            if (buffer != null) {
                buffers.release(buffer);
                buffer = null;
            }
            pieces = null;
            pieceCount = 0;
        }
    }
}
