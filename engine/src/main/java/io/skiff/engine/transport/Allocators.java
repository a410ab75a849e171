package io.skiff.engine.transport;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * The buffer allocators of skiff's connections, chosen here rather than left to Netty's defaults.
 *
 * <h2>Sending</h2>
 * Senders (push, relay, origin) allocate frame headers and encoded chunks from Netty's shared pooled
 * allocator, which {@code ReleaseEncodings} uses too. Netty 4.2's default for a channel is its adaptive
 * allocator; a push would then warm two allocators, and the adaptive one's first use initializes its
 * JFR event classes, a visible part of every push's start (docs/benchmarks.md, "Figures behind the code").
 *
 * <h2>Receiving</h2>
 * A receive connection reads the socket into buffers of up to 1 MiB, and each stays allocated until
 * every chunk sliced from it is verified and written: about the read-ahead (8 MiB) per connection. In
 * Netty's default 4 MiB pool chunks that live set spans several chunks, each of which empties in turn
 * and is freed, so the pool kept allocating, zeroing and freeing fresh direct memory, a large part of
 * the receiving I/O thread's work. Chunks of {@value #RECEIVE_CHUNK_BYTES} bytes hold that
 * live set in one chunk, which stays allocated while the transfer goes on. One arena: a receiver
 * allocates once per socket read, so threads rarely meet on its lock, and all connections share chunks.
 */
public final class Allocators {
    /** Pool chunk size of receive connections: several times a connection's read-ahead. */
    public static final int RECEIVE_CHUNK_BYTES = 32 << 20;
    private static final int PAGE_BYTES = 8192;

    private static final PooledByteBufAllocator RECEIVING = new PooledByteBufAllocator(true, 0, 1, PAGE_BYTES,
            Integer.numberOfTrailingZeros(RECEIVE_CHUNK_BYTES / PAGE_BYTES),
            PooledByteBufAllocator.defaultSmallCacheSize(), PooledByteBufAllocator.defaultNormalCacheSize(),
            PooledByteBufAllocator.defaultUseCacheForAllThreads());

    private Allocators() {
    }

    /** For connections that send releases: pushes, relays, an origin's answers. */
    public static ByteBufAllocator sending() {
        return PooledByteBufAllocator.DEFAULT;
    }

    /** For connections that receive releases: a receiver's accepted pushes, a follower's visits. */
    public static PooledByteBufAllocator receiving() {
        return RECEIVING;
    }
}
