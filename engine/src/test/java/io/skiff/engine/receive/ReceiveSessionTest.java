package io.skiff.engine.receive;

import com.github.luben.zstd.Zstd;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutorGroup;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.api.ReceiverLimits;
import io.skiff.engine.manifest.ManifestBuilder;
import io.skiff.engine.security.AccessPolicy;
import io.skiff.engine.security.ReleaseTrust;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.engine.store.TenantStores;
import io.skiff.engine.store.TransferJournal;
import io.skiff.engine.store.TrustedRotations;
import io.skiff.engine.testing.TestTrees;
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
import io.skiff.protocol.frame.HelloFrame;
import io.skiff.protocol.frame.ManifestPartFrame;
import io.skiff.protocol.frame.OfferFrame;
import io.skiff.protocol.frame.OfferReplyFrame;
import io.skiff.protocol.frame.RefetchFrame;
import io.skiff.protocol.frame.RelayFrame;
import io.skiff.protocol.frame.WantFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The receive session without sockets: frames go in through the real {@link FrameDecoder} of an
 * {@link EmbeddedChannel}, the session runs on a disk executor as in a {@link Receiver} (its verifiers on
 * their own threads), and what it answers comes out through the real {@link FrameEncoder}; the
 * {@link SessionContext} is built over a temporary root.
 *
 * <p>The session writes from its own thread, so its encoded answers are caught right after the encoder
 * in a thread-safe queue and never reach the embedded channel's outbound buffer; frames are fed with
 * {@code pipeline().fireChannelRead} rather than {@code writeInbound}, whose {@code runPendingTasks}
 * would touch the embedded event loop's task queues while the session thread may use them.
 */
class ReceiveSessionTest {
    private static final String CHANNEL = "icd10cm";
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    @TempDir
    Path tmp;
    private Path root;
    private TenantStores stores;
    private ReleaseStore store;
    private ChunkVerifierPool verifiers;
    private EventExecutorGroup disk;
    private TransferRegistry transfers;
    private final List<Peer> peers = new ArrayList<>();
    private final java.util.Map<ReceiverConfig, SessionContext> contexts = new java.util.HashMap<>();

    @BeforeEach
    void setUp() {
        root = tmp.resolve("root");
        stores = new TenantStores(root, ReceiverConfig.DEFAULT_RETAIN);
        store = stores.untenanted();
        verifiers = new ChunkVerifierPool(2);
        disk = new DefaultEventExecutorGroup(1, new DefaultThreadFactory("test-rx-disk", true));
        transfers = new TransferRegistry();
    }

    @AfterEach
    void tearDown() {
        for (Peer peer : peers) {
            peer.cut(); // every session ends as on a cut
        }
        awaitNoTransfers();
        disk.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        verifiers.close();
        for (Peer peer : peers) {
            peer.releaseAll();
        }
    }

