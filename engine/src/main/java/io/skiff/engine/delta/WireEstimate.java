package io.skiff.engine.delta;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import io.skiff.engine.transfer.ChunkSource;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.frame.FrameDescriptor;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.BitSet;

/**
 * Estimates the bytes a push of {@code next} would put on the wire for a set of wanted chunks: each
 * chunk compressed with zstd exactly as the sender would (kept raw when that is not at least 1/32
 * smaller), plus frame headers and the manifest. Reads only the wanted chunks, one at a time.
 */
public final class WireEstimate {
    /** HELLO, OFFER, manifest part and WANT headers, COMMIT: a generous constant for the handshake. */
    private static final int HANDSHAKE_BYTES = 256;

    private WireEstimate() {
    }

    public static long of(Path nextRoot, Manifest next, BitSet wanted, int zstdLevel) {
        long total = HANDSHAKE_BYTES + next.canonicalLength() + (next.chunks().count() + 7L) / 8;
        int max = next.chunking().maxBytes();
        ByteBuffer raw = ByteBuffer.allocateDirect(max);
        ByteBuffer out = ByteBuffer.allocateDirect((int) Zstd.compressBound(max));
        try (ChunkSource source = new ChunkSource(nextRoot, next);
             ZstdCompressCtx zstd = new ZstdCompressCtx().setLevel(Math.max(1, zstdLevel))) {
            for (int o = wanted.nextSetBit(0); o >= 0; o = wanted.nextSetBit(o + 1)) {
                source.read(o, raw);
                int length = raw.remaining();
                int payload = length;
                if (zstdLevel > 0) {
                    int size = zstd.compressDirectByteBuffer(out, 0, out.capacity(), raw, 0, length);
                    if (size < length - (length >>> 5)) {
                        payload = size;
                    }
                }
                total += FrameDescriptor.HEADER_BYTES + FrameDescriptor.CHUNK_HEADER_BYTES + payload;
            }
        }
        return total;
    }
}
