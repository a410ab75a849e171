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
import static org.junit.jupiter.api.Assertions.assertNotSame;
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

    private static byte[] bytesOf(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    void shouldReturnAViewOfARawPayloadInOnePieceAndGatherOneInTwoPiecesIntoScratch() {
        byte[] data = text(100_000);
        try (ChunkDecompressor decompressor = new ChunkDecompressor()) {
            ChunkFrame whole = new ChunkFrame(0, ChunkEncoding.RAW, data.length, Unpooled.directBuffer(data.length).writeBytes(data));
            ChunkFrame split = new ChunkFrame(1, ChunkEncoding.RAW, data.length, inTwoPieces(data, 40_000));
            try {
                ByteBuffer fromWhole = decompressor.decode(whole, scratch);
                assertArrayEquals(data, bytesOf(fromWhole));
                assertNotSame(scratch, fromWhole, "one piece: the payload itself, no copy");

                ByteBuffer fromSplit = decompressor.decode(split, scratch);
                assertArrayEquals(data, bytesOf(fromSplit));
                assertSame(scratch, fromSplit, "two pieces: gathered into the worker's scratch buffer");
            } finally {
                whole.release();
                split.release();
            }
        }
    }

    @Test
    void shouldDecodeAZstdPayloadInTwoPieces() {
        byte[] data = text(200_000);
        byte[] compressed = Zstd.compress(data, 3);
        try (ChunkDecompressor decompressor = new ChunkDecompressor()) {
            ChunkFrame split = new ChunkFrame(2, ChunkEncoding.ZSTD, data.length, inTwoPieces(compressed, compressed.length / 3));
            try {
                assertArrayEquals(data, bytesOf(decompressor.decode(split, scratch)));
            } finally {
                split.release();
            }
        }
    }
}