    private ReceiverConfig config() {
        return ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), root);
    }

    /** One context per configuration, as one receiver has one for all its sessions (its manifest budget included). */
    private SessionContext context(ReceiverConfig config) {
        return contexts.computeIfAbsent(config, this::newContext);
    }

    private SessionContext newContext(ReceiverConfig config) {
        SessionContext.RelayStart noRelay = (tenantStore, manifest, targets, ready, upstream, rotations) -> {
            throw new AssertionError("no test here relays");
        };
        return new SessionContext(config, stores, AccessPolicy.OPEN,
                RotatingTrust.restore(ReleaseTrust.none(), new TrustedRotations(root)), verifiers, null, List.of(), noRelay, transfers,
                new ManifestBudget(config.limits().manifestBudgetBytes()), new StagingSpace(stores, transfers, config.limits().diskReserveBytes()), null);
    }

    private Peer connect() {
        return connect(config());
    }

    private Peer connect(ReceiverConfig config) {
        Peer peer = new Peer(context(config));
        peers.add(peer);
        return peer;
    }

    // ---- the exchange ---------------------------------------------------------------------------

    @Test
    void shouldActivateTheReleaseWhenEveryWantedChunkArrivesRawAndCompressed() throws IOException {
        Release release = release("v1", 1);
        Peer peer = connect();

        WantFrame want = handshake(peer, release, null);

        assertEquals(release.chunkCount(), want.chunkCount());
        assertEquals(all(release.chunkCount()), want.wanted(), "a new release: every chunk is wanted");
        sendChunks(peer, release, want.wanted());
        peer.send(new CommitFrame(release.id()));
        ActivatedFrame activated = peer.next(ActivatedFrame.class);
        assertEquals(release.id(), activated.releaseId());
        assertEquals(release.chunkCount(), activated.chunksReceived());
        assertEquals(0, activated.chunksCopiedLocally());
        assertEquals(Path.of("releases", release.id().hex()), Files.readSymbolicLink(current()));
        TestTrees.assertSameTree(release.dir(), current());
        assertEquals(List.of(), store.staging(CHANNEL), "staging is empty after activation");
    }

    @Test
    void shouldAnswerAlreadyActiveAndStageNothingWhenTheOfferedReleaseIsCurrent() throws IOException {
        Release release = release("v1", 2);
        activate(release);
        Peer peer = connect();

        peer.send(hello()).send(offer(release));

        assertEquals(OfferReplyFrame.Decision.ALREADY_ACTIVE, peer.next(OfferReplyFrame.class).decision());
        peer.barrier();
        assertEquals(List.of(), store.staging(CHANNEL));
        assertFalse(Files.exists(store.stagingDir(CHANNEL, release.id())));
        assertEquals(java.util.Set.of(), transfers.inProgress(), "nothing claimed");
        assertEquals(release.id(), store.current(CHANNEL).orElseThrow());
    }

    @Test
    void shouldWantOnlyTheMissingChunksWhenResumingACutTransfer() throws IOException {
        Release release = release("v1", 3);
        Peer first = connect();
        BitSet everything = handshake(first, release, null).wanted();
        BitSet sent = new BitSet();
        sent.set(0, release.chunkCount() / 2);
        sendChunks(first, release, sent);
        first.cut();
        awaitNoTransfers(); // the cut session journaled what it verified
        assertTrue(Files.exists(TransferJournal.fileFor(store, CHANNEL, release.id())));

        Peer second = connect();
        WantFrame want = handshake(second, release, null);

        BitSet missing = (BitSet) everything.clone();
        missing.andNot(sent);
        assertEquals(missing, want.wanted(), "only what the cut transfer did not deliver");
        sendChunks(second, release, want.wanted());
        second.send(new CommitFrame(release.id()));
        assertEquals(missing.cardinality(), second.next(ActivatedFrame.class).chunksReceived());
        TestTrees.assertSameTree(release.dir(), current());
        assertFalse(Files.exists(TransferJournal.fileFor(store, CHANNEL, release.id())), "journal deleted on activation");
    }

    @Test
    void shouldRefetchAChunkWhenItsReferenceDoesNotDecodeAgainstTheLocalBase() throws IOException {
        Release base = release("v1", 4);
        activate(base);
        Path v2 = TestTrees.randomFile(tmp.resolve("v2/other.bin"), 3_000, 40).getParent();
        Release release = new Release(v2, ManifestBuilder.build(v2, CHANNEL, "v2", ChunkingParams.DEFAULT, 1));
        Peer peer = connect();
        WantFrame want = handshake(peer, release, base.id());
        assertEquals(all(1), want.wanted());

        // decodes to bytes of the right length that are not the chunk: the sender's base was not ours
        byte[] wrong = new byte[release.manifest().chunks().length(0)];
        ByteBuf payload = Unpooled.buffer().writeInt(0).writeShort(1).writeBytes(Zstd.compress(wrong, 3));
        peer.send(new ChunkFrame(0, ChunkEncoding.ZSTD_REF, wrong.length, payload));

        assertArrayEquals(new int[]{0}, peer.next(RefetchFrame.class).ordinals());
        peer.send(rawChunk(release, 0)).send(new CommitFrame(release.id()));
        assertEquals(release.id(), peer.next(ActivatedFrame.class).releaseId());
        TestTrees.assertSameTree(release.dir(), current());
    }

    // ---- every error the session answers ----------------------------------------------------------

    @Test
    void shouldFailWithChunkHashMismatchWhenAChunkIsCorrupted() throws IOException {
        Release release = release("v1", 5);
        Peer peer = connect();
        handshake(peer, release, null);
        byte[] bytes = release.chunk(0);
        bytes[bytes.length / 2] ^= 1;

        peer.send(new ChunkFrame(0, ChunkEncoding.RAW, bytes.length, Unpooled.wrappedBuffer(bytes)));

        ErrorFrame error = peer.next(ErrorFrame.class);
        assertEquals(ErrorCode.CHUNK_HASH_MISMATCH, error.code(), error.message());
        assertTrue(error.message().startsWith("chunk ordinal=0 of "), error.message());
        assertNothingActivated();
    }

    @Test
    void shouldFailWithUnexpectedFrameWhenAFrameArrivesOutOfTurn() {
        Peer peer = connect();

        peer.send(hello()).send(new CommitFrame(Sha256.digest(new byte[]{1})));

        ErrorFrame error = peer.next(ErrorFrame.class);
        assertEquals(ErrorCode.UNEXPECTED_FRAME, error.code());
        assertEquals("unexpected COMMIT frame in state OFFER", error.message());
        assertNothingActivated();
    }

    @Test
    void shouldFailWithUnexpectedFrameWhenAChunkArrivesThatWasNotWanted() throws IOException {
        Release release = release("v1", 6);
        Peer peer = connect();
        handshake(peer, release, null);

        peer.send(rawChunk(release, 0)).send(rawChunk(release, 0));

        ErrorFrame error = peer.next(ErrorFrame.class);
        assertEquals(ErrorCode.UNEXPECTED_FRAME, error.code());
        assertEquals("chunk ordinal=0 was not wanted or arrived twice", error.message());
        assertNothingActivated();
    }

    @Test
    void shouldFailWithPathInvalidWhenTheManifestNamesAPathOutsideTheRelease() {
        Manifest manifest = Manifest.builder(CHANNEL, "evil", ChunkingParams.DEFAULT).createdAtMillis(0)
                .addFile("aa/x", false, 1, Sha256.digest(new byte[]{1}).toBytes(), new int[]{1})
                .build();
        byte[] evil = replace(manifest.canonicalBytes(), "aa/x", "../x");
        Peer peer = connect();

        peer.send(hello()).send(new OfferFrame(Sha256.digest(evil), evil.length, CHANNEL, "evil"));
        assertEquals(OfferReplyFrame.Decision.SEND_MANIFEST, peer.next(OfferReplyFrame.class).decision());
        peer.send(new BaseFrame(null, BaseFrame.ManifestEncoding.PLAIN, evil.length)).send(new ManifestPartFrame(evil));

        ErrorFrame error = peer.next(ErrorFrame.class);
        assertEquals(ErrorCode.PATH_INVALID, error.code(), error.message());
        assertNothingActivated();
        assertFalse(Files.exists(root.resolve(CHANNEL).resolve("x")));
        assertFalse(Files.exists(tmp.resolve("x")));
    }

    @Test
    void shouldFailWithManifestInvalidWhenTheOfferedManifestExceedsTheLimit() {
        ReceiverConfig small = config().withLimits(ReceiverLimits.DEFAULTS.withManifestBudget(6 * 1024)); // a sixth: 1024 bytes
        Peer peer = connect(small);

        peer.send(hello()).send(new OfferFrame(Sha256.digest(new byte[]{1}), 1025, CHANNEL, "big"));

        ErrorFrame error = peer.next(ErrorFrame.class);
        assertEquals(ErrorCode.MANIFEST_INVALID, error.code());
        assertEquals("manifest of 1025 bytes exceeds this receiver's limit of 1024 (a sixth of its manifest budget, --manifest-budget)",
                error.message());
        assertNothingActivated();
    }

    @Test
    void shouldAnswerBusyWhenThePeersShareOfTheManifestBudgetIsHeldUntilItsTransferEnds() throws IOException {
        Release first = release("v1", 21);
        Release second = release("v2", 22);
        long charge = ManifestBudget.charge(Math.max(first.manifest().canonicalLength(), second.manifest().canonicalLength()));
        ReceiverConfig config = config().withLimits(ReceiverLimits.DEFAULTS.withManifestBudget(2 * charge + 2)); // one peer: one manifest
        Peer holder = connect(config);
        handshake(holder, first, null); // received and decoded; its transfer goes on, holding its share

        Peer refused = connect(config);
        refused.send(hello()).send(offer(second));
        ErrorFrame busy = refused.next(ErrorFrame.class);
        assertEquals(ErrorCode.BUSY, busy.code());
        assertTrue(busy.message().startsWith("this receiver's manifest budget is in use"), busy.message());
        assertFalse(Files.exists(store.manifestFile(CHANNEL, second.id())), "nothing of the refused offer on disk");

        holder.cut();
        awaitNoTransfers();
        Peer later = connect(config);
        WantFrame want = handshake(later, second, null);
        sendChunks(later, second, want.wanted());
        later.send(new CommitFrame(second.id()));
        assertEquals(second.id(), later.next(ActivatedFrame.class).releaseId(), "the share came back when the first transfer ended");
    }

    @Test
    void shouldLeaveNoManifestOrStagingBehindWhenATransferEndsBeforeAnyChunkIsStaged() throws IOException {
        Release release = release("v1", 23);
        Peer peer = connect();
        handshake(peer, release, null);
        assertTrue(Files.exists(store.manifestFile(CHANNEL, release.id())), "saved while the transfer runs");

        peer.cut();
        awaitNoTransfers();

        assertFalse(Files.exists(store.manifestFile(CHANNEL, release.id())), "a manifest alone is not worth a resume");
        assertFalse(Files.exists(store.stagingDir(CHANNEL, release.id())));
        assertFalse(Files.exists(TransferJournal.fileFor(store, CHANNEL, release.id())));
        assertNothingActivated();
    }

    /**
     * A partial staging tree whose directory was swapped for a link to a look-alike outside the root
     * (same names, same sizes) is not resumed through it: the tree starts afresh, the release activates
     * from the sender's chunks, and the file outside is untouched.
     */
    @Test
    void shouldStartAfreshAndWriteNothingOutsideTheRootWhenAPartialStagingTreeHoldsALink() throws IOException {
        Release release = release("v1", 24);
        Peer first = connect();
        BitSet half = new BitSet();
        half.set(0, handshake(first, release, null).chunkCount() / 2);
        sendChunks(first, release, half);
        first.cut();
        awaitNoTransfers();
        Path staged = store.stagingDir(CHANNEL, release.id()).resolve("codes");
        Path outside = tmp.resolve("outside/codes");
        Files.createDirectories(outside);
        byte[] decoy = new byte[(int) Files.size(staged.resolve("descriptions.txt"))];
        Arrays.fill(decoy, (byte) 'x');
        Files.write(outside.resolve("descriptions.txt"), decoy);
        io.skiff.engine.files.DirectoryTrees.deleteRecursively(staged);
        Files.createSymbolicLink(staged, outside);

        Peer second = connect();
        WantFrame want = handshake(second, release, null);
        assertEquals(all(release.chunkCount()), want.wanted(), "a fresh tree: the journal's chunks were in the replaced one");
        sendChunks(second, release, want.wanted());
        second.send(new CommitFrame(release.id()));
        second.next(ActivatedFrame.class);

        TestTrees.assertSameTree(release.dir(), current());
        assertArrayEquals(decoy, Files.readAllBytes(outside.resolve("descriptions.txt")), "nothing written through the link");
        try (var left = Files.list(outside)) {
            assertEquals(List.of(outside.resolve("descriptions.txt")), left.toList());
        }
    }

    /** A link planted at a staged file's name during the transfer: the write refuses it, nothing activates, the target is untouched. */
    @Test
    void shouldRefuseToWriteThroughALinkPlantedInStagingDuringTheTransfer() throws IOException {
        Release release = release("v1", 25);
        Peer peer = connect();
        WantFrame want = handshake(peer, release, null);
        Path staged = store.stagingDir(CHANNEL, release.id()).resolve("codes/descriptions.txt");
        Path outside = tmp.resolve("outside.txt");
        byte[] decoy = new byte[(int) Files.size(staged)];
        Files.write(outside, decoy);
        Files.delete(staged);
        Files.createSymbolicLink(staged, outside);

        sendChunks(peer, release, want.wanted());

        ErrorFrame error = peer.next(ErrorFrame.class);
        assertEquals(ErrorCode.STORAGE_FAILURE, error.code(), error.message());
        assertNothingActivated();
        assertArrayEquals(decoy, Files.readAllBytes(outside), "nothing written through the link");
    }

    /** Anything besides the manifest's entries in the staging tree at COMMIT: refused, nothing activated. */
    @Test
    void shouldNotActivateAStagingTreeThatHoldsMoreThanTheManifest() throws IOException {
        Release release = release("v1", 26);
        Peer peer = connect();
        WantFrame want = handshake(peer, release, null);
        sendChunks(peer, release, want.wanted());
        peer.barrier();
        Files.createSymbolicLink(store.stagingDir(CHANNEL, release.id()).resolve("codes/extra"), Path.of("/etc"));

        peer.send(new CommitFrame(release.id()));

        ErrorFrame error = peer.next(ErrorFrame.class);
        assertEquals(ErrorCode.STORAGE_FAILURE, error.code(), error.message());
        assertTrue(error.message().contains("codes/extra is a symbolic link; not activated"), error.message());
        assertNothingActivated();
    }

    @Test
    void shouldFailWithManifestInvalidWhenTheManifestPartsExceedTheAnnouncedLength() throws IOException {
        Release release = release("v1", 7);
        byte[] canonical = release.manifest().canonicalBytes();
        Peer peer = connect();
        peer.send(hello()).send(offer(release));
        peer.next(OfferReplyFrame.class);

        peer.send(new BaseFrame(null, BaseFrame.ManifestEncoding.PLAIN, canonical.length))
                .send(new ManifestPartFrame(java.util.Arrays.copyOf(canonical, canonical.length + 1)));

        ErrorFrame error = peer.next(ErrorFrame.class);
        assertEquals(ErrorCode.MANIFEST_INVALID, error.code());
        assertEquals("manifest parts exceed the announced " + canonical.length + " bytes", error.message());
        assertNothingActivated();
    }

    @Test
    void shouldFailWithBusyWhenTheSameReleaseIsInFlightOnAnotherConnection() throws IOException {
        Release release = release("v1", 8);
        Peer first = connect();
        first.send(hello()).send(offer(release));
        assertEquals(OfferReplyFrame.Decision.SEND_MANIFEST, first.next(OfferReplyFrame.class).decision());
        Peer second = connect();

        second.send(hello()).send(offer(release));

        ErrorFrame error = second.next(ErrorFrame.class);
        assertEquals(ErrorCode.BUSY, error.code());
        assertTrue(error.message().endsWith(" of " + CHANNEL + " is being received on another connection"), error.message());
        assertEquals(java.util.Set.of(CHANNEL + "/" + release.id().hex()), transfers.inProgress(), "the first keeps its claim");
        assertNothingActivated();
    }

    @Test
    void shouldFailWithRefusedWhenAskedToRelayByAReceiverThatDoesNotRelay() {
        Peer peer = connect(config().withRelay(false));

        peer.send(hello()).send(new RelayFrame(List.of(new RelayFrame.Target("127.0.0.1:7070", 0))));

        ErrorFrame error = peer.next(ErrorFrame.class);
        assertEquals(ErrorCode.REFUSED, error.code());
        assertEquals("this receiver does not relay (started with --no-relay)", error.message());
        assertNothingActivated();
    }

    @Test
    void shouldFailWithStorageFailureWhenTheStagingTreeCannotBeCreated() throws IOException {
        Release release = release("v1", 9);
        Files.createDirectories(root.resolve(CHANNEL));
        Files.write(root.resolve(CHANNEL).resolve("staging"), new byte[]{1}); // a file where the staging directory must go
        Peer peer = connect();
        peer.send(hello()).send(offer(release));
        peer.next(OfferReplyFrame.class);

        peer.send(new BaseFrame(null, BaseFrame.ManifestEncoding.PLAIN, release.manifest().canonicalBytes().length))
                .send(new ManifestPartFrame(release.manifest().canonicalBytes()));

        ErrorFrame error = peer.next(ErrorFrame.class);
        assertEquals(ErrorCode.STORAGE_FAILURE, error.code(), error.message());
        assertNothingActivated();
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** A release built from files on disk, and read back chunk by chunk. */
    private record Release(Path dir, Manifest manifest) {
        Sha256 id() {
            return manifest.releaseId();
        }

        int chunkCount() {
            return manifest.chunks().count();
        }

        /** Whether chunk {@code ordinal} is of a text file (sent zstd; the rest raw). */
        boolean text(int ordinal) {
            return manifest.entries().get(manifest.chunks().entryIndex(ordinal)).path().endsWith(".txt");
        }

        byte[] chunk(int ordinal) throws IOException {
            byte[] bytes = new byte[manifest.chunks().length(ordinal)];
            Path file = dir.resolve(manifest.entries().get(manifest.chunks().entryIndex(ordinal)).path());
            try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
                in.seek(manifest.chunks().offset(ordinal));
                in.readFully(bytes);
            }
            return bytes;
        }
    }

    /** A text file of a few chunks and a random one (a different tree for every {@code seed}). */
    private Release release(String version, long seed) {
        Path dir = tmp.resolve("src-" + seed);
        TestTrees.textFile(dir.resolve("codes/descriptions.txt"), 300_000, seed);
        TestTrees.randomFile(dir.resolve("data/table.bin"), 150_000, seed + 1000);
        return new Release(dir, ManifestBuilder.build(dir, CHANNEL, version, ChunkingParams.DEFAULT, 1));
    }

    private static HelloFrame hello() {
        return new HelloFrame(FrameDescriptor.PROTOCOL_VERSION, "test");
    }

    private static OfferFrame offer(Release release) {
        return new OfferFrame(release.id(), release.manifest().canonicalBytes().length, CHANNEL, release.manifest().version());
    }

    /** HELLO, OFFER, BASE ({@code baseId} or none) and, unless the session knows it, the manifest: returns its WANT. */
    private static WantFrame handshake(Peer peer, Release release, Sha256 baseId) {
        byte[] canonical = release.manifest().canonicalBytes();
        peer.send(hello()).send(offer(release));
        OfferReplyFrame reply = peer.next(OfferReplyFrame.class);
        if (reply.decision() == OfferReplyFrame.Decision.MANIFEST_KNOWN) {
            peer.send(new BaseFrame(baseId, BaseFrame.ManifestEncoding.PLAIN, 0));
        } else {
            assertEquals(OfferReplyFrame.Decision.SEND_MANIFEST, reply.decision());
            if (baseId != null) {
                assertTrue(reply.bases().contains(baseId), () -> "bases offered: " + reply.bases());
            }
            peer.send(new BaseFrame(baseId, BaseFrame.ManifestEncoding.PLAIN, canonical.length));
            for (int at = 0; at < canonical.length; at += FrameDescriptor.MANIFEST_PART_BYTES) {
                peer.send(new ManifestPartFrame(Arrays.copyOfRange(canonical, at, Math.min(canonical.length, at + FrameDescriptor.MANIFEST_PART_BYTES))));
            }
        }
        return peer.next(WantFrame.class);
    }

    /** The whole exchange of a new release, up to ACTIVATED. */
    private void activate(Release release) throws IOException {
        Peer peer = connect();
        sendChunks(peer, release, handshake(peer, release, null).wanted());
        peer.send(new CommitFrame(release.id()));
        assertEquals(release.id(), peer.next(ActivatedFrame.class).releaseId());
    }

    /** The chunks {@code ordinals}: those of text files zstd-compressed, the others raw. */
    private static void sendChunks(Peer peer, Release release, BitSet ordinals) throws IOException {
        for (int o = ordinals.nextSetBit(0); o >= 0; o = ordinals.nextSetBit(o + 1)) {
            if (release.text(o)) {
                byte[] raw = release.chunk(o);
                peer.send(new ChunkFrame(o, ChunkEncoding.ZSTD, raw.length, Unpooled.wrappedBuffer(Zstd.compress(raw, 3))));
            } else {
                peer.send(rawChunk(release, o));
            }
        }
    }

    private static ChunkFrame rawChunk(Release release, int ordinal) throws IOException {
        byte[] raw = release.chunk(ordinal);
        return new ChunkFrame(ordinal, ChunkEncoding.RAW, raw.length, Unpooled.wrappedBuffer(raw));
    }

    private static BitSet all(int count) {
        BitSet all = new BitSet();
        all.set(0, count);
        return all;
    }

    private Path current() {
        return root.resolve(CHANNEL).resolve("current");
    }

    private void assertNothingActivated() {
        assertFalse(Files.exists(current(), java.nio.file.LinkOption.NOFOLLOW_LINKS), "nothing activated");
        assertTrue(store.current(CHANNEL).isEmpty());
        assertEquals(List.of(), store.releases(CHANNEL), "nothing under releases/");
    }

    /** Until every session has released its transfer (verifications done, journal closed), at most 10 s. */
    private void awaitNoTransfers() {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (!transfers.inProgress().isEmpty()) {
            assertTrue(System.nanoTime() < deadline, () -> "transfers still in progress: " + transfers.inProgress());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private static byte[] replace(byte[] data, String from, String to) {
        byte[] f = from.getBytes(StandardCharsets.UTF_8);
        byte[] t = to.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + f.length <= data.length; i++) {
            if (Arrays.equals(data, i, i + f.length, f, 0, f.length)) {
                byte[] out = data.clone();
                System.arraycopy(t, 0, out, i, t.length);
                return out;
            }
        }
        throw new AssertionError("pattern not found");
    }

    /**
     * One connection to a session, pipelined as {@link Receiver#addReceiveHandlers} does (without the idle
     * handler): decoder, read-ahead, batcher, then the session on the disk executor. Its answers are caught
     * after the encoder, as bytes, and decoded again here.
     */
    private final class Peer {
        private final EmbeddedChannel channel = new EmbeddedChannel();
        private final BlockingQueue<ByteBuf> written = new LinkedBlockingQueue<>();
        private final EmbeddedChannel answers = new EmbeddedChannel(new FrameDecoder());
        private volatile boolean cutting;

        Peer(SessionContext context) {
            ReadAheadLimiter readAhead = new ReadAheadLimiter(8L << 20, 4L << 20);
            channel.pipeline()
                    .addLast("frameDecoder", new FrameDecoder())
                    .addLast("answers", new ChannelOutboundHandlerAdapter() {
                        @Override
                        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                            promise.setSuccess(); // first: the session's listeners run before the test sees the frame
                            written.add((ByteBuf) msg);
                        }

                        @Override
                        public void flush(ChannelHandlerContext ctx) {
                            // nothing reaches the embedded channel's outbound buffer
                        }

                        @Override
                        public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
                            if (cutting) {
                                ctx.close(promise);
                            } else {
                                promise.setSuccess(); // a session's own close: the test cuts the connection itself
                            }
                        }
                    })
                    .addLast("frameEncoder", FrameEncoder.INSTANCE)
                    .addLast("readAhead", readAhead)
                    .addLast("chunkBatcher", new ChunkBatcher())
                    .addLast(disk, "session", new ReceiveSession(context, readAhead));
        }

        /** Feeds {@code frame}'s wire bytes through the decoder (a chunk's payload is released). */
        Peer send(Frame frame) {
            ByteBuf bytes;
            if (frame instanceof ChunkFrame chunk) {
                ByteBuf header = FrameEncoder.chunkHeader(UnpooledByteBufAllocator.DEFAULT, chunk);
                bytes = Unpooled.wrappedBuffer(header, chunk.payload().retain());
                chunk.release();
            } else {
                bytes = FrameEncoder.encode(UnpooledByteBufAllocator.DEFAULT, frame);
            }
            channel.pipeline().fireChannelRead(bytes).fireChannelReadComplete();
            return this;
        }

        /** The next frame the session answered, waiting at most 10 s for it. */
        Object next() {
            long deadline = System.nanoTime() + WAIT_NANOS;
            for (Object frame; ; ) {
                if ((frame = answers.readInbound()) != null) {
                    ReferenceCountUtil.release(frame);
                    return frame;
                }
                long left = deadline - System.nanoTime();
                assertTrue(left > 0, "no answer within 10 s");
                ByteBuf bytes;
                try {
                    bytes = written.poll(left, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
                if (bytes != null) {
                    answers.writeInbound(bytes); // the decoder takes it
                }
            }
        }

        /** The next frame, which must be a {@code type}; AUDIT_HEAD frames before it are skipped unless asked for. */
        <T> T next(Class<T> type) {
            Object frame = next();
            while (frame instanceof io.skiff.protocol.frame.AuditHeadFrame && type != io.skiff.protocol.frame.AuditHeadFrame.class) {
                frame = next();
            }
            if (frame instanceof ErrorFrame error && type != ErrorFrame.class) {
                throw new AssertionError("expected " + type.getSimpleName() + ", got " + error);
            }
            return assertInstanceOf(type, frame);
        }

        /** Until the session's thread has handled everything sent so far. */
        void barrier() {
            disk.next().submit(() -> { }).syncUninterruptibly();
        }

        /** Closes the connection from the test's side, as a cut. */
        void cut() {
            if (channel.isOpen()) {
                cutting = true;
                channel.close().syncUninterruptibly();
            }
        }

        void releaseAll() {
            for (ByteBuf b; (b = written.poll()) != null; ) {
                b.release();
            }
            answers.finishAndReleaseAll();
            channel.finishAndReleaseAll();
        }
    }
}
