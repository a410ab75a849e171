package io.skiff.engine.send;

import com.github.luben.zstd.Zstd;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.skiff.engine.api.PushListener;
import io.skiff.engine.api.TargetResult;
import io.skiff.engine.encode.ChunkSource;
import io.skiff.engine.encode.ReleaseEncodings;
import io.skiff.engine.history.PublishedReleases;
import io.skiff.engine.manifest.ManifestBuilder;
import io.skiff.engine.testing.TestTrees;
import io.skiff.engine.transport.Allocators;
import io.skiff.engine.transport.WireByteCounter;
import io.skiff.protocol.ChunkingParams;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.frame.ActivatedFrame;
import io.skiff.protocol.frame.BaseFrame;
import io.skiff.protocol.frame.ChunkEncoding;
import io.skiff.protocol.frame.ChunkFrame;
import io.skiff.protocol.frame.CommitFrame;
import io.skiff.protocol.frame.ErrorFrame;
import io.skiff.protocol.frame.Frame;
import io.skiff.protocol.frame.FrameDecoder;
import io.skiff.protocol.frame.FrameDescriptor;
import io.skiff.protocol.frame.FrameEncoder;
import io.skiff.protocol.frame.FrameType;
import io.skiff.protocol.frame.HelloFrame;
import io.skiff.protocol.frame.ManifestPartFrame;
import io.skiff.protocol.frame.OfferFrame;
import io.skiff.protocol.frame.OfferReplyFrame;
import io.skiff.protocol.frame.RefetchFrame;
import io.skiff.protocol.frame.RelayFrame;
import io.skiff.protocol.frame.RelayStatusFrame;
import io.skiff.protocol.frame.WantFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One {@link PushSession} in an {@link EmbeddedChannel} (the real frame codec, no socket), with the test
 * as its receiver: what the session writes goes through a second {@link FrameDecoder} (zero-copy regions
 * read out of the outbound queue), and the answers are encoded by {@link FrameEncoder} and read by the
 * session's own decoder. Encoders run on the test thread (a direct executor).
 */
class PushSessionTest {
    private static final String CHANNEL = "snomed";
    private static final String SENDER = "test-sender";

    @TempDir
    Path tmp;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    /** A random (incompressible) file, a text file and a tiny one: raw, zstd and a single chunk. */
    private static Path tree(Path root) {
        TestTrees.randomFile(root.resolve("data/Concepts.bin"), 600_000, 11);
        TestTrees.textFile(root.resolve("data/Descriptions.txt"), 400_000, 12);
        TestTrees.textFile(root.resolve("readme.txt"), 900, 13);
        return root;
    }

    private static Manifest manifest(Path root, String version) {
        return ManifestBuilder.build(root, CHANNEL, version, ChunkingParams.DEFAULT, 1);
    }

    private ReleaseEncodings encodings(Path root, Manifest manifest, PublishedReleases history) {
        ChunkSource source = new ChunkSource(root, manifest);
        ReleaseEncodings encodings = new ReleaseEncodings(manifest, source, history == null ? null : history::find, 3, 0,
                Allocators.sending());
        closing.add(source);
        closing.add(encodings);
        return encodings;
    }

    private Receiver connect(Manifest manifest, ReleaseEncodings encodings) {
        Receiver r = new Receiver(manifest, encodings);
        closing.add(r);
        return r;
    }

    private Receiver connect(Path root, Manifest manifest) {
        return connect(manifest, encodings(root, manifest, null));
    }

