package io.skiff.engine.encode;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDictCompress;
import com.github.luben.zstd.ZstdDictDecompress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.skiff.engine.manifest.ManifestBuilder;
import io.skiff.engine.testing.TestTrees;
import io.skiff.protocol.ChunkingParams;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.frame.ChunkEncoding;
import io.skiff.protocol.frame.ChunkFrame;
import io.skiff.protocol.frame.ChunkReference;
import io.skiff.protocol.frame.FrameDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sender's reference encoding, decoded the way a receiver decodes it. */
class ChunkCompressorTest {
    private static final ByteBufAllocator ALLOC = new UnpooledByteBufAllocator(true);
    /** zstd.h's ZSTD_CONTENTSIZE_UNKNOWN, (0ULL - 1), as zstd-jni returns it. */
    private static final long ZSTD_CONTENTSIZE_UNKNOWN = -1;

    @TempDir
    Path tmp;

    /**
     * Chunks encoded one after another by one compressor against alternating windows (each load
     * replaces the last) come out as zstd+reference frames a fraction of their size that decode to
     * their bytes. Their zstd frames start without the chunk's size: zstd then attaches the compiled
     * dictionary instead of copying its tables into the context for every chunk.
     */
    @Test
    void shouldEncodeChunksAgainstAlternatingWindowsAsFramesThatDecodeToTheirBytes() {
        Path dir = tmp.resolve("base");
        TestTrees.textFile(dir.resolve("codes.txt"), 2_000_000, 11);
        Manifest manifest = ManifestBuilder.build(dir, "ch", "v1", ChunkingParams.DEFAULT, 1);
        assertTrue(manifest.chunks().count() >= 8, "enough chunks for two windows of four");
        ChunkReference[] refs = {new ChunkReference(0, 4), new ChunkReference(4, 4)};
        ByteBuffer scratch = ByteBuffer.allocateDirect(ChunkingParams.DEFAULT.maxBytes());
        try (BaseChunks base = new BaseChunks(manifest, dir);
             ReferenceDictionaries<ZstdDictCompress> senderWindows = new ReferenceDictionaries<>(base, ChunkCompressor.referenceDictionary(3), 4);
             ReferenceDictionaries<ZstdDictDecompress> receiverWindows = new ReferenceDictionaries<>(base, ZstdDictDecompress::new, 4);
             ChunkCompressor compressor = new ChunkCompressor(3);
             ChunkDecompressor decompressor = new ChunkDecompressor()) {
            for (int i = 0; i < 6; i++) {
                ChunkReference ref = refs[i % 2];
                byte[] window = base.read(ref);
                int from = 5_000 + 7_919 * i;
                byte[] changed = Arrays.copyOfRange(window, from, from + 60_000 + 1_000 * i);
                changed[100 + i] ^= 1; // edited rows
                changed[30_000 - i] ^= 1;
                ByteBuf raw = ALLOC.directBuffer(changed.length).writeBytes(changed);
                ChunkFrame frame = compressor.encodeWithReference(ALLOC, i, raw,
                        new ChunkCompressor.ReferenceCandidate(ref, senderWindows), null);
                try {
                    assertEquals(ChunkEncoding.ZSTD_REF, frame.encoding(), "chunk " + i);
                    assertEquals(changed.length, frame.rawLength());
                    ByteBuf payload = frame.payload();
                    assertEquals(ref, ChunkReference.peek(payload));
                    assertTrue(payload.readableBytes() < changed.length / 100, "chunk " + i + ": " + payload.readableBytes() + " bytes");
                    byte[] zstdFrame = ByteBufUtil.getBytes(payload, payload.readerIndex() + FrameDescriptor.REFERENCE_HEADER_BYTES,
                            payload.readableBytes() - FrameDescriptor.REFERENCE_HEADER_BYTES);
                    assertEquals(ZSTD_CONTENTSIZE_UNKNOWN, Zstd.getFrameContentSize(zstdFrame), "chunk " + i + ": size not in the zstd frame");
                    ByteBuffer[] decoded = decompressor.decode(frame, scratch, receiverWindows);
                    assertEquals(1, decoded.length);
                    byte[] bytes = new byte[decoded[0].remaining()];
                    decoded[0].get(bytes);
                    assertArrayEquals(changed, bytes, "chunk " + i);
                } finally {
                    frame.release();
                }
            }
            assertEquals(2, senderWindows.builds(), "each window compiled once for the sender");
        }
    }
}
