package io.skiff.engine.encode;

import io.skiff.protocol.Sha256;
import io.skiff.protocol.frame.ChunkFrame;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Encode once, send many: chunk encodings of one push, keyed by (base release, ordinal), shared by
 * every target with that base. Targets of a fan-out ask for the same chunks at about the same time,
 * so the first asker encodes and the others wait for its result instead of encoding again. Holds at
 * most {@code budgetBytes} of payloads; the oldest are released first, and a target asking for an
 * evicted chunk simply encodes it again.
 *
 * <p>Buffer ownership: the cache owns one reference to each payload; {@link #get} returns a frame
 * with its own retained duplicate, which the caller passes on or releases.
 */
final class EncodedChunkCache implements AutoCloseable {
    private record Key(Sha256 base, int ordinal) {
    }

    private final long budgetBytes;
    private final ConcurrentHashMap<Key, CompletableFuture<ChunkFrame>> frames = new ConcurrentHashMap<>();
    /** Completed entries, oldest first; guarded by {@code this}, as are eviction and retaining. */
    private final ArrayDeque<Key> order = new ArrayDeque<>();
    private long bytes;
    private boolean closed;

    EncodedChunkCache(long budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    /** The encoding of {@code ordinal} against {@code base} (null: none), encoding it at most once while cached. */
    ChunkFrame get(Sha256 base, int ordinal, Supplier<ChunkFrame> encode) {
        Key key = new Key(base, ordinal);
        CompletableFuture<ChunkFrame> mine = new CompletableFuture<>();
        CompletableFuture<ChunkFrame> existing = frames.putIfAbsent(key, mine);
        if (existing == null) {
            ChunkFrame frame;
            try {
                frame = encode.get();
            } catch (RuntimeException | OutOfMemoryError e) { // whatever ends the encoding, the others waiting hear of it
                frames.remove(key, mine);
                mine.completeExceptionally(e);
                throw e;
            }
            synchronized (this) {
                mine.complete(frame);
                if (closed) {
                    frames.remove(key, mine);
                    return frame;
                }
                order.add(key);
                bytes += frame.payload().readableBytes();
                ChunkFrame copy = copyOf(frame);
                evictOverBudget();
                return copy;
            }
        }
        ChunkFrame frame;
        try {
            frame = existing.join();
        } catch (CompletionException e) {
            return encode.get(); // the first asker failed; try on our own, reporting our own error
        }
        synchronized (this) {
            if (frames.get(key) == existing) {
                return copyOf(frame);
            }
        }
        return encode.get(); // evicted (and released) while we waited
    }

    /** The encoding of {@code ordinal} against {@code base} if it is cached and done, else null; never encodes. */
    ChunkFrame peek(Sha256 base, int ordinal) {
        Key key = new Key(base, ordinal);
        CompletableFuture<ChunkFrame> cached = frames.get(key);
        if (cached == null || !cached.isDone() || cached.isCompletedExceptionally()) {
            return null;
        }
        synchronized (this) {
            return frames.get(key) == cached ? copyOf(cached.join()) : null; // else evicted (and released) meanwhile
        }
    }

    /**
     * Holds an encoding made elsewhere (a relay keeps the chunks it received, as they arrived), unless
     * one is cached already. Takes ownership of {@code frame}.
     */
    void put(Sha256 base, int ordinal, ChunkFrame frame) {
        Key key = new Key(base, ordinal);
        synchronized (this) {
            // putIfAbsent, not containsKey then put: an asker of get() may be inserting its own encoding now
            if (closed || frames.putIfAbsent(key, CompletableFuture.completedFuture(frame)) != null) {
                frame.release();
                return;
            }
            order.add(key);
            bytes += frame.payload().readableBytes();
            evictOverBudget();
        }
    }

    private static ChunkFrame copyOf(ChunkFrame frame) {
        return new ChunkFrame(frame.ordinal(), frame.encoding(), frame.rawLength(), frame.payload().retainedDuplicate());
    }

    private void evictOverBudget() {
        while (bytes > budgetBytes && !order.isEmpty()) {
            CompletableFuture<ChunkFrame> evicted = frames.remove(order.poll());
            if (evicted != null) {
                ChunkFrame frame = evicted.join();
                bytes -= frame.payload().readableBytes();
                frame.release();
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        bytes = Long.MAX_VALUE;
        evictOverBudget();
    }
}