    @Test
    void shouldSendTheManifestThenExactlyTheWantedChunksThenCommitWhenTheTargetWantsANewRelease() {
        Path root = tree(tmp.resolve("v1"));
        Manifest manifest = manifest(root, "20270301");
        Receiver target = connect(root, manifest);

        List<Object> opening = target.received();
        assertEquals(2, opening.size(), opening::toString);
        assertEquals(new HelloFrame(FrameDescriptor.PROTOCOL_VERSION, SENDER), opening.get(0));
        assertEquals(new OfferFrame(manifest.releaseId(), manifest.canonicalLength(), CHANNEL, "20270301"), opening.get(1));

        target.send(new OfferReplyFrame(OfferReplyFrame.Decision.SEND_MANIFEST, List.of()));
        List<Object> manifestFrames = target.receivedUntil(1);
        BaseFrame base = assertInstanceOf(BaseFrame.class, manifestFrames.get(0));
        assertNull(base.baseId(), "no history: no delta base");
        byte[] encoded = manifestParts(manifestFrames.subList(1, manifestFrames.size()));
        assertEquals(base.encodedManifestLength(), encoded.length);
        assertArrayEquals(manifest.canonicalBytes(), decodeManifest(base.manifestEncoding(), encoded, manifest.canonicalLength()));

        BitSet wanted = new BitSet();
        for (int o = 0; o < manifest.chunks().count(); o += 2) {
            wanted.set(o); // every other chunk: runs of one, and chunks of every file
        }
        target.send(new WantFrame(manifest.chunks().count(), wanted));
        Streamed streamed = target.chunksUntilCommit(manifest);

        assertEquals(wanted, streamed.ordinals(), "exactly the wanted chunks, each once");
        assertEquals(wanted.cardinality(), streamed.chunks.size());
        for (ChunkFrame chunk : streamed.chunks) {
            boolean text = manifest.entries().get(manifest.chunks().entryIndex(chunk.ordinal())).path().endsWith(".txt");
            assertEquals(text ? ChunkEncoding.ZSTD : ChunkEncoding.RAW, chunk.encoding(), "chunk " + chunk.ordinal());
        }
        Map<ChunkEncoding, TargetResult.EncodingCount> onTheWire = streamed.countsByEncoding();
        streamed.release();

        target.send(new ActivatedFrame(manifest.releaseId(), wanted.cardinality(), 0));
        TargetResult result = target.result();
        assertTrue(result.activated(), result::toString);
        assertFalse(result.alreadyActive());
        assertNull(result.code());
        assertEquals(manifest.chunks().count(), result.chunksTotal());
        assertEquals(wanted.cardinality(), result.chunksSent());
        assertEquals(onTheWire, result.delta().encodings(), "counters match the chunks on the wire");
        assertEquals(encoded.length, result.delta().manifestBytes());
        assertEquals(0, result.delta().chunksRefetched());
        assertNull(result.delta().base());
        assertEquals(target.bytesFromSender, result.bytesWire(), "bytes_wire is every byte the session wrote");
        assertFalse(target.channel.isOpen(), "the session closes its connection when done");
    }

    @Test
    void shouldSendRunsOfRawChunksAsZeroCopyRegionsWhenAWholeFileIsWanted() {
        Path root = tmp.resolve("v1");
        TestTrees.randomFile(root.resolve("Concepts.bin"), 1_500_000, 21);
        Manifest manifest = manifest(root, "1");
        Receiver target = connect(root, manifest);
        target.received();
        target.send(new OfferReplyFrame(OfferReplyFrame.Decision.SEND_MANIFEST, List.of()));
        target.receivedUntil(1);

        BitSet all = new BitSet();
        all.set(0, manifest.chunks().count());
        target.send(new WantFrame(manifest.chunks().count(), all));
        Streamed streamed = target.chunksUntilCommit(manifest);

        assertEquals(all, streamed.ordinals());
        assertTrue(streamed.chunks.stream().allMatch(c -> c.encoding() == ChunkEncoding.RAW));
        assertTrue(target.rawRunRegions > 0, "consecutive raw chunks of one file went as RAW_RUN regions");
        assertTrue(target.regionBytes > manifest.totalBytes() / 2 && target.regionBytes <= manifest.totalBytes(),
                "regions carried the raw chunks that needed no encoder: " + target.regionBytes);
        streamed.release();
        target.send(new ActivatedFrame(manifest.releaseId(), all.cardinality(), 0));
        TargetResult result = target.result();
        assertEquals(manifest.chunks().count(), result.chunksSent());
        assertEquals(new TargetResult.EncodingCount(manifest.chunks().count(), manifest.totalBytes()),
                result.delta().encodings().get(ChunkEncoding.RAW), "every chunk counted raw, runs chunk by chunk");
    }

