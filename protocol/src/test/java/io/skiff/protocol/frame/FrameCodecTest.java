package io.skiff.protocol.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import io.netty.util.ReferenceCountUtil;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.KeyRotation;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.ProtocolLimits;
import io.skiff.protocol.ReleaseStatement;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SignedKeyRotation;
import io.skiff.protocol.SignedRelease;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link FrameEncoder} and {@link FrameDecoder}, each driven alone in an {@link EmbeddedChannel}. Every
 * buffer comes from a {@link TrackingAllocator}, and each test ends by asserting that all of them were
 * released: a leak fails the test instead of only being logged by the paranoid leak detector.
 */
class FrameCodecTest {
    private static final Sha256 ID = Sha256.digest("release".getBytes(StandardCharsets.UTF_8));
    private static final Sha256 OTHER_ID = Sha256.digest("base".getBytes(StandardCharsets.UTF_8));
    private static final HelloFrame HELLO = new HelloFrame(FrameDescriptor.PROTOCOL_VERSION, "peer");

    private final TrackingAllocator alloc = new TrackingAllocator();

    @AfterEach
    void assertEveryBufferReleased() {
        alloc.assertAllReleased("end of test");
    }

    // ---- round trips -------------------------------------------------------------------------------

    @Test
    void shouldDecodeSameFrameWhenEachFrameTypeIsEncodedAlone() {
        List<Supplier<Frame>> samples = sampleFrames();
        Set<FrameType> covered = EnumSet.noneOf(FrameType.class);
        for (Supplier<Frame> sample : samples) {
            Frame expected = sample.get();
            List<Object> out = decode(encode(sample.get()));
            try {
                assertEquals(1, out.size(), () -> "for " + expected + ": " + out);
                assertFrameEquals(expected, out.get(0));
                covered.add(expected.type());
            } finally {
                releaseAll(out);
                ReferenceCountUtil.release(expected);
            }
        }
        covered.add(FrameType.RAW_RUN); // not a Frame of its own: it decodes to CHUNK frames (its own test below)
        assertEquals(EnumSet.allOf(FrameType.class), covered);
    }

    @Test
    void shouldDecodeAllFramesInOrderWhenSeveralArriveInOneBuffer() {
        assertRoundTrip(wire -> List.of(wire));
    }

    @Test
    void shouldDecodeAllFramesInOrderWhenBytesArriveOneAtATime() {
        assertRoundTrip(FrameCodecTest::bytewise);
    }

    @Test
    void shouldDecodeAllFramesInOrderWhenSplitAtRandomPoints() {
        Random random = new Random(0x5B117L);
        for (int i = 0; i < 50; i++) {
            assertRoundTrip(wire -> randomSplit(wire, random));
        }
    }

    @Test
    void shouldWriteDocumentedLayoutWhenEncodingHello() {
        byte[] wire = encode(new HelloFrame(1, "ab"));

        byte[] expected = new Bytes().u32(11).u8(FrameType.HELLO.wire())
                .bytes("SKIF".getBytes(StandardCharsets.US_ASCII)).u16(1).u16(2).bytes("ab".getBytes(StandardCharsets.US_ASCII))
                .toByteArray();
        assertArrayEquals(expected, wire);
    }

    @Test
    void shouldWriteHeaderThenSamePayloadBufferWhenEncodingChunk() {
        ByteBuf payload = buffer(sequence(100));
        EmbeddedChannel encoder = encoderChannel();

        assertTrue(encoder.writeOutbound(new ChunkFrame(42, ChunkEncoding.ZSTD, 1000, payload)));

        ByteBuf header = encoder.readOutbound();
        ByteBuf body = encoder.readOutbound();
        try {
            assertEquals(FrameDescriptor.HEADER_BYTES + FrameDescriptor.CHUNK_HEADER_BYTES, header.readableBytes());
            assertEquals(1 + FrameDescriptor.CHUNK_HEADER_BYTES + 100, header.getInt(0));
            assertEquals(FrameType.CHUNK.wire(), header.getUnsignedByte(4));
            assertEquals(42, header.getInt(5));
            assertEquals(ChunkEncoding.ZSTD.wire(), header.getUnsignedByte(9));
            assertEquals(1000, header.getInt(10));
            assertSame(payload, body, "the payload is passed on without copying");
            assertEquals(1, payload.refCnt(), "the encoder released the frame's own reference");
        } finally {
            header.release();
            body.release();
        }
        assertEquals(0, payload.refCnt());
        assertNull(encoder.readOutbound());
        assertFalse(encoder.finish());
    }

    @Test
    void shouldPreservePayloadAndReleaseItWhenChunkFrameRoundTrips() {
        byte[] data = new byte[64 * 1024];
        new Random(64).nextBytes(data);
        ByteBuf payload = buffer(data);

        byte[] wire = encode(new ChunkFrame(3, ChunkEncoding.RAW, data.length, payload));
        assertEquals(0, payload.refCnt(), "encoder released the payload once written");

        List<Object> out = decode(wire);
        assertEquals(1, out.size());
        ChunkFrame chunk = assertInstanceOf(ChunkFrame.class, out.get(0));
        ByteBuf decodedPayload = chunk.payload();
        try {
            assertEquals(3, chunk.ordinal());
            assertEquals(ChunkEncoding.RAW, chunk.encoding());
            assertEquals(data.length, chunk.rawLength());
            assertArrayEquals(data, ByteBufUtil.getBytes(chunk.payload()));
            assertEquals(1, chunk.refCnt(), "the decoder keeps no reference of its own");
        } finally {
            chunk.release();
        }
        assertEquals(0, chunk.refCnt());
        assertEquals(0, decodedPayload.refCnt());
    }

    @Test
    void shouldSliceAChunkFromItsReadWithoutCopyingWhileAnEarlierChunkStillHoldsThePreviousRead() {
        byte[] a = sequence(1000);
        byte[] b = randomBytes(new Random(5), 3000);
        byte[] c = randomBytes(new Random(6), 2000);
        byte[] wire = encode(new ChunkFrame(0, ChunkEncoding.RAW, a.length, buffer(a)),
                new ChunkFrame(1, ChunkEncoding.RAW, b.length, buffer(b)), new ChunkFrame(2, ChunkEncoding.RAW, c.length, buffer(c)));
        int cut = wire.length - c.length - 1500; // read 1: A and the start of B; read 2: the rest of B, then C
        EmbeddedChannel decoder = decoderChannel(new FrameDecoder());
        List<Object> out = new ArrayList<>();
        try {
            decoder.writeInbound(buffer(Arrays.copyOfRange(wire, 0, cut)));
            drain(decoder, out);
            assertEquals(1, out.size(), "A is whole, B is pending, and A's slice keeps the first read shared");
            ByteBuf secondRead = buffer(Arrays.copyOfRange(wire, cut, wire.length));
            decoder.writeInbound(secondRead);
            drain(decoder, out);
            assertEquals(3, out.size());
            ChunkFrame chunkB = assertInstanceOf(ChunkFrame.class, out.get(1));
            ChunkFrame chunkC = assertInstanceOf(ChunkFrame.class, out.get(2));
            assertArrayEquals(b, ByteBufUtil.getBytes(chunkB.payload()), "the frame spanning both reads");

            assertTrue(secondRead.refCnt() > 0, "the second read is kept as it is, not copied into a new buffer and released");
            secondRead.setByte(secondRead.capacity() - 1, c[c.length - 1] ^ 0x5a); // C's last byte, in the read buffer
            assertEquals((byte) (c[c.length - 1] ^ 0x5a), chunkC.payload().getByte(c.length - 1),
                    "C's payload is a view of the second read, not a copy of it");
        } finally {
            releaseAll(out);
            decoder.finishAndReleaseAll();
        }
    }

