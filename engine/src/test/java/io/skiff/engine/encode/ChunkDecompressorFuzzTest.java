package io.skiff.engine.encode;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.github.luben.zstd.ZstdDictDecompress;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.ProtocolLimits;
import io.skiff.protocol.frame.ChunkFrame;
import io.skiff.protocol.frame.DecodeFailure;
import io.skiff.protocol.frame.FrameDecoder;
import io.skiff.protocol.frame.FrameDescriptor;
import io.skiff.protocol.frame.FrameType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * A received chunk's decoding over any CHUNK frame body (ordinal, encoding, raw length, payload), the
 * way the receiver's verifiers decode: the bytes pass the {@link FrameDecoder}, then a verifier's
 * {@link ChunkDecompressor} decodes them into its scratch buffer of the largest chunk, against the
 * compiled reference windows of a real base release on disk ({@link FuzzBaseRelease}). Any payload, and
 * any reference, gives exactly the frame's raw length of bytes, a CHUNK_DECODE_FAILED
 * {@link ProtocolException}, or {@link ChunkDecompressor.ReferenceUnavailable} (the chunk is asked for
 * again); the decoder keeps no reference to the frame. Allocation is bounded by the scratch buffer: a
 * bomb fails, it does not grow anything. zstd itself is native and not instrumented, so the fuzzer's
 * coverage feedback comes from the Java around it. Seeds: {@code ChunkDecompressorFuzzTestInputs/},
 * written by {@link EngineFuzzSeeds}.
 */
class ChunkDecompressorFuzzTest {
    @TempDir
    static Path baseDir;
    private static BaseChunks base;
    private static ReferenceDictionaries<ZstdDictDecompress> windows;
    /** One verifier's tools, kept across inputs as a verifier thread keeps them across chunks. */
    private static ChunkDecompressor decompressor;
    private static final ByteBuffer SCRATCH = ByteBuffer.allocateDirect(ProtocolLimits.MAX_CHUNK_BYTES);

    @BeforeAll
    static void openBase() {
        base = FuzzBaseRelease.writeTo(baseDir);
        windows = new ReferenceDictionaries<>(base, ZstdDictDecompress::new, 8);
        decompressor = new ChunkDecompressor();
    }

    @AfterAll
    static void closeBase() {
        decompressor.close();
        windows.close();
        base.close();
    }

    @FuzzTest(maxDuration = "30s")
    void shouldDecodeToTheRawLengthOrFailTyped(byte[] chunkBody) {
        ChunkFrame chunk = received(chunkBody);
        if (chunk == null) {
            return; // the frame decoder refused it, as FrameDecoderFuzzTest covers
        }
        try {
            ByteBuffer[] pieces = decompressor.decode(chunk, SCRATCH, windows);
            assertEquals(chunk.rawLength(), Arrays.stream(pieces).mapToLong(ByteBuffer::remaining).sum(), chunk::toString);
        } catch (ProtocolException e) {
            assertEquals(ErrorCode.CHUNK_DECODE_FAILED, e.code(), e.getMessage());
        } catch (ChunkDecompressor.ReferenceUnavailable refetch) {
            // the verifier asks for the chunk again without a reference
        } finally {
            chunk.release();
        }
        assertEquals(0, chunk.refCnt(), "the decoder kept no reference to the frame");
    }

    /** The CHUNK frame the receiver's pipeline makes of {@code body}, or null if its decoder refuses it. */
    private static ChunkFrame received(byte[] body) {
        if (body.length > ProtocolLimits.MAX_FRAME_BYTES - FrameDescriptor.TYPE_BYTES) {
            return null;
        }
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder());
        // direct, as a socket read is: the decompressor takes another path for heap bytes
        channel.writeInbound(Unpooled.directBuffer(FrameDescriptor.HEADER_BYTES + body.length)
                .writeInt(FrameDescriptor.TYPE_BYTES + body.length).writeByte(FrameType.CHUNK.wire()).writeBytes(body));
        Object message = channel.readInbound();
        channel.finishAndReleaseAll();
        if (message instanceof DecodeFailure) {
            return null;
        }
        return assertInstanceOf(ChunkFrame.class, message);
    }
}