    @Test
    void shouldSendNoChunksAndReportAlreadyActiveWhenTheTargetHasTheRelease() {
        Path root = tree(tmp.resolve("v1"));
        Manifest manifest = manifest(root, "1");
        Receiver target = connect(root, manifest);
        target.received();

        target.send(new OfferReplyFrame(OfferReplyFrame.Decision.ALREADY_ACTIVE));

        TargetResult result = target.result();
        assertTrue(result.activated(), result::toString);
        assertTrue(result.alreadyActive());
        assertEquals(0, result.chunksSent());
        assertEquals(List.of(), target.received(), "nothing after OFFER");
        assertEquals(target.bytesFromSender, result.bytesWire());
    }

    @Test
    void shouldSendOnlyTheMissingHalfWhenTheTargetResumesWithTheManifestKnown() {
        Path root = tree(tmp.resolve("v1"));
        Manifest manifest = manifest(root, "1");
        Receiver target = connect(root, manifest);
        target.received();

        target.send(new OfferReplyFrame(OfferReplyFrame.Decision.MANIFEST_KNOWN, List.of()));
        List<Object> base = target.receivedUntil(1);
        assertEquals(List.of(new BaseFrame(null, BaseFrame.ManifestEncoding.PLAIN, 0)), base, "no manifest parts: it knows it");

        int count = manifest.chunks().count();
        BitSet missing = new BitSet();
        missing.set(count / 2, count);
        target.send(new WantFrame(count, missing));
        Streamed streamed = target.chunksUntilCommit(manifest);
        assertEquals(missing, streamed.ordinals(), "only the chunks its journal does not vouch for");
        streamed.release();

        target.send(new ActivatedFrame(manifest.releaseId(), missing.cardinality(), 0));
        TargetResult result = target.result();
        assertTrue(result.activated(), result::toString);
        assertEquals(missing.cardinality(), result.chunksSent());
        assertEquals(0, result.delta().manifestBytes());
    }

    @Test
    void shouldSendAChunkAgainWithoutItsReferenceWhenTheTargetRefetchesIt() throws IOException {
        Path v1 = tmp.resolve("v1");
        TestTrees.textFile(v1.resolve("Descriptions.txt"), 400_000, 31);
        Manifest old = manifest(v1, "1");
        PublishedReleases history = new PublishedReleases(tmp.resolve("history"), 2);
        history.record(old, v1);
        Path v2 = tmp.resolve("v2");
        Files.createDirectories(v2);
        byte[] bytes = Files.readAllBytes(v1.resolve("Descriptions.txt"));
        for (int i = 1000; i < bytes.length; i += 40_000) {
            bytes[i] = (byte) '#'; // a few edits spread over the file: every chunk changed, every one near its old self
        }
        Files.write(v2.resolve("Descriptions.txt"), bytes);
        Manifest manifest = manifest(v2, "2");
        Receiver target = connect(manifest, encodings(v2, manifest, history));
        target.received();

        target.send(new OfferReplyFrame(OfferReplyFrame.Decision.SEND_MANIFEST, List.of(old.releaseId())));
        BaseFrame base = assertInstanceOf(BaseFrame.class, target.receivedUntil(1).get(0));
        assertEquals(old.releaseId(), base.baseId());
        BitSet all = new BitSet();
        all.set(0, manifest.chunks().count());
        target.send(new WantFrame(manifest.chunks().count(), all));
        Streamed first = target.chunksUntilCommit(manifest);
        ChunkFrame referenced = first.chunks.stream().filter(c -> c.encoding() == ChunkEncoding.ZSTD_REF).findFirst()
                .orElseThrow(() -> new AssertionError("no chunk went against the base: " + first.chunks));
        int ordinal = referenced.ordinal();
        first.release();

        target.send(new RefetchFrame(new int[] {ordinal}));
        List<Object> again = target.receivedUntil(1);
        assertEquals(1, again.size(), again::toString);
        ChunkFrame resent = assertInstanceOf(ChunkFrame.class, again.get(0));
        assertEquals(ordinal, resent.ordinal());
        assertFalse(resent.encoding() == ChunkEncoding.ZSTD_REF, "sent again without a reference: " + resent);
        assertEquals(manifest.chunks().hash(ordinal), Sha256.digest(rawBytes(resent)));
        resent.release();

        target.send(new ActivatedFrame(manifest.releaseId(), all.cardinality(), 0));
        TargetResult result = target.result();
        assertTrue(result.activated(), result::toString);
        assertEquals(1, result.delta().chunksRefetched());
        assertEquals(old.releaseId(), result.delta().base());
        assertEquals(all.cardinality() + 1, result.chunksSent());
    }

