package io.skiff.engine.encode;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDictCompress;
import com.github.luben.zstd.ZstdDictDecompress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.skiff.engine.manifest.ManifestBuilder;
import io.skiff.engine.testing.TestTrees;
import io.skiff.protocol.ChunkingParams;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.frame.ChunkEncoding;
import io.skiff.protocol.frame.ChunkFrame;
import io.skiff.protocol.frame.ChunkReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decoding a chunk whose payload arrived in one socket read or straddled two (the frame decoder's
 * composite cumulation then hands over a payload in two pieces).
 */
class ChunkDecompressorTest {
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(1 << 20);

    private static byte[] text(int size) {
        byte[] b = new byte[size];
        Random r = new Random(7);
        for (int i = 0; i < size; i++) {
            b[i] = (byte) ('a' + r.nextInt(6));
        }
        return b;
    }

    /** The bytes in two direct buffers glued by a composite, as two reads would leave them. */
    private static ByteBuf inTwoPieces(byte[] bytes, int cut) {
        CompositeByteBuf composite = Unpooled.compositeBuffer();
        composite.addComponent(true, Unpooled.directBuffer(cut).writeBytes(bytes, 0, cut));
        composite.addComponent(true, Unpooled.directBuffer(bytes.length - cut).writeBytes(bytes, cut, bytes.length - cut));
        return composite;
    }

    /** The pieces' bytes, one after the other. */
    private static byte[] bytesOf(ByteBuffer... pieces) {
        int total = 0;
        for (ByteBuffer p : pieces) {
            total += p.remaining();
        }
        byte[] out = new byte[total];
        int at = 0;
        for (ByteBuffer p : pieces) {
            int n = p.remaining();
            p.duplicate().get(out, at, n);
            at += n;
        }
        return out;
    }

    @Test
    void shouldReturnViewsOfARawPayloadWhetherInOnePieceOrInTwo() {
        byte[] data = text(100_000);
        try (ChunkDecompressor decompressor = new ChunkDecompressor()) {
            ByteBuf first = Unpooled.directBuffer(data.length).writeBytes(data);
            ChunkFrame whole = new ChunkFrame(0, ChunkEncoding.RAW, data.length, first);
            ChunkFrame split = new ChunkFrame(1, ChunkEncoding.RAW, data.length, inTwoPieces(data, 40_000));
            try {
                ByteBuffer[] fromWhole = decompressor.decode(whole, scratch);
                assertEquals(1, fromWhole.length);
                assertArrayEquals(data, bytesOf(fromWhole));
                assertEquals(first.memoryAddress(), address(fromWhole[0]), "one piece: the payload itself, no copy");

                ByteBuffer[] fromSplit = decompressor.decode(split, scratch);
                assertEquals(2, fromSplit.length, "two pieces: each read's part where it lies");
                assertEquals(40_000, fromSplit[0].remaining());
                assertArrayEquals(data, bytesOf(fromSplit));
                CompositeByteBuf composite = (CompositeByteBuf) split.payload();
                assertEquals(composite.component(0).memoryAddress(), address(fromSplit[0]), "no copy of the first piece");
                assertEquals(composite.component(1).memoryAddress(), address(fromSplit[1]), "no copy of the second piece");
                assertEquals(0, scratch.position(), "scratch untouched");
                assertEquals(scratch.capacity(), scratch.limit(), "scratch untouched");
            } finally {
                whole.release();
                split.release();
            }
        }
    }

    /** Where a direct buffer's remaining bytes start. */
    private static long address(ByteBuffer direct) {
        return Unpooled.wrappedBuffer(direct).memoryAddress();
    }

    @Test
    void shouldDecodeAZstdPayloadInTwoPieces() {
        byte[] data = text(200_000);
        byte[] compressed = Zstd.compress(data, 3);
        try (ChunkDecompressor decompressor = new ChunkDecompressor()) {
            ChunkFrame split = new ChunkFrame(2, ChunkEncoding.ZSTD, data.length, inTwoPieces(compressed, compressed.length / 3));
            try {
                ByteBuffer[] decoded = decompressor.decode(split, scratch);
                assertEquals(1, decoded.length);
                assertSame(scratch, decoded[0], "decompressed into the worker's scratch buffer");
                assertArrayEquals(data, bytesOf(decoded));
            } finally {
                split.release();
            }
        }
    }

    /** A zstd+reference chunk decodes against the receiver's compiled base window; without the window it is asked for again. */
    @Test
    void shouldDecodeAReferenceChunkWithTheCompiledBaseWindowAndRefuseOneWithoutIt(@TempDir Path tmp) {
        Path dir = tmp.resolve("base");
        TestTrees.textFile(dir.resolve("codes.txt"), 1_000_000, 3);
        Manifest manifest = ManifestBuilder.build(dir, "ch", "v1", ChunkingParams.DEFAULT, 1);
        BaseChunks base = new BaseChunks(manifest, dir);
        ChunkReference ref = new ChunkReference(0, 3);
        byte[] window = base.read(ref);
        byte[] changed = java.util.Arrays.copyOfRange(window, 1000, 61_000);
        changed[100] ^= 1; // an edited row
        changed[30_000] ^= 1;
        byte[] compressed;
        try (ZstdDictCompress dictionary = new ZstdDictCompress(window, 3);
             ZstdCompressCtx ctx = new ZstdCompressCtx().setLevel(3)) {
            compressed = ctx.loadDict(dictionary).compress(changed);
        }
        assertTrue(compressed.length < changed.length / 100, "compressed against its window: " + compressed.length + " bytes");
        try (ChunkDecompressor decompressor = new ChunkDecompressor();
             ReferenceDictionaries<ZstdDictDecompress> windows = new ReferenceDictionaries<>(base, ZstdDictDecompress::new, 4)) {
            for (int twice = 0; twice < 2; twice++) {
                ChunkFrame frame = referenceFrame(ref, compressed, changed.length);
                try {
                    assertArrayEquals(changed, bytesOf(decompressor.decode(frame, scratch, windows)));
                } finally {
                    frame.release();
                }
            }
            assertEquals(1, windows.builds(), "the window was read and compiled once for both chunks");

            ChunkFrame beyond = referenceFrame(new ChunkReference(1_000_000, 1), compressed, changed.length);
            ChunkFrame noBase = referenceFrame(ref, compressed, changed.length);
            try {
                assertThrows(ChunkDecompressor.ReferenceUnavailable.class, () -> decompressor.decode(beyond, scratch, windows));
                assertThrows(ChunkDecompressor.ReferenceUnavailable.class, () -> decompressor.decode(noBase, scratch));
            } finally {
                beyond.release();
                noBase.release();
            }
        } finally {
            base.close();
        }
    }

    private static ChunkFrame referenceFrame(ChunkReference ref, byte[] compressed, int rawLength) {
        ByteBuf payload = Unpooled.directBuffer();
        ref.writeTo(payload);
        payload.writeBytes(compressed);
        return new ChunkFrame(9, ChunkEncoding.ZSTD_REF, rawLength, payload);
    }
}