    @Test
    void shouldDecodeARawRunIntoOneChunkFramePerChunkHoweverItsBytesArrive() {
        Random random = new Random(17);
        int[] lengths = {3000, 1, 65536, 777};
        byte[][] chunks = new byte[lengths.length][];
        ByteBuf header = FrameEncoder.rawRunHeader(alloc, 41, lengths, lengths.length);
        byte[] wire = ByteBufUtil.getBytes(header);
        header.release();
        for (int i = 0; i < lengths.length; i++) {
            chunks[i] = randomBytes(random, lengths[i]);
            wire = concat(wire, chunks[i]);
        }
        wire = concat(wire, encode(new CommitFrame(ID)));
        assertEquals(FrameDescriptor.HEADER_BYTES + FrameDescriptor.RUN_HEADER_BYTES + 4 * lengths.length
                + Arrays.stream(lengths).sum() + encode(new CommitFrame(ID)).length, wire.length, "the documented layout");

        for (List<byte[]> pieces : List.of(List.of(wire), bytewise(wire), randomSplit(wire, new Random(3)))) {
            List<Object> out = decode(pieces);
            try {
                assertEquals(lengths.length + 1, out.size(), out::toString);
                for (int i = 0; i < lengths.length; i++) {
                    ChunkFrame chunk = assertInstanceOf(ChunkFrame.class, out.get(i));
                    assertEquals(41 + i, chunk.ordinal());
                    assertEquals(ChunkEncoding.RAW, chunk.encoding());
                    assertEquals(lengths[i], chunk.rawLength());
                    assertArrayEquals(chunks[i], ByteBufUtil.getBytes(chunk.payload()));
                }
                assertEquals(new CommitFrame(ID), out.get(lengths.length), "the frame after the run");
            } finally {
                releaseAll(out);
            }
        }
    }

    @Test
    void shouldPassEachChunkOfARawRunOnAsSoonAsItsBytesHaveArrived() {
        int[] lengths = {1000, 2000, 3000};
        ByteBuf header = FrameEncoder.rawRunHeader(alloc, 7, lengths, lengths.length);
        byte[] wire = concat(ByteBufUtil.getBytes(header), sequence(6000));
        header.release();
        int firstChunkEnds = wire.length - 5000;
        EmbeddedChannel decoder = decoderChannel(new FrameDecoder());
        List<Object> out = new ArrayList<>();
        try {
            decoder.writeInbound(buffer(Arrays.copyOfRange(wire, 0, firstChunkEnds + 1999)));
            drain(decoder, out);
            assertEquals(1, out.size(), "the first chunk is whole; the second lacks a byte");
            assertEquals(7, assertInstanceOf(ChunkFrame.class, out.get(0)).ordinal());
            decoder.writeInbound(buffer(Arrays.copyOfRange(wire, firstChunkEnds + 1999, wire.length)));
            drain(decoder, out);
            assertEquals(3, out.size());
            assertArrayEquals(Arrays.copyOfRange(sequence(6000), 3000, 6000), ByteBufUtil.getBytes(((ChunkFrame) out.get(2)).payload()));
        } finally {
            releaseAll(out);
            decoder.finishAndReleaseAll();
        }
    }

    @Test
    void shouldRefuseToWriteARawRunHeaderTheDecoderWouldRefuse() {
        assertThrows(IllegalArgumentException.class, () -> FrameEncoder.rawRunHeader(alloc, 0, new int[0], 0));
        assertThrows(IllegalArgumentException.class, () -> FrameEncoder.rawRunHeader(alloc, 0, new int[]{5, 0}, 2));
        assertThrows(IllegalArgumentException.class, () -> FrameEncoder.rawRunHeader(alloc, Integer.MAX_VALUE, new int[]{1, 1}, 2));
        assertThrows(IllegalArgumentException.class, () -> FrameEncoder.rawRunHeader(alloc, 0,
                new int[]{ProtocolLimits.MAX_CHUNK_BYTES, ProtocolLimits.MAX_CHUNK_BYTES}, 2), "above MAX_FRAME_BYTES");
    }

    @Test
    void shouldDecodeChunkWhenFrameIsExactlyMaxFrameBytes() {
        int payloadBytes = ProtocolLimits.MAX_FRAME_BYTES - FrameDescriptor.TYPE_BYTES - FrameDescriptor.CHUNK_HEADER_BYTES;
        byte[] wire = encode(new ChunkFrame(0, ChunkEncoding.ZSTD, ProtocolLimits.MAX_CHUNK_BYTES, buffer(new byte[payloadBytes])));

        List<Object> out = decode(wire);
        try {
            assertEquals(1, out.size());
            assertEquals(payloadBytes, assertInstanceOf(ChunkFrame.class, out.get(0)).payload().readableBytes());
        } finally {
            releaseAll(out);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 8, 9, 1000})
    void shouldRoundTripWantBitmapWhenChunkCountIs(int chunkCount) {
        for (BitSet wanted : bitPatterns(chunkCount)) {
            byte[] wire = encode(new WantFrame(chunkCount, wanted));

            int bitmapBytes = (chunkCount + 7) / 8;
            if (wire[13] == FrameDescriptor.WANT_BITMAP) {
                assertEquals(FrameDescriptor.HEADER_BYTES + 9 + bitmapBytes, wire.length, "trailing zero bytes are written");
            } else {
                assertEquals(FrameDescriptor.WANT_RUNS, wire[13]);
                assertTrue(wire.length < FrameDescriptor.HEADER_BYTES + 9 + bitmapBytes, "runs only when smaller");
            }
            assertEquals(chunkCount, readInt(wire, 5));
            assertEquals(wanted.cardinality(), readInt(wire, 9));
            List<Object> out = decode(wire);
            assertEquals(List.of(new WantFrame(chunkCount, wanted)), out, () -> "wanted=" + wanted);
        }
    }

    @Test
    void shouldPutBitIIntoByteIDiv8WhenEncodingWant() {
        BitSet wanted = new BitSet();
        wanted.set(1);
        wanted.set(7);
        wanted.set(8);

        byte[] wire = encode(new WantFrame(9, wanted));

        assertArrayEquals(new byte[]{FrameDescriptor.WANT_BITMAP, (byte) 0x82, 0x01}, Arrays.copyOfRange(wire, 13, wire.length));
    }

    @Test
    void shouldSendRunsWhenFewRangesOfManyChunksAreWanted() {
        BitSet wanted = runs(200, 210, 130_000, 130_001);

        byte[] wire = encode(new WantFrame(1_000_000, wanted));

        // gap 200, run 10, gap 129_790, run 1: 2 + 1 + 3 + 1 varint bytes, against a 125,000-byte bitmap
        assertArrayEquals(new byte[]{FrameDescriptor.WANT_RUNS, (byte) 0xc8, 0x01, 0x0a, (byte) 0xfe, (byte) 0xf5, 0x07, 0x01},
                Arrays.copyOfRange(wire, 13, wire.length));
        assertEquals(List.of(new WantFrame(1_000_000, wanted)), decode(wire));
    }

    @Test
    void shouldCarryBaseIdsInOrderWhenEncodingOfferReply() {
        byte[] wire = encode(new OfferReplyFrame(OfferReplyFrame.Decision.SEND_MANIFEST, List.of(OTHER_ID, ID)));

        assertEquals(FrameDescriptor.HEADER_BYTES + 2 + 2 * Sha256.BYTES, wire.length);
        assertEquals(2, wire[6]);
        assertArrayEquals(OTHER_ID.toBytes(), Arrays.copyOfRange(wire, 7, 7 + Sha256.BYTES));
        assertEquals(List.of(new OfferReplyFrame(OfferReplyFrame.Decision.SEND_MANIFEST, List.of(OTHER_ID, ID))), decode(wire));
    }