    @Test
    void shouldFailWithTheTargetsCodeAndMessageWhenTheTargetSendsError() {
        for (ErrorFrame error : List.of(new ErrorFrame(ErrorCode.CHUNK_HASH_MISMATCH, "chunk 3 does not hash to the manifest"),
                new ErrorFrame(ErrorCode.BUSY, "receiving this release on another connection"),
                new ErrorFrame(ErrorCode.REFUSED, "this receiver does not relay"))) {
            Path root = tree(tmp.resolve(error.code().label()));
            Manifest manifest = manifest(root, "1");
            Receiver target = connect(root, manifest);
            target.received();
            if (error.code() == ErrorCode.CHUNK_HASH_MISMATCH) { // mid-transfer, after the chunks and COMMIT
                target.send(new OfferReplyFrame(OfferReplyFrame.Decision.MANIFEST_KNOWN, List.of()));
                target.receivedUntil(1);
                BitSet all = new BitSet();
                all.set(0, manifest.chunks().count());
                target.send(new WantFrame(manifest.chunks().count(), all));
                target.chunksUntilCommit(manifest).release();
            }

            target.send(error);

            TargetResult result = target.result();
            assertFalse(result.activated(), result::toString);
            assertEquals(error.code(), result.code());
            assertEquals(error.message(), result.error());
            assertFalse(target.channel.isOpen());
        }
    }

    @Test
    void shouldFailAsMalformedInputWhenTheTargetSendsBytesThatDoNotParse() {
        Path root = tree(tmp.resolve("v1"));
        Manifest manifest = manifest(root, "1");
        Receiver target = connect(root, manifest);
        target.received();

        target.sendBytes(new byte[] {0, 0, 0, 1, (byte) 0xEE}); // a frame of an unknown type

        TargetResult result = target.result();
        assertFalse(result.activated());
        assertEquals(ErrorCode.UNKNOWN_FRAME_TYPE, result.code());
        assertTrue(result.error().startsWith("bad bytes from target: "), result.error());
    }

    @Test
    void shouldFailAsUnexpectedFrameWhenTheTargetSendsAFrameOutOfTurn() {
        Path root = tree(tmp.resolve("v1"));
        Manifest manifest = manifest(root, "1");
        Receiver target = connect(root, manifest);
        target.received();

        target.send(new WantFrame(manifest.chunks().count(), new BitSet())); // before OFFER_REPLY

        TargetResult result = target.result();
        assertEquals(ErrorCode.UNEXPECTED_FRAME, result.code());
        assertEquals("unexpected WantFrame in state OFFERED", result.error());
    }

    @Test
    void shouldFailAsUnexpectedFrameWhenTheTargetRefetchesAChunkItDidNotWant() {
        Path root = tree(tmp.resolve("v1"));
        Manifest manifest = manifest(root, "1");
        Receiver target = connect(root, manifest);
        target.received();
        target.send(new OfferReplyFrame(OfferReplyFrame.Decision.MANIFEST_KNOWN, List.of()));
        target.receivedUntil(1);
        BitSet first = new BitSet();
        first.set(0);
        target.send(new WantFrame(manifest.chunks().count(), first));
        target.chunksUntilCommit(manifest).release();

        target.send(new RefetchFrame(new int[] {1}));

        TargetResult result = target.result();
        assertEquals(ErrorCode.UNEXPECTED_FRAME, result.code());
        assertEquals("target asked again for chunk ordinal=1, which it did not want", result.error());
        assertEquals(1, result.chunksSent());
    }

    @Test
    void shouldFailAsUnexpectedFrameWhenTheTargetActivatesAnotherRelease() {
        Path root = tree(tmp.resolve("v1"));
        Manifest manifest = manifest(root, "1");
        Receiver target = connect(root, manifest);
        target.received();
        target.send(new OfferReplyFrame(OfferReplyFrame.Decision.MANIFEST_KNOWN, List.of()));
        target.receivedUntil(1);
        target.send(new WantFrame(manifest.chunks().count(), new BitSet()));
        assertEquals(List.of(new CommitFrame(manifest.releaseId())), target.receivedUntil(1), "nothing wanted: COMMIT at once");

        Sha256 other = Sha256.digest(new byte[] {1});
        target.send(new ActivatedFrame(other, 0, 0));

        TargetResult result = target.result();
        assertEquals(ErrorCode.UNEXPECTED_FRAME, result.code());
        assertEquals("target activated " + other.shortHex(), result.error());
    }

