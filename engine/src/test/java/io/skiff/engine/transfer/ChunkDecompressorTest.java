package io.skiff.engine.transfer;

import com.github.luben.zstd.Zstd;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.skiff.protocol.frame.ChunkEncoding;
import io.skiff.protocol.frame.ChunkFrame;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

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
}