    @Test
    void shouldReadReferenceWithoutMovingReaderIndex() {
        ByteBuf payload = Unpooled.wrappedBuffer(new byte[]{0, 0, 1, 0, 0, 3, 42});
        try {
            assertEquals(new ChunkReference(256, 3), ChunkReference.peek(payload));
            assertEquals(0, payload.readerIndex());
            assertThrows(ProtocolException.class, () -> ChunkReference.peek(Unpooled.wrappedBuffer(new byte[]{0, 0, 0, 1, 0, 1})),
                    "no zstd bytes after the reference");
            assertThrows(ProtocolException.class, () -> ChunkReference.peek(Unpooled.wrappedBuffer(new byte[]{0, 0, 0, 1, 0, 0, 9})),
                    "an empty reference");
        } finally {
            payload.release();
        }
    }

    @Test
    void shouldMapUnknownErrorCodeToInternalWhenDecodingError() {
        byte[] wire = frame(FrameType.ERROR.wire(), new Bytes().u16(12345).str16("from a newer peer").toByteArray());

        assertEquals(List.of(new ErrorFrame(ErrorCode.INTERNAL, "from a newer peer")), decode(wire));
    }

    @Test
    void shouldEmitNothingMoreWhenStreamEndsInsideFrame() {
        byte[] commit = encode(new CommitFrame(ID));
        byte[] wire = concat(encode(HELLO), Arrays.copyOf(commit, commit.length - 1));

        assertEquals(List.of(HELLO), decode(wire));
    }

    // ---- decoder failures --------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(longs = {0x7fffffffL, 0xffffffffL, 0x80000000L, ProtocolLimits.MAX_FRAME_BYTES + 1L})
    void shouldEmitOneFrameTooLargeAndIgnoreLaterBytesWithoutAllocatingWhenLengthExceedsMax(long length) {
        EmbeddedChannel decoder = decoderChannel(new FrameDecoder());
        ByteBuf first = buffer(new Bytes().u32((int) length).u8(FrameType.CHUNK.wire()).bytes(new byte[16]).toByteArray());
        int allocations = alloc.allocations();

        decoder.writeInbound(first);

        DecodeFailure failure = assertInstanceOf(DecodeFailure.class, decoder.readInbound());
        assertEquals(ErrorCode.FRAME_TOO_LARGE, failure.code(), failure.message());
        assertNull(decoder.readInbound());
        assertEquals(0, first.refCnt(), "nothing is kept for the oversized frame");
        assertEquals(allocations, alloc.allocations(), "the decoder allocated");

        Random random = new Random(length);
        byte[] hello = encode(HELLO);
        for (int i = 0; i < 100; i++) {
            byte[] garbage = new byte[1024];
            random.nextBytes(garbage);
            ByteBuf more = buffer(i % 2 == 0 ? garbage : hello);
            allocations = alloc.allocations();

            decoder.writeInbound(more);

            assertNull(decoder.readInbound(), "input after a failure must be ignored");
            assertEquals(0, more.refCnt(), "ignored input is released at once");
            assertEquals(allocations, alloc.allocations(), "the decoder allocated for ignored input");
        }
        assertFalse(decoder.finish());
    }

    @Test
    void shouldRejectFrameWhenLongerThanConfiguredMax() {
        byte[] fits = frame(FrameType.MANIFEST_PART.wire(), new byte[63]);
        byte[] tooLong = frame(FrameType.MANIFEST_PART.wire(), new byte[64]);

        List<Object> out = decode(new FrameDecoder(64), List.of(concat(fits, tooLong)));

        assertEquals(2, out.size(), out::toString);
        assertArrayEquals(new byte[63], assertInstanceOf(ManifestPartFrame.class, out.get(0)).bytes());
        assertFailure(ErrorCode.FRAME_TOO_LARGE, out);
    }

