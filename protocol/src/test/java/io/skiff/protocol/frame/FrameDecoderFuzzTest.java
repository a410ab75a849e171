package io.skiff.protocol.frame;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.skiff.protocol.ProtocolLimits;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link FrameDecoder} over any bytes, as a receiver or sender reads them from a peer: they decode to
 * frames, then at most one {@link DecodeFailure}, the last message; nothing is thrown out of the pipeline.
 * The same bytes arriving in small reads decode to the same messages. Every frame keeps the limits the
 * engine indexes by (ordinals, lengths), and encodes to bytes that decode to it again. Every buffer is
 * released once the frames are (a {@link TrackingAllocator} fails the input, not just the leak log).
 * Seeds: {@code FrameDecoderFuzzTestInputs/}, written by {@link io.skiff.protocol.ProtocolFuzzSeeds}.
 */
class FrameDecoderFuzzTest {
    private final TrackingAllocator alloc = new TrackingAllocator();

    @FuzzTest(maxDuration = "30s")
    void shouldYieldFramesThenAtMostOneFailure(byte[] wire) {
        List<Object> whole = decode(wire, false);
        List<Object> pieces = decode(wire, true);
        try {
            for (int i = 0; i < whole.size(); i++) {
                if (whole.get(i) instanceof Frame frame) {
                    assertWithinLimits(frame);
                    assertReencodes(frame);
                } else {
                    assertInstanceOf(DecodeFailure.class, whole.get(i));
                    assertEquals(whole.size() - 1, i, "a DecodeFailure is the last message");
                }
            }
            assertEquals(describe(whole), describe(pieces), "the same messages whether the bytes come in one read or many");
        } finally {
            releaseAll(whole);
            releaseAll(pieces);
        }
        alloc.assertAllReleased("after the input");
    }

    /** Feeds {@code wire} in one write, or in pieces of 1 to 7 bytes; returns every message after closing. */
    private List<Object> decode(byte[] wire, boolean inPieces) {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder());
        channel.config().setAllocator(alloc);
        List<Object> out = new ArrayList<>();
        try {
            for (int at = 0, piece = 0; at < wire.length; piece++) {
                int size = inPieces ? Math.min(1 + piece % 7, wire.length - at) : wire.length;
                channel.writeInbound(alloc.buffer(size).writeBytes(wire, at, size)); // rethrows what the pipeline caught
                at += size;
            }
            channel.finish();
            for (Object message = channel.readInbound(); message != null; message = channel.readInbound()) {
                out.add(message);
            }
        } catch (RuntimeException | Error e) {
            releaseAll(out);
            channel.finishAndReleaseAll();
            throw e;
        }
        return out;
    }

    /** What the engine relies on before it indexes its plan and manifest with a frame's numbers. */
    private static void assertWithinLimits(Frame frame) {
        if (frame instanceof ChunkFrame chunk) {
            assertTrue(chunk.ordinal() >= 0, chunk::toString);
            assertTrue(chunk.rawLength() >= 1 && chunk.rawLength() <= ProtocolLimits.MAX_CHUNK_BYTES, chunk::toString);
        } else if (frame instanceof RefetchFrame refetch) {
            int[] ordinals = refetch.ordinals();
            for (int i = 0; i < ordinals.length; i++) {
                assertTrue(ordinals[i] >= 0 && (i == 0 || ordinals[i] > ordinals[i - 1]), refetch::toString);
            }
        } else if (frame instanceof WantFrame want) {
            assertTrue(want.chunkCount() <= ProtocolLimits.MAX_CHUNKS && want.wanted().length() <= want.chunkCount(), want::toString);
        }
    }

    /** A frame the decoder accepted is one the encoder writes, and it reads back as the same frame. */
    private void assertReencodes(Frame frame) {
        byte[] encoded = encode(frame);
        List<Object> again = decode(encoded, false);
        try {
            assertEquals(1, again.size(), again::toString);
            assertEquals(HexFormat.of().formatHex(encoded), HexFormat.of().formatHex(encode(assertInstanceOf(Frame.class, again.get(0)))));
        } finally {
            releaseAll(again);
        }
    }

    private byte[] encode(Frame frame) {
        ByteBuf head = frame instanceof ChunkFrame chunk ? FrameEncoder.chunkHeader(alloc, chunk) : FrameEncoder.encode(alloc, frame);
        try {
            if (frame instanceof ChunkFrame chunk) {
                head.writeBytes(chunk.payload(), chunk.payload().readerIndex(), chunk.payload().readableBytes());
            }
            return ByteBufUtil.getBytes(head);
        } finally {
            head.release();
        }
    }

    /** Frames by their encoding (frame records holding arrays do not compare by content), failures by code and message. */
    private List<String> describe(List<Object> messages) {
        List<String> described = new ArrayList<>();
        for (Object message : messages) {
            described.add(message instanceof Frame frame ? frame.type() + " " + HexFormat.of().formatHex(encode(frame)) : message.toString());
        }
        return described;
    }

    private static void releaseAll(List<Object> messages) {
        messages.forEach(ReferenceCountUtil::release);
        messages.clear();
    }
}
