package io.skiff.engine.delta;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.skiff.engine.transfer.ChunkCompressor;
import io.skiff.engine.transfer.ChunkSource;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.frame.ChunkFrame;
import io.skiff.protocol.frame.FrameDescriptor;

import java.nio.file.Path;
import java.util.BitSet;

/**
 * Estimates the bytes a push of {@code next} would put on the wire for a set of wanted chunks: each
 * chunk encoded by the sender's own {@link ChunkCompressor} (zstd, or raw when that is smaller), plus
 * frame headers and the manifest. Reads only the wanted chunks, one at a time.
 */
public final class WireEstimate {
    /** HELLO, OFFER, manifest part and WANT headers, COMMIT: a generous constant for the handshake. */
    private static final int HANDSHAKE_BYTES = 256;

    private WireEstimate() {
    }

    public static long of(Path nextRoot, Manifest next, BitSet wanted, int zstdLevel) {
        long total = HANDSHAKE_BYTES + next.canonicalLength() + (next.chunks().count() + 7L) / 8;
        ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        try (ChunkSource source = new ChunkSource(nextRoot, next);
             ChunkCompressor compressor = new ChunkCompressor(zstdLevel)) {
            for (int o = wanted.nextSetBit(0); o >= 0; o = wanted.nextSetBit(o + 1)) {
                ChunkFrame frame = compressor.encode(alloc, o, source.read(alloc, o), true);
                try {
                    total += FrameDescriptor.HEADER_BYTES + FrameDescriptor.CHUNK_HEADER_BYTES + frame.payload().readableBytes();
                } finally {
                    frame.release();
                }
            }
        }
        return total;
    }
}