    @Test
    void shouldFailAsConnectionLostWhenTheTargetClosesMidTransfer() {
        Path root = tree(tmp.resolve("v1"));
        Manifest manifest = manifest(root, "1");
        Receiver target = connect(root, manifest);
        target.received();
        target.send(new OfferReplyFrame(OfferReplyFrame.Decision.SEND_MANIFEST, List.of()));
        target.receivedUntil(1);

        target.channel.close();

        TargetResult result = target.result();
        assertFalse(result.activated());
        assertEquals(ErrorCode.CONNECTION_LOST, result.code());
        assertEquals("connection closed by target during await_want", result.error());
    }

    @Test
    void shouldFailAsConnectionLostWhenTheTargetGoesIdle() {
        Path root = tree(tmp.resolve("v1"));
        Manifest manifest = manifest(root, "1");
        Receiver target = connect(root, manifest);
        target.received();

        target.channel.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);

        TargetResult result = target.result();
        assertEquals(ErrorCode.CONNECTION_LOST, result.code());
        assertEquals("no traffic from target in state OFFERED within the idle timeout", result.error());
        assertFalse(target.channel.isOpen());
    }

    @Test
    void shouldFailAsConnectionLostWhenTheConnectionRaisesAnError() {
        Path root = tree(tmp.resolve("v1"));
        Manifest manifest = manifest(root, "1");
        Receiver target = connect(root, manifest);
        target.received();

        target.channel.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));

        TargetResult result = target.result();
        assertEquals(ErrorCode.CONNECTION_LOST, result.code());
        assertEquals("connection error: Connection reset by peer", result.error());
    }

    @Test
    void shouldHoldTheRelaysOwnResultUntilItHasReportedEveryTargetWhenTheTargetRelays() {
        Path root = tree(tmp.resolve("v1"));
        Manifest manifest = manifest(root, "1");
        List<RelayFrame.Target> targets = List.of(new RelayFrame.Target("10.0.0.2:7420", 0), new RelayFrame.Target("10.0.0.3:7420", 0));
        List<RelayStatusFrame> heard = new ArrayList<>();
        Receiver relay = new Receiver(manifest, encodings(root, manifest, null), new RelayReports.Role(targets, heard::add));
        closing.add(relay);
        List<Object> opening = relay.received();
        assertEquals(List.of(new HelloFrame(FrameDescriptor.PROTOCOL_VERSION, SENDER), new RelayFrame(targets),
                new OfferFrame(manifest.releaseId(), manifest.canonicalLength(), CHANNEL, "1")), opening, "RELAY between HELLO and OFFER");

        relay.send(status(0, RelayStatusFrame.State.SENDING, null));
        relay.send(new OfferReplyFrame(OfferReplyFrame.Decision.ALREADY_ACTIVE));
        relay.send(status(0, RelayStatusFrame.State.ACTIVATED, null));
        assertFalse(relay.done(), "target 1 has not reported its outcome yet");

        relay.send(status(1, RelayStatusFrame.State.FAILED, ErrorCode.CONNECT_FAILED));

        TargetResult result = relay.result();
        assertTrue(result.activated(), result::toString);
        assertTrue(result.alreadyActive());
        assertEquals(List.of(0, 0, 1), heard.stream().map(RelayStatusFrame::index).toList(), "every report reached the observer");
    }

    @Test
    void shouldFailAsUnexpectedFrameWhenTheRelayReportsOnATargetBeyondItsList() {
        Path root = tree(tmp.resolve("v1"));
        Manifest manifest = manifest(root, "1");
        List<RelayFrame.Target> targets = List.of(new RelayFrame.Target("10.0.0.2:7420", 0));
        Receiver relay = new Receiver(manifest, encodings(root, manifest, null), new RelayReports.Role(targets, s -> { }));
        closing.add(relay);
        relay.received();

        relay.send(status(1, RelayStatusFrame.State.SENDING, null));

        TargetResult result = relay.result();
        assertEquals(ErrorCode.UNEXPECTED_FRAME, result.code());
        assertEquals("relay reported on target index=1 after its outcome or beyond 1 targets", result.error());
    }

    private static RelayStatusFrame status(int index, RelayStatusFrame.State state, ErrorCode code) {
        int encodings = ChunkEncoding.values().length;
        return new RelayStatusFrame(index, state, 100, 50, 50, 1, 0, 0, 10, 5, 1, null, new long[encodings], new long[encodings],
                code, code == null ? "" : "cannot connect");
    }

    private static byte[] manifestParts(List<Object> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object frame : frames) {
            out.writeBytes(assertInstanceOf(ManifestPartFrame.class, frame).bytes());
        }
        return out.toByteArray();
    }

    private static byte[] decodeManifest(BaseFrame.ManifestEncoding encoding, byte[] encoded, int length) {
        return encoding == BaseFrame.ManifestEncoding.PLAIN ? encoded : Zstd.decompress(encoded, length);
    }

    /** A raw or plain zstd chunk's bytes (a reference chunk would need the base's). */
    private static byte[] rawBytes(ChunkFrame chunk) {
        byte[] payload = ByteBufUtil.getBytes(chunk.payload());
        return chunk.encoding() == ChunkEncoding.RAW ? payload : Zstd.decompress(payload, chunk.rawLength());
    }

    /** The chunks of one WANT as the receiver decoded them; the test releases them. */
    private static final class Streamed {
        final List<ChunkFrame> chunks = new ArrayList<>();

        BitSet ordinals() {
            BitSet seen = new BitSet();
            for (ChunkFrame c : chunks) {
                assertFalse(seen.get(c.ordinal()), "chunk " + c.ordinal() + " sent twice");
                seen.set(c.ordinal());
            }
            return seen;
        }

        Map<ChunkEncoding, TargetResult.EncodingCount> countsByEncoding() {
            long[] n = new long[ChunkEncoding.values().length];
            long[] bytes = new long[ChunkEncoding.values().length];
            for (ChunkFrame c : chunks) {
                n[c.encoding().ordinal()]++;
                bytes[c.encoding().ordinal()] += c.payload().readableBytes();
            }
            Map<ChunkEncoding, TargetResult.EncodingCount> counts = new EnumMap<>(ChunkEncoding.class);
            for (ChunkEncoding e : ChunkEncoding.values()) {
                counts.put(e, new TargetResult.EncodingCount(n[e.ordinal()], bytes[e.ordinal()]));
            }
            return counts;
        }

        void release() {
            chunks.forEach(ChunkFrame::release);
        }
    }

    /**
     * Plays the receiver: the session under test in an EmbeddedChannel (wire counter, frame decoder and
     * encoder, session, as Pusher builds it), and the receiver's own codec in a second one.
     */
    private static final class Receiver implements AutoCloseable {
        final EmbeddedChannel channel;
        private final EmbeddedChannel codec = new EmbeddedChannel(new FrameDecoder(), FrameEncoder.INSTANCE);
        private final PushSession session;
        /** Every byte the session wrote, headers and regions included. */
        long bytesFromSender;
        long regionBytes;
        int rawRunRegions;
        /** The last header written before a region: says whether the region is one CHUNK's payload or a RAW_RUN's. */
        private int lastHeaderType = -1;

        Receiver(Manifest manifest, ReleaseEncodings encodings) {
            this(manifest, encodings, null);
        }

        /** @param relayRole the session asks its target to relay; null: a plain push */
        Receiver(Manifest manifest, ReleaseEncodings encodings, RelayReports.Role relayRole) {
            WireByteCounter counter = new WireByteCounter();
            session = new PushSession("target-1", manifest, Runnable::run, encodings, 16, SENDER, PushListener.NONE, counter,
                    null, relayRole, 1, null);
            // as Pusher builds a connection; registering it makes it active, and the session says HELLO
            channel = new EmbeddedChannel(false, false, counter, new FrameDecoder(), FrameEncoder.INSTANCE, session);
            channel.config().setMessageSizeEstimator(OutboundSizeEstimator.INSTANCE);
            channel.config().setWriteBufferWaterMark(FanOut.waterMark(1));
            try {
                channel.register();
            } catch (Exception e) {
                throw new AssertionError("registering the channel", e);
            }
        }

        void send(Frame frame) {
            assertTrue(codec.writeOutbound(frame));
            for (Object buf; (buf = codec.readOutbound()) != null; ) {
                channel.writeInbound(buf);
            }
            settle();
        }

        void sendBytes(byte[] bytes) {
            channel.writeInbound(Unpooled.wrappedBuffer(bytes));
            settle();
        }

        /** Runs what the session left for its event loop, and what that left, until nothing is pending. */
        private void settle() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            do {
                channel.runPendingTasks();
            } while (channel.hasPendingTasks() && System.nanoTime() < deadline);
        }

        /** Frames the session has written so far, decoded; chunk frames are the caller's to release. */
        List<Object> received() {
            settle();
            for (Object out; (out = channel.readOutbound()) != null; ) {
                if (out instanceof FileRegion region) {
                    bytesFromSender += region.count();
                    regionBytes += region.count();
                    rawRunRegions += lastHeaderType == FrameType.RAW_RUN.wire() ? 1 : 0;
                    codec.writeInbound(Unpooled.wrappedBuffer(bytesOf(region)));
                    region.release();
                } else {
                    ByteBuf buf = (ByteBuf) out;
                    bytesFromSender += buf.readableBytes();
                    if (buf.readableBytes() >= 5) {
                        lastHeaderType = buf.getUnsignedByte(buf.readerIndex() + 4); // length u32, then type u8
                    }
                    codec.writeInbound(buf);
                }
            }
            List<Object> frames = new ArrayList<>();
            for (Object frame; (frame = codec.readInbound()) != null; ) {
                frames.add(frame);
            }
            return frames;
        }

        /** Frames until at least {@code count} have come, waiting at most 10 s. */
        List<Object> receivedUntil(int count) {
            List<Object> frames = new ArrayList<>();
            awaitTrue(() -> {
                frames.addAll(received());
                return frames.size() >= count;
            }, () -> "frames from the session: " + frames);
            return frames;
        }

        /** Chunk frames until COMMIT, which must come last; each chunk verified against the manifest. */
        Streamed chunksUntilCommit(Manifest manifest) {
            Streamed streamed = new Streamed();
            List<Object> frames = new ArrayList<>();
            awaitTrue(() -> {
                frames.addAll(received());
                return !frames.isEmpty() && frames.get(frames.size() - 1) instanceof CommitFrame;
            }, () -> "frames from the session: " + frames);
            for (Object frame : frames.subList(0, frames.size() - 1)) {
                ChunkFrame chunk = assertInstanceOf(ChunkFrame.class, frame, "only chunks before COMMIT");
                streamed.chunks.add(chunk);
            }
            assertEquals(new CommitFrame(manifest.releaseId()), frames.get(frames.size() - 1));
            for (ChunkFrame chunk : streamed.chunks) {
                assertEquals(manifest.chunks().length(chunk.ordinal()), chunk.rawLength());
                if (chunk.encoding() != ChunkEncoding.ZSTD_REF) {
                    assertEquals(manifest.chunks().hash(chunk.ordinal()), Sha256.digest(rawBytes(chunk)), "chunk " + chunk.ordinal());
                }
            }
            return streamed;
        }

        boolean done() {
            settle();
            return session.result().isDone();
        }

        TargetResult result() {
            awaitTrue(() -> {
                settle();
                return session.result().isDone();
            }, () -> "the session did not complete its result");
            return session.result().join();
        }

        private void awaitTrue(BooleanSupplier condition, java.util.function.Supplier<String> what) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    fail(what.get());
                }
                Thread.onSpinWait();
            }
        }

        private static byte[] bytesOf(FileRegion region) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (WritableByteChannel sink = Channels.newChannel(out)) {
                while (region.transferred() < region.count()) {
                    region.transferTo(sink, region.transferred());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toByteArray();
        }

        @Override
        public void close() {
            channel.finishAndReleaseAll();
            for (Object frame; (frame = codec.readInbound()) != null; ) {
                ReferenceCountUtil.release(frame);
            }
            codec.finishAndReleaseAll();
        }
    }
}
