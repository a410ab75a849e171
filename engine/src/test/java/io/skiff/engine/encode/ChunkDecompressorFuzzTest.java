package io.skiff.engine.encode;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.github.luben.zstd.ZstdDictDecompress;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.ProtocolLimits;
import io.skiff.protocol.Sha256;
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
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * A received chunk's decoding over any CHUNK frame body (ordinal, encoding, raw length, payload), the
 * way the receiver's verifiers decode: the bytes pass the {@link FrameDecoder}, then a verifier's
 * {@link ChunkDecompressor} decodes them into its scratch buffer of the largest chunk, against the
 * compiled reference windows of a real base release on disk ({@link FuzzBaseRelease}). Any payload, and
 * any reference, gives exactly the frame's raw length of bytes, a CHUNK_DECODE_FAILED
 * {@link ProtocolException}, or {@link ChunkDecompressor.ReferenceUnavailable} (the chunk is asked for
 * again), and the same one whether the frame came in one read or straddled two; the decoder keeps no
 * reference to the frame. Allocation is bounded by the scratch buffer: a
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
        String inOneRead = decoded(chunkBody, false);
        if (inOneRead != null) { // null: the frame decoder refused it, as FrameDecoderFuzzTest covers
            assertEquals(inOneRead, decoded(chunkBody, true), "the same whether the frame came in one read or two");
        }
    }

    /**
     * The outcome of decoding the CHUNK frame the receiver's pipeline makes of {@code body}, in one
     * direct buffer or, with {@code twoReads}, cut in two (then the payload is a composite of both):
     * the decoded bytes' hash, or the typed failure; null if the frame decoder refuses the frame.
     */
    private static String decoded(byte[] body, boolean twoReads) {
        if (body.length > ProtocolLimits.MAX_FRAME_BYTES - FrameDescriptor.TYPE_BYTES) {
            return null;
        }
        byte[] frame = ByteBuffer.allocate(FrameDescriptor.HEADER_BYTES + body.length)
                .putInt(FrameDescriptor.TYPE_BYTES + body.length).put((byte) FrameType.CHUNK.wire()).put(body).array();
        int cut = twoReads ? FrameDescriptor.HEADER_BYTES + body.length / 2 : frame.length;
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder());
        // direct, as socket reads are: the decompressor takes another path for heap bytes
        channel.writeInbound(Unpooled.directBuffer(cut).writeBytes(frame, 0, cut));
        if (cut < frame.length) {
            channel.writeInbound(Unpooled.directBuffer(frame.length - cut).writeBytes(frame, cut, frame.length - cut));
        }
        Object message = channel.readInbound();
        channel.finishAndReleaseAll();
        if (message instanceof DecodeFailure) {
            return null;
        }
        ChunkFrame chunk = assertInstanceOf(ChunkFrame.class, message);
        String outcome;
        try {
            ByteBuffer[] pieces = decompressor.decode(chunk, SCRATCH, windows);
            MessageDigest digest = Sha256.newDigest();
            long length = 0;
            for (ByteBuffer piece : pieces) {
                length += piece.remaining();
                digest.update(piece.duplicate());
            }
            assertEquals(chunk.rawLength(), length, chunk::toString);
            outcome = "decoded " + HexFormat.of().formatHex(digest.digest());
        } catch (ProtocolException e) {
            assertEquals(ErrorCode.CHUNK_DECODE_FAILED, e.code(), e.getMessage());
            outcome = "failed " + e.code();
        } catch (ChunkDecompressor.ReferenceUnavailable refetch) {
            outcome = "refetch"; // the verifier asks for the chunk again without a reference
        } finally {
            chunk.release();
        }
        assertEquals(0, chunk.refCnt(), "the decoder kept no reference to the frame");
        return outcome;
    }
}