    @Test
    void shouldThrowWhenConfiguredMaxIsOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> new FrameDecoder(63));
        assertThrows(IllegalArgumentException.class, () -> new FrameDecoder(ProtocolLimits.MAX_FRAME_BYTES + 1));
    }

    static Stream<Arguments> invalidFrames() {
        byte[] validHello = helloBody(FrameDescriptor.MAGIC, "peer");
        int hello = FrameType.HELLO.wire();
        int offer = FrameType.OFFER.wire();
        int reply = FrameType.OFFER_REPLY.wire();
        int want = FrameType.WANT.wire();
        int chunk = FrameType.CHUNK.wire();
        int commit = FrameType.COMMIT.wire();
        int activated = FrameType.ACTIVATED.wire();
        int error = FrameType.ERROR.wire();
        int run = FrameType.RAW_RUN.wire();
        ErrorCode malformed = ErrorCode.MALFORMED;
        return Stream.of(
                invalid("length 0", new Bytes().u32(0).u8(hello).toByteArray(), malformed),
                invalid("type 0", frame(0, new byte[0]), ErrorCode.UNKNOWN_FRAME_TYPE),
                invalid("FOLLOW channel longer than body", frame(FrameType.FOLLOW.wire(), new byte[]{0, 9, 'a'}), malformed),
                invalid("FOLLOW_WAIT empty", frame(FrameType.FOLLOW_WAIT.wire(), new byte[0]), malformed),
                invalid("FOLLOW_WAIT held id truncated", frame(FrameType.FOLLOW_WAIT.wire(),
                        new Bytes().str16("c").bytes(new byte[Sha256.BYTES - 1]).toByteArray()), malformed),
                invalid("FOLLOW_WAIT without max wait", frame(FrameType.FOLLOW_WAIT.wire(),
                        new Bytes().str16("c").bytes(ID.toBytes()).u8(0).toByteArray()), malformed),
                invalid("FOLLOW_WAIT max wait above limit", frame(FrameType.FOLLOW_WAIT.wire(),
                        new Bytes().str16("c").bytes(ID.toBytes()).u16(ProtocolLimits.MAX_FOLLOW_WAIT_SECONDS + 1).toByteArray()), malformed),
                invalid("FOLLOW_WAIT max wait 65535", frame(FrameType.FOLLOW_WAIT.wire(),
                        new Bytes().str16("c").bytes(ID.toBytes()).u16(0xFFFF).toByteArray()), malformed),
                invalid("FOLLOW_WAIT channel invalid UTF-8", frame(FrameType.FOLLOW_WAIT.wire(),
                        new Bytes().str16(hex("ff")).bytes(ID.toBytes()).u16(30).toByteArray()), malformed),
                invalid("FOLLOW_WAIT channel above label limit", frame(FrameType.FOLLOW_WAIT.wire(),
                        new Bytes().str16("a".repeat(ProtocolLimits.MAX_LABEL_BYTES + 1)).bytes(ID.toBytes()).u16(30).toByteArray()), malformed),
                invalid("FOLLOW_WAIT trailing byte", frame(FrameType.FOLLOW_WAIT.wire(),
                        new Bytes().str16("c").bytes(ID.toBytes()).u16(30).u8(0).toByteArray()), malformed),
                invalid("type 21", frame(21, new byte[4]), ErrorCode.UNKNOWN_FRAME_TYPE),
                invalid("SIGNED not a release statement", frame(FrameType.SIGNED.wire(), new byte[4]), malformed),
                invalid("SIGNED of no signatures", frame(FrameType.SIGNED.wire(), concat(new ReleaseStatement("c", "v", ID, 0, 1, false)
                        .canonicalBytes(), new byte[]{0})), malformed),
                invalid("SIGNED above its limit", frame(FrameType.SIGNED.wire(), new byte[ProtocolLimits.MAX_SIGNED_RELEASE_BYTES + 1]), malformed),
                invalid("ROTATION not a key rotation", frame(FrameType.ROTATION.wire(), new byte[4]), malformed),
                invalid("ROTATION without its signature count", frame(FrameType.ROTATION.wire(),
                        new KeyRotation("*", 1, 1, List.of(sequence(44))).canonicalBytes()), malformed),
                invalid("ROTATION with a trailing byte", frame(FrameType.ROTATION.wire(), concat(new SignedKeyRotation(
                        new KeyRotation("*", 1, 1, List.of(sequence(44))), List.of()).encode(), new byte[1])), malformed),
                invalid("ROTATION above its limit", frame(FrameType.ROTATION.wire(), new byte[ProtocolLimits.MAX_KEY_ROTATION_BYTES + 1]), malformed),
                invalid("RAW_RUN of no chunks", frame(run, new Bytes().u32(0).u16(0).toByteArray()), malformed),
                invalid("RAW_RUN above MAX_RUN_CHUNKS", frame(run, runBody(0, ProtocolLimits.MAX_RUN_CHUNKS + 1, 1)), malformed),
                invalid("RAW_RUN negative first ordinal", frame(run, runBody(-1, 1, 1)), malformed),
                invalid("RAW_RUN past the largest ordinal", frame(run, runBody(Integer.MAX_VALUE, 2, 1)), malformed),
                invalid("RAW_RUN chunk length 0", frame(run, new Bytes().u32(0).u16(2).u32(1).u32(0).u8(7).toByteArray()), malformed),
                invalid("RAW_RUN chunk length above MAX_CHUNK_BYTES", frame(run,
                        new Bytes().u32(0).u16(1).u32(ProtocolLimits.MAX_CHUNK_BYTES + 1).u8(7).toByteArray()), malformed),
                invalid("RAW_RUN lengths above its body", frame(run, new Bytes().u32(0).u16(2).u32(1).u32(2).u8(7).u8(7).toByteArray()), malformed),
                invalid("RAW_RUN lengths below its body", frame(run, new Bytes().u32(0).u16(1).u32(1).u8(7).u8(7).toByteArray()), malformed),
                invalid("RAW_RUN truncated lengths", frame(run, new Bytes().u32(0).u16(3).u32(1).toByteArray()), malformed),
                invalid("type 31", frame(31, new byte[4]), ErrorCode.UNKNOWN_FRAME_TYPE),
                invalid("JOIN truncated id", frame(FrameType.JOIN.wire(), new Bytes().str16("c").bytes(new byte[31]).toByteArray()), malformed),
                invalid("type 255", frame(255, new byte[4]), ErrorCode.UNKNOWN_FRAME_TYPE),
                invalid("HELLO with 2 bytes", frame(hello, new byte[]{0x53, 0x4B}), malformed),
                invalid("HELLO with empty body", frame(hello, new byte[0]), malformed),
                invalid("HELLO without peer name", frame(hello, new Bytes().u32(FrameDescriptor.MAGIC).u16(1).toByteArray()), malformed),
                invalid("HELLO with bad magic", frame(hello, helloBody(0x534B4947, "peer")), malformed),
                invalid("HELLO with trailing byte", frame(hello, concat(validHello, new byte[1])), malformed),
                invalid("HELLO peer name longer than body",
                        frame(hello, new Bytes().u32(FrameDescriptor.MAGIC).u16(1).u16(10).u8('a').toByteArray()), malformed),
                invalid("HELLO peer name above label limit", frame(hello, helloBody(FrameDescriptor.MAGIC,
                        "a".repeat(ProtocolLimits.MAX_LABEL_BYTES + 1))), malformed),
                invalid("HELLO peer name invalid UTF-8", frame(hello, helloBody(FrameDescriptor.MAGIC, hex("61c328"))), malformed),
                invalid("HELLO peer name overlong UTF-8", frame(hello, helloBody(FrameDescriptor.MAGIC, hex("c0af"))), malformed),
                invalid("HELLO peer name UTF-8 surrogate", frame(hello, helloBody(FrameDescriptor.MAGIC, hex("eda080"))), malformed),
                invalid("OFFER with truncated id", frame(offer, new byte[10]), malformed),
                invalid("OFFER manifest length 0", frame(offer, offerBody(0, "ch".getBytes(StandardCharsets.UTF_8))),
                        ErrorCode.MANIFEST_INVALID),
                invalid("OFFER manifest length above limit", frame(offer, offerBody(
                        (int) (ProtocolLimits.MAX_MANIFEST_BYTES + 1), "ch".getBytes(StandardCharsets.UTF_8))), ErrorCode.MANIFEST_INVALID),
                invalid("OFFER manifest length 2^32-1", frame(offer, offerBody(-1, "ch".getBytes(StandardCharsets.UTF_8))),
                        ErrorCode.MANIFEST_INVALID),
                invalid("OFFER channel invalid UTF-8", frame(offer, offerBody(100, hex("ff"))), malformed),
                invalid("OFFER_REPLY empty", frame(reply, new byte[0]), malformed),
                invalid("OFFER_REPLY decision 0", frame(reply, new byte[]{0}), malformed),
                invalid("OFFER_REPLY decision 4", frame(reply, new byte[]{4}), malformed),
                invalid("OFFER_REPLY without base count", frame(reply, new byte[]{1}), malformed),
                invalid("OFFER_REPLY trailing byte", frame(reply, new byte[]{1, 0, 0}), malformed),
                invalid("OFFER_REPLY base count above limit", frame(reply, new Bytes().u8(2).u8(ProtocolLimits.MAX_BASES + 1)
                        .bytes(new byte[Sha256.BYTES * (ProtocolLimits.MAX_BASES + 1)]).toByteArray()), malformed),
                invalid("OFFER_REPLY base id truncated", frame(reply, new Bytes().u8(2).u8(1).bytes(new byte[31]).toByteArray()), malformed),
                invalid("BASE truncated", frame(FrameType.BASE.wire(), new byte[Sha256.BYTES + 4]), malformed),
                invalid("BASE unknown manifest encoding", frame(FrameType.BASE.wire(),
                        new Bytes().bytes(ID.toBytes()).u8(3).u32(10).toByteArray()), malformed),
                invalid("BASE manifest against no base", frame(FrameType.BASE.wire(),
                        new Bytes().bytes(new byte[Sha256.BYTES]).u8(2).u32(10).toByteArray()), malformed),
                invalid("BASE manifest length above limit", frame(FrameType.BASE.wire(),
                        new Bytes().bytes(ID.toBytes()).u8(0).u32(-1).toByteArray()), malformed),
                invalid("RELAY to no target", frame(FrameType.RELAY.wire(), new Bytes().u16(0).toByteArray()), malformed),
                invalid("RELAY above target limit", frame(FrameType.RELAY.wire(),
                        new Bytes().u16(ProtocolLimits.MAX_RELAY_TARGETS + 1).toByteArray()), malformed),
                invalid("RELAY negative bandwidth limit", frame(FrameType.RELAY.wire(),
                        new Bytes().u16(1).str16("h:1").u32(-1).u32(0).toByteArray()), malformed),
                invalid("RELAY target truncated", frame(FrameType.RELAY.wire(), new Bytes().u16(2).str16("h:1").u32(0).u32(0).toByteArray()),
                        malformed),
                invalid("HELLO peer name with a newline", frame(FrameType.HELLO.wire(), new Bytes().u32(FrameDescriptor.MAGIC).u16(4)
                        .str16("sender\n[main] INFO forged line").toByteArray()), malformed),
                invalid("OFFER version with an escape", frame(FrameType.OFFER.wire(), new Bytes().bytes(new byte[32]).u32(100).str16("icd10cm")
                        .str16("2027\u001b[2J").toByteArray()), malformed),
                invalid("AUDIT_HEAD record 0", frame(FrameType.AUDIT_HEAD.wire(), new Bytes().bytes(new byte[32]).u32(0).u32(0)
                        .bytes(new byte[32]).toByteArray()), malformed),
                invalid("AUDIT_HEAD truncated", frame(FrameType.AUDIT_HEAD.wire(), new Bytes().bytes(new byte[32]).u32(0).u32(1).toByteArray()),
                        malformed),
                invalid("AUDIT_HEAD trailing byte", frame(FrameType.AUDIT_HEAD.wire(), new Bytes().bytes(new byte[32]).u32(0).u32(1)
                        .bytes(new byte[33]).toByteArray()), malformed),
                invalid("RELAY_STATUS audit head flag 2", frame(FrameType.RELAY_STATUS.wire(), new Bytes().bytes(relayStatusBody(1, 3, 0))
                        .u8(2).bytes(new byte[32]).u32(0).u32(1).bytes(new byte[32]).toByteArray()), malformed),
                invalid("RELAY_STATUS audit head on a progress report", frame(FrameType.RELAY_STATUS.wire(), new Bytes().bytes(relayStatusBody(0, 3, 0))
                        .u8(1).bytes(new byte[32]).u32(0).u32(1).bytes(new byte[32]).toByteArray()), malformed),
                invalid("RELAY_STATUS audit head truncated", frame(FrameType.RELAY_STATUS.wire(), new Bytes().bytes(relayStatusBody(1, 3, 0))
                        .u8(1).bytes(new byte[32]).toByteArray()), malformed),
                invalid("RELAY_STATUS unknown state", frame(FrameType.RELAY_STATUS.wire(), relayStatusBody(9, 3, 0)), malformed),
                invalid("RELAY_STATUS wrong encoding count", frame(FrameType.RELAY_STATUS.wire(), relayStatusBody(0, 2, 0)), malformed),
                invalid("RELAY_STATUS failed without a code", frame(FrameType.RELAY_STATUS.wire(), relayStatusBody(3, 3, 0)), malformed),
                invalid("RELAY_STATUS activated with a code", frame(FrameType.RELAY_STATUS.wire(), relayStatusBody(1, 3, 14)), malformed),
                invalid("REFETCH empty", frame(FrameType.REFETCH.wire(), new Bytes().u32(0).toByteArray()), malformed),
                invalid("REFETCH count beyond body", frame(FrameType.REFETCH.wire(), new Bytes().u32(2).u32(1).toByteArray()), malformed),
                invalid("REFETCH count above limit", frame(FrameType.REFETCH.wire(),
                        new Bytes().u32(ProtocolLimits.MAX_REFETCH + 1).toByteArray()), malformed),
                invalid("REFETCH not ascending", frame(FrameType.REFETCH.wire(), new Bytes().u32(2).u32(5).u32(5).toByteArray()), malformed),
                invalid("REFETCH negative ordinal", frame(FrameType.REFETCH.wire(), new Bytes().u32(1).u32(-1).toByteArray()), malformed),
                invalid("WANT unknown form", frame(want, new Bytes().u32(8).u32(0).u8(2).toByteArray()), malformed),
                invalid("WANT run of length 0", frame(want, new Bytes().u32(8).u32(0).u8(1).u8(0).u8(0).toByteArray()), malformed),
                invalid("WANT run beyond chunk count", frame(want, new Bytes().u32(8).u32(3).u8(1).u8(6).u8(3).toByteArray()), malformed),
                invalid("WANT runs not separated", frame(want, new Bytes().u32(8).u32(4).u8(1).u8(0).u8(2).u8(0).u8(2).toByteArray()), malformed),
                invalid("WANT run count mismatch", frame(want, new Bytes().u32(8).u32(3).u8(1).u8(1).u8(2).toByteArray()), malformed),
                invalid("WANT run truncated varint", frame(want, new Bytes().u32(8).u32(1).u8(1).u8(0x80).toByteArray()), malformed),
                invalid("WANT run varint too long", frame(want, new Bytes().u32(8).u32(1).u8(1)
                        .u8(0xff).u8(0xff).u8(0xff).u8(0xff).u8(0x7f).u8(1).toByteArray()), malformed),
                invalid("WANT with truncated counts", frame(want, new byte[6]), malformed),
                invalid("WANT wanted count above bitmap cardinality", frame(want, wantBody(8, 2, 0x01)), malformed),
                invalid("WANT wanted count below bitmap cardinality", frame(want, wantBody(8, 1, 0x03)), malformed),
                invalid("WANT wanted count above chunk count", frame(want, wantBody(8, 9, 0xff)), malformed),
                invalid("WANT bitmap one byte short", frame(want, wantBody(9, 1, 0x01)), malformed),
                invalid("WANT bitmap one byte long", frame(want, wantBody(8, 1, 0x01, 0x00)), malformed),
                invalid("WANT bit set beyond chunk count", frame(want, wantBody(9, 1, 0x00, 0x02)), malformed),
                invalid("WANT chunk count above MAX_CHUNKS", frame(want, wantBody(ProtocolLimits.MAX_CHUNKS + 1, 0)), malformed),
                invalid("WANT chunk count 2^32-1", frame(want, wantBody(-1, 0)), malformed),
                invalid("CHUNK rawLength 0", frame(chunk, chunkBody(1, 0, 0, 16)), malformed),
                invalid("CHUNK rawLength above MAX_CHUNK_BYTES", frame(chunk, chunkBody(1, 0, ProtocolLimits.MAX_CHUNK_BYTES + 1, 16)), malformed),
                invalid("CHUNK rawLength 2^32-1", frame(chunk, chunkBody(1, 1, -1, 16)), malformed),
                invalid("CHUNK unknown encoding", frame(chunk, chunkBody(1, 3, 16, 16)), malformed),
                invalid("CHUNK negative ordinal", frame(chunk, chunkBody(-1, 0, 16, 16)), malformed),
                invalid("CHUNK truncated header", frame(chunk, new byte[FrameDescriptor.CHUNK_HEADER_BYTES - 1]), malformed),
                invalid("COMMIT truncated id", frame(commit, new byte[Sha256.BYTES - 1]), malformed),
                invalid("COMMIT trailing byte", frame(commit, new byte[Sha256.BYTES + 1]), malformed),
                invalid("ACTIVATED truncated", frame(activated, new byte[Sha256.BYTES + 7]), malformed),
                invalid("ACTIVATED trailing byte", frame(activated, new byte[Sha256.BYTES + 9]), malformed),
                invalid("ERROR truncated code", frame(error, new byte[1]), malformed),
                invalid("ERROR message invalid UTF-8", frame(error, new Bytes().u16(1).str16(hex("e282")).toByteArray()), malformed),
                invalid("ERROR trailing byte", frame(error, new Bytes().u16(1).str16("x").u8(0).toByteArray()), malformed));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidFrames")
    void shouldEmitFramesBeforeThenExactlyOneDecodeFailureWhenFrameIsInvalid(String name, byte[] invalid, ErrorCode expected) {
        // A valid frame before the bad one is delivered; a valid frame after it is ignored.
        byte[] wire = concat(encode(HELLO), invalid, encode(new CommitFrame(ID)));

        for (List<byte[]> pieces : List.of(List.of(wire), bytewise(wire))) {
            List<Object> out = decode(pieces);
            try {
                assertEquals(2, out.size(), () -> pieces.size() + " pieces: " + out);
                assertEquals(HELLO, out.get(0));
                assertFailure(expected, out);
            } finally {
                releaseAll(out);
            }
        }
    }

    @Test
    void shouldDeliverChunkThenFailureWhenGarbageFollowsChunkInSameBuffer() {
        byte[] wire = concat(encode(new ChunkFrame(1, ChunkEncoding.RAW, 3, buffer(new byte[]{1, 2, 3}))),
                new Bytes().u32(0).toByteArray(), encode(HELLO));

        List<Object> out = decode(wire);
        try {
            assertEquals(2, out.size(), out::toString);
            ChunkFrame chunk = assertInstanceOf(ChunkFrame.class, out.get(0));
            assertArrayEquals(new byte[]{1, 2, 3}, ByteBufUtil.getBytes(chunk.payload()));
            assertFailure(ErrorCode.MALFORMED, out);
        } finally {
            releaseAll(out);
        }
    }

    // ---- encoder misuse ----------------------------------------------------------------------------

    @Test
    void shouldThrowAndReleaseBufferWhenEncodingLabelLongerThanLimit() {
        String tooLong = "a".repeat(ProtocolLimits.MAX_LABEL_BYTES + 1);
        for (Frame frame : List.of(new HelloFrame(1, tooLong), new OfferFrame(ID, 10, tooLong, "1"), new OfferFrame(ID, 10, "ch", tooLong),
                new FollowWaitFrame(tooLong, ID, 30))) {
            EmbeddedChannel encoder = encoderChannel();

            EncoderException e = assertThrows(EncoderException.class, () -> encoder.writeOutbound(frame));

            assertInstanceOf(IllegalArgumentException.class, e.getCause());
            assertNull(encoder.readOutbound());
            assertFalse(encoder.finish());
            alloc.assertAllReleased(frame.type() + " with a long label");
        }
    }

    @Test
    void shouldRefuseFollowWaitWhenMaxWaitIsOutsideTheLimit() {
        assertThrows(IllegalArgumentException.class, () -> new FollowWaitFrame("c", ID, -1));
        assertThrows(IllegalArgumentException.class, () -> new FollowWaitFrame("c", ID, ProtocolLimits.MAX_FOLLOW_WAIT_SECONDS + 1));
    }

    @Test
    void shouldThrowAndReleaseBufferWhenManifestPartExceedsMaxFrame() {
        EmbeddedChannel encoder = encoderChannel();
        ManifestPartFrame tooLarge = new ManifestPartFrame(new byte[ProtocolLimits.MAX_FRAME_BYTES]);

        EncoderException e = assertThrows(EncoderException.class, () -> encoder.writeOutbound(tooLarge));

        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertNull(encoder.readOutbound());
        assertFalse(encoder.finish());
    }

    @Test
    void shouldThrowWithoutTouchingPayloadWhenChunkIsPassedToSingleBufferEncode() {
        ChunkFrame chunk = new ChunkFrame(0, ChunkEncoding.RAW, 1, buffer(new byte[]{1}));
        try {
            assertThrows(IllegalArgumentException.class, () -> FrameEncoder.encode(alloc, chunk));
            assertEquals(1, chunk.refCnt(), "the caller still owns the chunk");
        } finally {
            chunk.release();
        }
    }

    @Test
    void shouldTruncateMessageToLabelLimitWhenEncodingLongError() {
        String accented = "\u00e9".repeat(ProtocolLimits.MAX_LABEL_BYTES); // 2 bytes each
        String ascii = "x".repeat(3 * ProtocolLimits.MAX_LABEL_BYTES);

        List<Object> out = decode(concat(encode(new ErrorFrame(ErrorCode.STORAGE_FAILURE, accented)),
                encode(new ErrorFrame(ErrorCode.USAGE, ascii))));

        assertEquals(List.of(
                new ErrorFrame(ErrorCode.STORAGE_FAILURE, "\u00e9".repeat(ProtocolLimits.MAX_LABEL_BYTES / 2)),
                new ErrorFrame(ErrorCode.USAGE, "x".repeat(ProtocolLimits.MAX_LABEL_BYTES))), out);
    }

    @Test
    void shouldThrowAndReleasePayloadWhenChunkPayloadExceedsMaxFrame() {
        ByteBuf payload = buffer(new byte[ProtocolLimits.MAX_FRAME_BYTES]);
        EmbeddedChannel encoder = encoderChannel();

        assertThrows(EncoderException.class,
                () -> encoder.writeOutbound(new ChunkFrame(0, ChunkEncoding.ZSTD, ProtocolLimits.MAX_CHUNK_BYTES, payload)));

        assertEquals(0, payload.refCnt());
        assertNull(encoder.readOutbound());
        assertFalse(encoder.finish());
    }

    @Test
    void shouldThrowAndReleaseBufferWhenWantHasBitsBeyondChunkCount() {
        BitSet sameByte = new BitSet();
        sameByte.set(10); // in the last bitmap byte of a 9-chunk WANT: the encoder must not write it
        BitSet laterByte = new BitSet();
        laterByte.set(20);
        for (WantFrame frame : List.of(new WantFrame(9, sameByte), new WantFrame(8, laterByte))) {
            EmbeddedChannel encoder = encoderChannel();

            EncoderException e = assertThrows(EncoderException.class, () -> encoder.writeOutbound(frame));

            assertInstanceOf(IllegalArgumentException.class, e.getCause());
            assertNull(encoder.readOutbound());
            assertFalse(encoder.finish());
            alloc.assertAllReleased(frame.toString());
        }
    }

    // ---- fuzzing -----------------------------------------------------------------------------------

    @Test
    void shouldOnlyEmitFramesAndAtMostOneFinalFailureWhenFedRandomGarbage() {
        Random random = new Random(0xBADC0DEL);
        byte[] valid = encode(frames(sampleFrames()));
        int frames = 0;
        int failures = 0;
        for (int i = 0; i < 5_000; i++) {
            byte[] input = switch (i % 3) {
                case 0 -> randomBytes(random, random.nextInt(256));
                case 1 -> plausibleFrames(random);
                default -> mutate(valid, random);
            };
            List<Object> out = null;
            try {
                out = decode(randomSplit(input, random));
                for (int k = 0; k < out.size(); k++) {
                    Object o = out.get(k);
                    if (o instanceof DecodeFailure failure) {
                        assertEquals(out.size() - 1, k, "a DecodeFailure is the last output");
                        assertNotNull(failure.code());
                        assertNotNull(failure.message());
                        failures++;
                    } else {
                        assertFrameInvariants(assertInstanceOf(Frame.class, o));
                        frames++;
                    }
                }
            } catch (Throwable t) {
                fail("iteration " + i + ", input " + HexFormat.of().formatHex(input), t);
            } finally {
                if (out != null) {
                    releaseAll(out);
                }
            }
            alloc.assertAllReleased("iteration " + i);
        }
        assertTrue(frames > 1000, "fuzz decoded only " + frames + " frames");
        assertTrue(failures > 1000, "fuzz saw only " + failures + " failures");
    }

    // ---- helpers: channels -------------------------------------------------------------------------

    private EmbeddedChannel decoderChannel(FrameDecoder decoder) {
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        channel.config().setAllocator(alloc);
        return channel;
    }

    private EmbeddedChannel encoderChannel() {
        EmbeddedChannel channel = new EmbeddedChannel(FrameEncoder.INSTANCE);
        channel.config().setAllocator(alloc);
        return channel;
    }

    /** Encodes through a {@link FrameEncoder} channel; the frames (and CHUNK payloads) pass to the encoder. */
    private byte[] encode(Frame... frames) {
        EmbeddedChannel encoder = encoderChannel();
        encoder.writeOutbound((Object[]) frames);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (ByteBuf buf = encoder.readOutbound(); buf != null; buf = encoder.readOutbound()) {
            try {
                wire.writeBytes(ByteBufUtil.getBytes(buf));
            } finally {
                buf.release();
            }
        }
        assertFalse(encoder.finish());
        return wire.toByteArray();
    }

    private List<Object> decode(byte[] wire) {
        return decode(List.of(wire));
    }

    private List<Object> decode(List<byte[]> pieces) {
        return decode(new FrameDecoder(), pieces);
    }

    /** Feeds {@code pieces} one write each, closes the channel and returns all output; the caller releases it. */
    private List<Object> decode(FrameDecoder frameDecoder, List<byte[]> pieces) {
        EmbeddedChannel decoder = decoderChannel(frameDecoder);
        List<Object> out = new ArrayList<>();
        try {
            for (byte[] piece : pieces) {
                decoder.writeInbound(buffer(piece)); // rethrows anything the pipeline caught
                drain(decoder, out);
            }
            decoder.finish();
            drain(decoder, out);
            decoder.checkException();
        } catch (RuntimeException | Error e) {
            releaseAll(out);
            decoder.finishAndReleaseAll();
            throw e;
        }
        return out;
    }

    private static void drain(EmbeddedChannel channel, List<Object> out) {
        for (Object o = channel.readInbound(); o != null; o = channel.readInbound()) {
            out.add(o);
        }
    }

    private ByteBuf buffer(byte[] bytes) {
        return alloc.buffer(bytes.length).writeBytes(bytes);
    }

    private static void releaseAll(List<?> objects) {
        for (Object o : objects) {
            ReferenceCountUtil.release(o);
        }
    }

    // ---- helpers: sample frames --------------------------------------------------------------------

    /** One supplier per sample, so a test gets fresh ChunkFrames (with their own payload) for each use. */
    private List<Supplier<Frame>> sampleFrames() {
        BitSet wanted = new BitSet();
        for (int bit : new int[]{0, 7, 8, 500, 998}) {
            wanted.set(bit);
        }
        Random random = new Random(7);
        byte[] zstdPayload = randomBytes(random, 100);
        return List.of(
                () -> new HelloFrame(FrameDescriptor.PROTOCOL_VERSION, "sender-01 \u00fc\u65e5\uD83D\uDE00"),
                () -> new HelloFrame(65535, ""),
                () -> new OfferFrame(ID, 123_456, "icd10cm", "2026.1"),
                () -> new OfferFrame(ID, (int) ProtocolLimits.MAX_MANIFEST_BYTES, "c", "v"),
                () -> new OfferReplyFrame(OfferReplyFrame.Decision.ALREADY_ACTIVE),
                () -> new OfferReplyFrame(OfferReplyFrame.Decision.SEND_MANIFEST),
                () -> new OfferReplyFrame(OfferReplyFrame.Decision.MANIFEST_KNOWN),
                () -> new OfferReplyFrame(OfferReplyFrame.Decision.SEND_MANIFEST, List.of(ID, OTHER_ID)),
                () -> new BaseFrame(null, BaseFrame.ManifestEncoding.PLAIN, 1234),
                () -> new BaseFrame(OTHER_ID, BaseFrame.ManifestEncoding.ZSTD_BASE, 99),
                () -> new BaseFrame(OTHER_ID, BaseFrame.ManifestEncoding.ZSTD, 0),
                () -> new RefetchFrame(new int[]{0, 3, Integer.MAX_VALUE}),
                () -> new FollowFrame("icd10cm"),
                () -> new JoinFrame("icd10cm", ID),
                () -> new FollowWaitFrame("icd10cm", ID, 30),
                () -> new FollowWaitFrame("snomed \u00fc", null, 0),
                () -> new FollowWaitFrame("c", OTHER_ID, ProtocolLimits.MAX_FOLLOW_WAIT_SECONDS),
                () -> new RelayFrame(List.of(new RelayFrame.Target("10.0.0.2:7070", 0), new RelayFrame.Target("[::1]:7071", 52_428_800))),
                () -> new SignedFrame(new SignedRelease(new ReleaseStatement("icd10cm", "2026.1", ID, 1_765_000_000_000L, 1_767_000_000_000L, false),
                        List.of(new SignedRelease.Signature(OTHER_ID, sequence(64))))),
                () -> new SignedFrame(new SignedRelease(new ReleaseStatement("c", "v", ID, 0, 1, true),
                        List.of(new SignedRelease.Signature(ID, sequence(64)), new SignedRelease.Signature(OTHER_ID, sequence(512))))),
                () -> new RotationFrame(new SignedKeyRotation(new KeyRotation("*", 1, 2, List.of(sequence(44), randomBytes(new Random(9), 44))),
                        List.of(new SignedRelease.Signature(ID, sequence(64)), new SignedRelease.Signature(OTHER_ID, sequence(64))))),
                () -> new RotationFrame(new SignedKeyRotation(new KeyRotation("snomed-*", KeyRotation.MAX_SEQUENCE, 1, List.of(sequence(1))),
                        List.of())),
                () -> new RelayStatusFrame(3, RelayStatusFrame.State.SENDING, 123_456_789_012L, 987_654_321_098L, 1_500_000_000_000L, 40, 2, 1, 977, 1500, 1, OTHER_ID,
                        new long[]{1, 2, 37}, new long[]{65536, 900, 12_000}, null, ""),
                () -> new RelayStatusFrame(0, RelayStatusFrame.State.FAILED, 0, 0, 0, 0, 0, 0, 0, 0, 4, null,
                        new long[3], new long[3], ErrorCode.CONNECT_FAILED, "cannot connect to h2:7070: connection refused"),
                () -> new RelayStatusFrame(2, RelayStatusFrame.State.ACTIVATED, 900, 4_000, 4_000, 3, 0, 0, 700, 12, 1, null,
                        new long[]{3, 0, 0}, new long[]{4_000, 0, 0}, null, "", new AuditHeadFrame(ID, 77, OTHER_ID)),
                () -> new ChunkFrame(9, ChunkEncoding.ZSTD_REF, 65536, buffer(concat(new byte[]{0, 0, 0, 7, 0, 2}, zstdPayload))),
                () -> new WantFrame(100_000, runs(0, 3, 5000, 5001, 99_999, 100_000)),
                () -> new ManifestPartFrame(sequence(300)),
                () -> new ManifestPartFrame(new byte[0]),
                () -> new WantFrame(1000, (BitSet) wanted.clone()),
                () -> new WantFrame(0, new BitSet()),
                () -> new ChunkFrame(0, ChunkEncoding.RAW, 5, buffer("hello".getBytes(StandardCharsets.US_ASCII))),
                () -> new ChunkFrame(Integer.MAX_VALUE, ChunkEncoding.ZSTD, ProtocolLimits.MAX_CHUNK_BYTES, buffer(zstdPayload)),
                () -> new AuditHeadFrame(ID, 1, OTHER_ID),
                () -> new AuditHeadFrame(OTHER_ID, Long.MAX_VALUE, ID),
                () -> new CommitFrame(ID),
                () -> new ActivatedFrame(ID, 10, 20),
                () -> new ActivatedFrame(ID, 0, Integer.MAX_VALUE),
                () -> new ErrorFrame(ErrorCode.CHUNK_HASH_MISMATCH, "chunk 7: expected 3f2a\u2026, got 9b01\u2026"),
                () -> new ErrorFrame(ErrorCode.LISTEN_FAILED, ""));
    }

    /** A RAW_RUN body of {@code count} chunks of {@code length} bytes each (byte value 7) from {@code first}. */
    private static byte[] runBody(int first, int count, int length) {
        Bytes b = new Bytes().u32(first).u16(count);
        for (int i = 0; i < count; i++) {
            b.u32(length);
        }
        return b.bytes(filled(count * length)).toByteArray();
    }

    private static byte[] filled(int n) {
        byte[] bytes = new byte[n];
        Arrays.fill(bytes, (byte) 7);
        return bytes;
    }

    /** A RELAY_STATUS body with the given state byte, encoding count and error code; the rest zero. */
    private static byte[] relayStatusBody(int state, int encodings, int code) {
        Bytes b = new Bytes().u16(0).u8(state).u32(0).u32(0).u32(0).u32(0).u32(0).u32(0).u32(0).u32(0).u32(0).u32(0).u32(0).u8(1).bytes(new byte[Sha256.BYTES]).u8(encodings);
        for (int e = 0; e < encodings; e++) {
            b.u32(0).u32(0).u32(0);
        }
        return b.u16(code).str16("").toByteArray();
    }

    private static Frame[] frames(List<Supplier<Frame>> suppliers) {
        return suppliers.stream().map(Supplier::get).toArray(Frame[]::new);
    }

    private interface Splitter {
        List<byte[]> split(byte[] wire);
    }

    private void assertRoundTrip(Splitter splitter) {
        List<Supplier<Frame>> samples = sampleFrames();
        Frame[] expected = frames(samples);
        List<Object> out = decode(splitter.split(encode(frames(samples))));
        try {
            assertEquals(expected.length, out.size(), out::toString);
            for (int i = 0; i < expected.length; i++) {
                assertFrameEquals(expected[i], out.get(i));
            }
        } finally {
            releaseAll(out);
            releaseAll(List.of(expected));
        }
    }

    private static void assertFrameEquals(Frame expected, Object actual) {
        if (expected instanceof ChunkFrame e) {
            ChunkFrame a = assertInstanceOf(ChunkFrame.class, actual);
            assertEquals(e.ordinal(), a.ordinal());
            assertEquals(e.encoding(), a.encoding());
            assertEquals(e.rawLength(), a.rawLength());
            assertEquals(e.payload(), a.payload(), "payload bytes"); // ByteBuf equality compares readable bytes
        } else if (expected instanceof ManifestPartFrame e) {
            assertArrayEquals(e.bytes(), assertInstanceOf(ManifestPartFrame.class, actual).bytes());
        } else {
            assertEquals(expected, actual);
        }
    }

    private static void assertFailure(ErrorCode expected, List<Object> out) {
        List<Object> failures = out.stream().filter(o -> o instanceof DecodeFailure).collect(Collectors.toList());
        assertEquals(1, failures.size(), out::toString);
        DecodeFailure failure = assertInstanceOf(DecodeFailure.class, out.get(out.size() - 1), "the failure comes last");
        assertEquals(expected, failure.code(), failure.message());
        assertNotNull(failure.message());
    }

    /** What the decoder promises about every frame it lets through. */
    private static void assertFrameInvariants(Frame frame) {
        if (frame instanceof ChunkFrame chunk) {
            assertTrue(chunk.ordinal() >= 0, chunk::toString);
            assertTrue(chunk.rawLength() >= 1 && chunk.rawLength() <= ProtocolLimits.MAX_CHUNK_BYTES, chunk::toString);
            assertTrue(chunk.refCnt() > 0, chunk::toString);
        } else if (frame instanceof WantFrame want) {
            assertTrue(want.chunkCount() >= 0 && want.chunkCount() <= ProtocolLimits.MAX_CHUNKS, want::toString);
            assertTrue(want.wanted().length() <= want.chunkCount(), want::toString);
        } else if (frame instanceof OfferFrame offer) {
            assertTrue(offer.manifestLength() >= 1 && offer.manifestLength() <= ProtocolLimits.MAX_MANIFEST_BYTES, offer::toString);
        } else if (frame instanceof HelloFrame hello) {
            assertTrue(hello.peerName().getBytes(StandardCharsets.UTF_8).length <= ProtocolLimits.MAX_LABEL_BYTES);
        }
        assertNotNull(frame.type());
    }

    /** Ordinals [from, to) for each pair. */
    private static BitSet runs(int... bounds) {
        BitSet set = new BitSet();
        for (int i = 0; i < bounds.length; i += 2) {
            set.set(bounds[i], bounds[i + 1]);
        }
        return set;
    }

    private static List<BitSet> bitPatterns(int chunkCount) {
        List<BitSet> patterns = new ArrayList<>();
        patterns.add(new BitSet());
        if (chunkCount == 0) {
            return patterns;
        }
        BitSet first = new BitSet();
        first.set(0);
        BitSet last = new BitSet();
        last.set(chunkCount - 1);
        BitSet all = new BitSet();
        all.set(0, chunkCount);
        BitSet firstHalf = new BitSet(); // trailing zero bits, and for large counts trailing zero bytes
        firstHalf.set(0, (chunkCount + 1) / 2);
        BitSet everyThird = new BitSet();
        for (int i = 0; i < chunkCount; i += 3) {
            everyThird.set(i);
        }
        patterns.addAll(List.of(first, last, all, firstHalf, everyThird));
        return patterns;
    }

    // ---- helpers: raw bytes ------------------------------------------------------------------------

    private static Arguments invalid(String name, byte[] frame, ErrorCode expected) {
        return Arguments.of(name, frame, expected);
    }

    /** length u32 (type byte + body) | type u8 | body. */
    private static byte[] frame(int type, byte[] body) {
        return new Bytes().u32(1 + body.length).u8(type).bytes(body).toByteArray();
    }

    private static byte[] helloBody(int magic, String peer) {
        return helloBody(magic, peer.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] helloBody(int magic, byte[] peer) {
        return new Bytes().u32(magic).u16(1).str16(peer).toByteArray();
    }

    private static byte[] offerBody(int manifestLength, byte[] channel) {
        return new Bytes().bytes(ID.toBytes()).u32(manifestLength).str16(channel).str16("1").toByteArray();
    }

    private static byte[] wantBody(int chunkCount, int wantedCount, int... bitmap) {
        Bytes b = new Bytes().u32(chunkCount).u32(wantedCount).u8(FrameDescriptor.WANT_BITMAP);
        for (int v : bitmap) {
            b.u8(v);
        }
        return b.toByteArray();
    }

    private static byte[] chunkBody(int ordinal, int encoding, int rawLength, int payloadBytes) {
        return new Bytes().u32(ordinal).u8(encoding).u32(rawLength).bytes(new byte[payloadBytes]).toByteArray();
    }

    /** Up to five frames with mostly right lengths and known types, so the fuzz reaches the body decoders. */
    private static byte[] plausibleFrames(Random random) {
        Bytes out = new Bytes();
        for (int n = 1 + random.nextInt(5); n > 0; n--) {
            int type = random.nextInt(8) == 0 ? random.nextInt(256) : 1 + random.nextInt(12);
            Bytes body = new Bytes();
            switch (type) {
                case 1 -> body.u32(random.nextBoolean() ? FrameDescriptor.MAGIC : random.nextInt()).u16(1)
                        .str16(randomBytes(random, random.nextInt(8)));
                case 5 -> {
                    int count = random.nextInt(20);
                    byte[] bitmap = randomBytes(random, (count + 7) / 8);
                    if (count % 8 != 0 && random.nextBoolean()) {
                        bitmap[bitmap.length - 1] &= (byte) ((1 << (count % 8)) - 1);
                    }
                    int wanted = BitSet.valueOf(bitmap).cardinality();
                    body.u32(count).u32(random.nextInt(4) == 0 ? random.nextInt(20) : wanted).u8(random.nextInt(8) == 0 ? 1 : 0).bytes(bitmap);
                }
                case 6 -> body.u32(random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(100)).u8(random.nextInt(3))
                        .u32(random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(100))
                        .bytes(randomBytes(random, random.nextInt(40)));
                default -> body.bytes(randomBytes(random, random.nextInt(48)));
            }
            byte[] b = body.toByteArray();
            int length = 1 + b.length;
            if (random.nextInt(8) == 0) {
                length += random.nextInt(5) - 2;
            }
            out.u32(length).u8(type).bytes(b);
        }
        return out.toByteArray();
    }

    private static byte[] mutate(byte[] valid, Random random) {
        byte[] m = valid.clone();
        for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
            m[random.nextInt(m.length)] ^= (byte) (1 + random.nextInt(255));
        }
        return random.nextInt(4) == 0 ? Arrays.copyOf(m, random.nextInt(m.length)) : m;
    }

    private static List<byte[]> bytewise(byte[] wire) {
        List<byte[]> pieces = new ArrayList<>(wire.length);
        for (byte b : wire) {
            pieces.add(new byte[]{b});
        }
        return pieces;
    }

    private static List<byte[]> randomSplit(byte[] wire, Random random) {
        List<byte[]> pieces = new ArrayList<>();
        int from = 0;
        while (from < wire.length) {
            int to = Math.min(wire.length, from + 1 + random.nextInt(Math.max(1, wire.length / 4)));
            pieces.add(Arrays.copyOfRange(wire, from, to));
            from = to;
        }
        return pieces;
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] sequence(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    private static int readInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Big-endian byte writer for hand-made frames; checks nothing. */
    private static final class Bytes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Bytes u8(int v) {
            out.write(v);
            return this;
        }

        Bytes u16(int v) {
            return u8(v >>> 8).u8(v);
        }

        Bytes u32(int v) {
            return u16(v >>> 16).u16(v);
        }

        Bytes bytes(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        Bytes str16(String s) {
            return str16(s.getBytes(StandardCharsets.UTF_8));
        }

        Bytes str16(byte[] utf8) {
            return u16(utf8.length).bytes(utf8);
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }
}
