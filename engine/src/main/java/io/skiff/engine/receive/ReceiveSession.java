package io.skiff.engine.receive;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdDictDecompress;
import com.github.luben.zstd.ZstdException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.encode.BaseChunks;
import io.skiff.engine.encode.ChunkDecompressor;
import io.skiff.engine.encode.ReferenceDictionaries;
import io.skiff.engine.store.LocalChunkIndex;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.engine.store.StagingRelease;
import io.skiff.engine.store.TransferJournal;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ManifestCodec;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.ProtocolLimits;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SkiffException;
import io.skiff.protocol.frame.ActivatedFrame;
import io.skiff.protocol.frame.BaseFrame;
import io.skiff.protocol.frame.ChunkEncoding;
import io.skiff.protocol.frame.ChunkFrame;
import io.skiff.protocol.frame.CommitFrame;
import io.skiff.protocol.frame.DecodeFailure;
import io.skiff.protocol.frame.ErrorFrame;
import io.skiff.protocol.frame.Frame;
import io.skiff.protocol.frame.FrameDescriptor;
import io.skiff.protocol.frame.HelloFrame;
import io.skiff.protocol.frame.JoinFrame;
import io.skiff.protocol.frame.ManifestPartFrame;
import io.skiff.protocol.frame.OfferFrame;
import io.skiff.protocol.frame.OfferReplyFrame;
import io.skiff.protocol.frame.RefetchFrame;
import io.skiff.protocol.frame.RelayFrame;
import io.skiff.protocol.frame.WantFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.security.DigestException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The receiver's side of one connection: HELLO, OFFER, (MANIFEST), WANT, CHUNK..., COMMIT, ACTIVATED.
 *
 * <p>Runs on a disk executor, not the event loop. It reports every message it is done with to the
 * {@link ReadAheadLimiter} in front of it, which pauses socket reads while too much is queued, so a
 * slow disk pushes back on the sender through TCP instead of queueing frames in memory.
 *
 * <p>Any failure becomes an ERROR frame and closes only this connection; staging is left for a retry
 * and {@code current} is untouched. Every received message is released here, in a {@code finally}.
 */
final class ReceiveSession extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ReceiveSession.class);
    private static final long DRAIN_SECONDS = 10;
    /** The journal is synced at least every this many chunks (~64 MiB at the default chunk size). */
    private static final int JOURNAL_BATCH = 1024;
    /**
     * Compiled reference windows kept per session (≤ 1 MiB each): the sender's encoders move forward
     * through the base, so chunks in flight aim at a few neighbouring windows.
     */
    private static final int BASE_WINDOWS = 8;
    /** Verified chunks that wake the session's thread to record them, at the latest (see {@code verified}). */
    private static final int VERIFIED_BATCH = 16;

    /** STREAM: an extra stream of another session's transfer (JOIN), passing its chunks on. */
    private enum State { HELLO, OFFER, BASE, MANIFEST, RECEIVING, COMMITTED, STREAM, CLOSED }

    private final Receiver receiver;
    private final ReleaseStore store;
    private final ReadAheadLimiter readAhead;
    /** Written on this session's thread; volatile because an extra stream's thread reads it. */
    private volatile State state = State.HELLO;
    private String peer = "?";
    private OfferFrame offer;
    private String busyKey;
    private List<Sha256> offeredBases = List.of();
    private Manifest knownManifest;
    private BaseFrame baseChoice;
    /** The base release the sender encodes against, read for zstd+reference chunks; null for none. */
    private BaseChunks base;
    /** The base's reference windows, each read and compiled once for every chunk aimed at it; null with no base. */
    private ReferenceDictionaries<ZstdDictDecompress> baseWindows;
    private ByteArrayOutputStream manifestBytes;
    private StagingRelease staging;
    private TransferJournal journal;
    /** Chunks verified and written since the journal was last synced. */
    private int[] unjournaled = new int[JOURNAL_BATCH];
    private int unjournaledCount;
    /** Of those, how many the last sync left for later (held in direct-write segment buffers). */
    private int unjournaledHeld;
    private long lastJournalSyncNanos;
    private ReceivePlan plan;
    private int chunksCopiedLocally;
    private int chunksResumed;
    /** When this session last read a frame or finished planning (the sender waits for WANT meanwhile). */
    private long lastActivityNanos = System.nanoTime();
    /** Chunks handed to the verifier pool and not finished yet. */
    private int chunksInVerification;
    /**
     * Chunks the verifiers are done with, for this session's thread. A verifier wakes that thread only
     * for a failure, a refetch, every {@value #VERIFIED_BATCH}th chunk, or when no chunk is left in
     * verification; otherwise the session takes them before its next message. Waking it for every chunk
     * cost ~13,000 wake-ups per 1.5 GB push.
     */
    private final Queue<VerifiedChunk> verified = new ConcurrentLinkedQueue<>();
    private final AtomicInteger verifiedUndrained = new AtomicInteger();
    private final AtomicBoolean verifiedDrainScheduled = new AtomicBoolean();
    /** Chunks handed to the verifiers and not finished, as they count them (chunksInVerification lags until drained). */
    private final AtomicInteger verifying = new AtomicInteger();
    /** A COMMIT that arrived while chunks were still being verified; run when the last one is done. */
    private CommitFrame deferredCommit;
    /** Where the sender asked this receiver to relay the release (RELAY frame); null: it is not a relay. */
    private List<RelayFrame.Target> relayTargets;
    /** Set on this session's thread before WANT; read by verifier threads. */
    private volatile RelayForwarding relay;
    /** The session whose transfer this connection joined as an extra stream (state STREAM). */
    private ReceiveSession joined;
    /** This session's own context, for work handed to it by its extra streams. */
    private ChannelHandlerContext ownCtx;

    ReceiveSession(Receiver receiver, ReadAheadLimiter readAhead) {
        this.receiver = receiver;
        this.store = receiver.store();
        this.readAhead = readAhead;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ownCtx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        peer = String.valueOf(ctx.channel().remoteAddress());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ChunkBatcher.ChunkBatch batch) {
            List<ChunkFrame> chunks = batch.chunks();
            int i = 0;
            try {
                for (; i < chunks.size(); i++) {
                    channelRead(ctx, chunks.get(i)); // releases it
                }
            } finally {
                for (i++; i < chunks.size(); i++) {
                    ReferenceCountUtil.release(chunks.get(i));
                }
            }
            return;
        }
        if (!verified.isEmpty()) {
            drainVerified(ctx); // chunks verified since the last wake-up: recorded in order, before what arrives now
        }
        boolean handedOff = false;
        lastActivityNanos = System.nanoTime();
        try {
            if (state == State.CLOSED) {
                return;
            }
            if (state == State.RECEIVING && msg instanceof ChunkFrame chunk) {
                handedOff = onChunk(ctx, chunk, readAhead);
            } else if (state == State.STREAM && msg instanceof ChunkFrame chunk) {
                handedOff = joined.fromStream(chunk, readAhead);
                if (!handedOff || joined.over()) {
                    close(ctx); // the transfer it joined is over
                }
            } else if (msg instanceof DecodeFailure failure) {
                fail(ctx, failure.code(), failure.message());
            } else if (msg instanceof ErrorFrame error) {
                LOG.info("peer {} aborted: {} {}", peer, error.code().label(), error.message());
                close(ctx);
            } else {
                dispatch(ctx, msg);
            }
        } catch (RuntimeException e) {
            fail(ctx, e);
        } finally {
            if (!handedOff) {
                readAhead.processed(ReadAheadLimiter.sizeOf(msg)); // before release: the size reads the payload
            }
            ReferenceCountUtil.release(msg);
        }
    }

    private void dispatch(ChannelHandlerContext ctx, Object msg) {
        if (state == State.HELLO && msg instanceof HelloFrame hello) {
            if (hello.protocolVersion() < FrameDescriptor.OLDEST_PROTOCOL_VERSION || hello.protocolVersion() > FrameDescriptor.PROTOCOL_VERSION) {
                throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, "protocol version=" + hello.protocolVersion()
                        + ", this receiver speaks " + FrameDescriptor.OLDEST_PROTOCOL_VERSION + " to " + FrameDescriptor.PROTOCOL_VERSION);
            }
            peer = hello.peerName() + "@" + ctx.channel().remoteAddress();
            state = State.OFFER;
        } else if (state == State.OFFER && relayTargets == null && msg instanceof RelayFrame r) {
            onRelay(r);
        } else if (state == State.OFFER && relayTargets == null && msg instanceof JoinFrame j) {
            onJoin(j);
        } else if (state == State.OFFER && msg instanceof OfferFrame o) {
            onOffer(ctx, o);
        } else if (state == State.BASE && msg instanceof BaseFrame b) {
            onBase(ctx, b);
        } else if (state == State.MANIFEST && msg instanceof ManifestPartFrame part) {
            onManifestPart(ctx, part);
        } else if (state == State.RECEIVING && msg instanceof CommitFrame commit) {
            onCommit(ctx, commit);
        } else {
            throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME, "unexpected " + describe(msg) + " in state " + state);
        }
    }

    private void onJoin(JoinFrame j) {
        ReceiveSession session = receiver.toJoin(j.channel() + "/" + j.releaseId().hex());
        if (session == null) {
            throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME, "JOIN of " + j.channel() + " " + j.releaseId().shortHex()
                    + ": no transfer of it is receiving chunks here");
        }
        joined = session;
        state = State.STREAM;
        LOG.debug("{} joined the transfer of {} {} as an extra stream", peer, j.channel(), j.releaseId().shortHex());
    }

    /**
     * A chunk that arrived on an extra stream of this transfer: handled on this session's thread as if
     * it came on its own connection; {@code streamReadAhead} hears when it is done. Returns whether it
     * took the chunk (false: this receiver is shutting down).
     */
    private boolean fromStream(ChunkFrame chunk, ReadAheadLimiter streamReadAhead) {
        chunk.retain();
        try {
            ownCtx.executor().execute(() -> {
                boolean handedOff = false;
                try {
                    if (state == State.RECEIVING) {
                        lastActivityNanos = System.nanoTime();
                        handedOff = onChunk(ownCtx, chunk, streamReadAhead);
                    }
                } catch (RuntimeException e) {
                    fail(ownCtx, e);
                } finally {
                    if (!handedOff) {
                        streamReadAhead.processed(ReadAheadLimiter.sizeOf(chunk));
                    }
                    chunk.release();
                }
            });
        } catch (RejectedExecutionException e) {
            chunk.release();
            return false;
        }
        return true;
    }

    /** This transfer no longer takes chunks: streams that joined it can close. */
    private boolean over() {
        State s = state;
        return s == State.CLOSED || s == State.COMMITTED;
    }

    private void onRelay(RelayFrame r) {
        if (!receiver.config().relay()) {
            throw new SkiffException(ErrorCode.REFUSED, "this receiver does not relay (started with --no-relay)");
        }
        for (RelayFrame.Target t : r.targets()) {
            try {
                HostPort.parse(t.address());
            } catch (SkiffException e) {
                throw new ProtocolException(ErrorCode.MALFORMED, "RELAY target: " + e.getMessage());
            }
        }
        relayTargets = r.targets();
    }

    /** Relays the release to the targets the sender named; {@code ready}: chunks already verified here. */
    private void startRelay(ChannelHandlerContext ctx, Manifest manifest, BitSet ready) {
        relay = receiver.relays().start(receiver, manifest, relayTargets, ready, ctx::writeAndFlush);
    }

    private void onOffer(ChannelHandlerContext ctx, OfferFrame o) {
        store.channelDir(o.channel()); // validates the channel name
        if (o.manifestLength() > receiver.config().maxManifestBytes()) {
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "manifest of " + o.manifestLength()
                    + " bytes exceeds this receiver's limit of " + receiver.config().maxManifestBytes());
        }
        offer = o;
        if (o.releaseId().equals(store.current(o.channel()).orElse(null))) {
            LOG.info("{} offered {} {} ({}): already current", peer, o.channel(), o.version(), o.releaseId().shortHex());
            ctx.writeAndFlush(new OfferReplyFrame(OfferReplyFrame.Decision.ALREADY_ACTIVE));
            state = State.COMMITTED;
            if (relayTargets != null) { // the sender relies on this receiver for the rest of its region
                Manifest current = store.loadManifest(o.channel(), o.releaseId()).orElseThrow(() -> new SkiffException(
                        ErrorCode.STORAGE_FAILURE, "the manifest of current release " + o.releaseId().shortHex() + " is missing"));
                BitSet all = new BitSet();
                all.set(0, current.chunks().count());
                startRelay(ctx, current, all);
                relay.activated();
            }
            return;
        }
        String key = o.channel() + "/" + o.releaseId().hex();
        if (!receiver.tryBegin(key)) {
            throw new SkiffException(ErrorCode.BUSY, "release " + o.releaseId().shortHex() + " of " + o.channel()
                    + " is being received on another connection");
        }
        busyKey = key;
        offeredBases = basesOf(o.channel());
        knownManifest = store.loadManifest(o.channel(), o.releaseId()).orElse(null);
        ctx.writeAndFlush(new OfferReplyFrame(knownManifest != null ? OfferReplyFrame.Decision.MANIFEST_KNOWN
                : OfferReplyFrame.Decision.SEND_MANIFEST, offeredBases));
        state = State.BASE;
    }

    /** Releases of the channel the sender may encode against: current first, then retained, newest first. */
    private List<Sha256> basesOf(String channel) {
        List<Sha256> bases = new ArrayList<>();
        store.current(channel).ifPresent(bases::add);
        for (Sha256 id : store.releases(channel)) {
            if (bases.size() < ProtocolLimits.MAX_BASES && !bases.contains(id) && Files.exists(store.manifestFile(channel, id))) {
                bases.add(id);
            }
        }
        return bases;
    }

    private void onBase(ChannelHandlerContext ctx, BaseFrame b) {
        if (b.baseId() != null) {
            if (!offeredBases.contains(b.baseId())) {
                throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME, "sender chose base " + b.baseId().shortHex() + ", which this receiver did not offer");
            }
            Manifest baseManifest = store.loadManifest(offer.channel(), b.baseId()).orElseThrow(() -> new SkiffException(
                    ErrorCode.STORAGE_FAILURE, "base " + b.baseId().shortHex() + " of " + offer.channel() + " vanished"));
            // not hashed up front: a reference chunk that does not decode to its hash is fetched again anyway
            base = new BaseChunks(baseManifest, store.releaseDir(offer.channel(), b.baseId()), BaseChunks.Checking.NONE);
            baseWindows = new ReferenceDictionaries<>(base, ZstdDictDecompress::new, BASE_WINDOWS);
        }
        baseChoice = b;
        if (knownManifest != null) {
            if (b.encodedManifestLength() != 0) {
                throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME, "manifest announced, but this receiver knows it");
            }
            startReceiving(ctx, knownManifest);
            return;
        }
        long bound = b.manifestEncoding() == BaseFrame.ManifestEncoding.PLAIN ? offer.manifestLength() : Zstd.compressBound(offer.manifestLength());
        if (b.encodedManifestLength() < 1 || b.encodedManifestLength() > bound) {
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID, b.manifestEncoding() + " manifest of " + b.encodedManifestLength()
                    + " bytes for a " + offer.manifestLength() + "-byte manifest");
        }
        manifestBytes = new ByteArrayOutputStream(Math.min(b.encodedManifestLength(), FrameDescriptor.MANIFEST_PART_BYTES));
        state = State.MANIFEST;
    }

    private void onManifestPart(ChannelHandlerContext ctx, ManifestPartFrame part) {
        int expected = baseChoice.encodedManifestLength();
        if (manifestBytes.size() + part.bytes().length > expected) {
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "manifest parts exceed the announced " + expected + " bytes");
        }
        manifestBytes.writeBytes(part.bytes());
        if (manifestBytes.size() < expected) {
            return;
        }
        Manifest manifest = ManifestCodec.decode(decodeManifest(manifestBytes.toByteArray()));
        manifestBytes = null;
        if (!manifest.releaseId().equals(offer.releaseId())) {
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "manifest hashes to " + manifest.releaseId().shortHex()
                    + ", offer said " + offer.releaseId().shortHex());
        }
        if (!manifest.channel().equals(offer.channel()) || !manifest.version().equals(offer.version())) {
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "manifest channel/version differ from the offer");
        }
        startReceiving(ctx, manifest);
    }

    /** The canonical manifest bytes; a compressed manifest must decode to exactly the offered length (no bombs). */
    private byte[] decodeManifest(byte[] encoded) {
        if (baseChoice.manifestEncoding() == BaseFrame.ManifestEncoding.PLAIN) {
            return encoded;
        }
        byte[] canonical = new byte[offer.manifestLength()];
        try (ZstdDecompressCtx zstd = new ZstdDecompressCtx()) {
            if (baseChoice.manifestEncoding() == BaseFrame.ManifestEncoding.ZSTD_BASE) {
                zstd.loadDict(base.manifest().canonicalBytes());
            }
            int size = zstd.decompressByteArray(canonical, 0, canonical.length, encoded, 0, encoded.length);
            if (size != canonical.length) {
                throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "manifest decoded to " + size + " bytes, offer said " + canonical.length);
            }
        } catch (ZstdException e) {
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "compressed manifest does not decode: " + e.getMessage());
        }
        return canonical;
    }

    /**
     * Stages the release (continuing a partial staging tree whose journal vouches for some chunks),
     * copies every chunk found (and re-verified) on local disk, asks for the rest.
     */
    private void startReceiving(ChannelHandlerContext ctx, Manifest manifest) {
        // a relay re-reads chunks from staging as they land, so it must not hold them in direct-write buffers
        staging = StagingRelease.resumeOrCreate(store, manifest, relayTargets == null ? receiver.segmentBuffers() : null);
        try {
            journal = TransferJournal.open(TransferJournal.fileFor(store, manifest.channel(), manifest.releaseId()),
                    manifest.releaseId(), manifest.chunks().count());
        } catch (IOException e) {
            throw new SkiffException(ErrorCode.STORAGE_FAILURE, "cannot open the journal of " + staging.dir() + ": " + e.getMessage(), e);
        }
        lastJournalSyncNanos = System.nanoTime();
        plan = new ReceivePlan(manifest);
        BitSet resumed = journal.done();
        ByteBuf copyBuffer = ctx.alloc().directBuffer(manifest.chunking().maxBytes());
        try (LocalChunkIndex local = LocalChunkIndex.of(store, manifest.channel(), receiver.seeds())) {
            ByteBuffer buffer = copyBuffer.nioBuffer(0, copyBuffer.capacity());
            MessageDigest digest = Sha256.newDigest();
            BitSet reps = plan.representatives();
            for (int ordinal = reps.nextSetBit(0); ordinal >= 0; ordinal = reps.nextSetBit(ordinal + 1)) {
                Sha256 hash = manifest.chunks().hash(ordinal);
                if (resumed.get(ordinal)) {
                    chunksResumed++;
                } else if (local.contains(hash) && local.read(hash, buffer, digest)) {
                    chunksCopiedLocally += writeEverywhere(ordinal, buffer);
                    journalLater(ordinal);
                } else {
                    plan.want(ordinal);
                }
            }
        } finally {
            copyBuffer.release();
        }
        syncJournal(false);
        state = State.RECEIVING;
        lastActivityNanos = System.nanoTime();
        if (relayTargets != null) {
            startRelay(ctx, manifest, readyBeforeTransfer(manifest));
        }
        LOG.info("{} plan {} {} ({}): {} chunks, {} wanted, {} copied locally, {} already staged", peer, manifest.channel(),
                manifest.version(), manifest.releaseId().shortHex(), manifest.chunks().count(), plan.outstanding(), chunksCopiedLocally,
                chunksResumed);
        receiver.joinable(busyKey, this);
        ctx.writeAndFlush(new WantFrame(plan.chunkCount(), (BitSet) plan.wanted().clone()));
    }

    /** Every chunk except the wanted ones and the places they will also be written to. */
    private BitSet readyBeforeTransfer(Manifest manifest) {
        BitSet ready = new BitSet();
        ready.set(0, manifest.chunks().count());
        BitSet wanted = plan.wanted();
        for (int o = wanted.nextSetBit(0); o >= 0; o = wanted.nextSetBit(o + 1)) {
            for (int same = o; same >= 0; same = plan.nextSameHash(same)) {
                ready.clear(same);
            }
        }
        return ready;
    }

    /**
     * Accepts a wanted chunk and hands it to the verifier pool; returns true once the pool owns it (a
     * retained reference, and the read-ahead accounting).
     */
    private boolean onChunk(ChannelHandlerContext ctx, ChunkFrame chunk, ReadAheadLimiter limiter) {
        int ordinal = chunk.ordinal();
        if (chunk.encoding() == ChunkEncoding.ZSTD_REF && (base == null || plan.wasRefetched(ordinal))) {
            throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME, "chunk ordinal=" + ordinal + " references a base "
                    + (base == null ? "the sender did not choose" : "this receiver already could not use for it"));
        }
        if (!plan.accept(ordinal)) {
            throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME, "chunk ordinal=" + ordinal + " was not wanted or arrived twice");
        }
        Manifest manifest = staging.manifest();
        if (chunk.rawLength() != manifest.chunks().length(ordinal)) {
            throw new ProtocolException(ErrorCode.CHUNK_DECODE_FAILED, "chunk ordinal=" + ordinal + " rawLength="
                    + chunk.rawLength() + ", manifest says " + manifest.chunks().length(ordinal));
        }
        int size = ReadAheadLimiter.sizeOf(chunk);
        chunk.retain();
        verifying.incrementAndGet();
        try {
            receiver.verifiers().execute(worker -> verifyAndWrite(ctx, chunk, size, limiter, worker));
        } catch (RejectedExecutionException e) {
            verifying.decrementAndGet();
            chunk.release();
            throw new SkiffException(ErrorCode.INTERNAL, "receiver is shutting down");
        }
        chunksInVerification++;
        return true;
    }

    /** On a verifier thread: decode, hash, compare, write; then reports back on the session's thread. */
    private void verifyAndWrite(ChannelHandlerContext ctx, ChunkFrame chunk, int size, ReadAheadLimiter limiter,
                                ChunkVerifierPool.Worker worker) {
        SkiffException failure = null;
        boolean refetch = false;
        try {
            int ordinal = chunk.ordinal();
            Manifest manifest = staging.manifest();
            boolean referenced = chunk.encoding() == ChunkEncoding.ZSTD_REF;
            ByteBuffer[] pieces;
            try {
                pieces = worker.decompressor.decode(chunk, worker.scratch, baseWindows);
            } catch (ProtocolException e) {
                if (referenced) { // our copy of the base is not what the sender's was: ask for the chunk without it
                    throw new ChunkDecompressor.ReferenceUnavailable("chunk ordinal=" + ordinal + " does not decode with the local base");
                }
                throw e;
            }
            worker.digest.reset();
            for (ByteBuffer piece : pieces) {
                worker.digest.update(piece.duplicate());
            }
            worker.digest.digest(worker.digestOut, 0, Sha256.BYTES);
            if (referenced && !manifest.chunks().hashMatches(ordinal, worker.digestOut)) {
                throw new ChunkDecompressor.ReferenceUnavailable("chunk ordinal=" + ordinal + " decoded with the local base does not match its hash");
            }
            if (!manifest.chunks().hashMatches(ordinal, worker.digestOut)) {
                throw new SkiffException(ErrorCode.CHUNK_HASH_MISMATCH, "chunk ordinal=" + ordinal + " of "
                        + manifest.entries().get(manifest.chunks().entryIndex(ordinal)).path() + " expected="
                        + manifest.chunks().hash(ordinal).shortHex() + " actual=" + Sha256.of(worker.digestOut).shortHex());
            }
            writeEverywhere(ordinal, pieces);
            RelayForwarding relay = this.relay;
            if (relay != null && chunk.encoding() != ChunkEncoding.RAW) {
                // the targets may get these very bytes: plain zstd any target, zstd+reference one holding the same base
                relay.receivedCompressed(compactCopy(chunk), referenced ? baseChoice.baseId() : null);
            } else if (relay != null) {
                relay.receivedRaw(ordinal);
            }
        } catch (ChunkDecompressor.ReferenceUnavailable e) {
            LOG.debug("{}: {}; asking again without a reference", peer, e.getMessage());
            refetch = true;
        } catch (SkiffException e) {
            failure = e;
        } catch (DigestException | RuntimeException e) {
            failure = new SkiffException(ErrorCode.INTERNAL, "verifying chunk " + chunk.ordinal() + ": " + e, e);
        } finally {
            chunk.release();
            limiter.processed(size);
        }
        verified.add(new VerifiedChunk(failure, refetch ? chunk.ordinal() : -1, failure == null && !refetch ? chunk.ordinal() : -1));
        int undrained = verifiedUndrained.incrementAndGet();
        int stillVerifying = verifying.decrementAndGet();
        if ((failure != null || refetch || stillVerifying == 0 || undrained >= VERIFIED_BATCH)
                && verifiedDrainScheduled.compareAndSet(false, true)) {
            ctx.executor().execute(() -> drainVerified(ctx));
        }
    }

    /** What a verifier reports back on a chunk: a failure, an ordinal to fetch again, or one verified and written. */
    private record VerifiedChunk(SkiffException failure, int refetchOrdinal, int verifiedOrdinal) {
    }

    /** On the session's thread: every chunk the verifiers finished since the last drain. */
    private void drainVerified(ChannelHandlerContext ctx) {
        verifiedDrainScheduled.set(false); // before polling: a chunk added after this schedules the next drain
        for (VerifiedChunk v = verified.poll(); v != null; v = verified.poll()) {
            verifiedUndrained.decrementAndGet();
            chunkVerified(ctx, v.failure(), v.refetchOrdinal(), v.verifiedOrdinal());
        }
    }

    /** A chunk frame in a buffer of its own: the received one is a slice of a larger network buffer. */
    private static ChunkFrame compactCopy(ChunkFrame chunk) {
        ByteBuf payload = chunk.payload();
        ByteBuf copy = payload.alloc().directBuffer(payload.readableBytes()).writeBytes(payload, payload.readerIndex(), payload.readableBytes());
        return new ChunkFrame(chunk.ordinal(), chunk.encoding(), chunk.rawLength(), copy);
    }

    private void journalLater(int ordinal) {
        if (unjournaledCount == unjournaled.length) {
            unjournaled = java.util.Arrays.copyOf(unjournaled, unjournaled.length * 2);
        }
        unjournaled[unjournaledCount++] = ordinal;
    }

    /**
     * Forces the chunks written so far to disk, then records them in the journal: a resume will not ask for
     * them. Unless {@code everything}, chunks whose bytes still sit in a direct-write segment buffer wait for
     * a later sync: writing their segment out through the page cache now would cost more than sending them
     * again after a crash (at most a few segments).
     */
    private void syncJournal(boolean everything) {
        if (unjournaledCount == 0 || journal == null) {
            return;
        }
        int ready = unjournaledCount;
        int[] held = null;
        int heldCount = 0;
        if (!everything) {
            staging.awaitDirectWrites(); // a few ms at most: the chunks of segments on their way to disk go in this record
            ready = 0;
            for (int i = 0; i < unjournaledCount; i++) {
                int ordinal = unjournaled[i];
                if (heldAnywhere(ordinal)) {
                    if (held == null) {
                        held = new int[unjournaledCount - i];
                    }
                    held[heldCount++] = ordinal;
                } else {
                    unjournaled[ready++] = ordinal;
                }
            }
        }
        staging.syncWritten(everything);
        try {
            journal.append(unjournaled, ready);
        } catch (IOException e) {
            throw new SkiffException(ErrorCode.STORAGE_FAILURE, "cannot append to the journal of " + staging.dir() + ": " + e.getMessage(), e);
        }
        if (heldCount > 0) {
            System.arraycopy(held, 0, unjournaled, 0, heldCount);
        }
        unjournaledCount = heldCount;
        unjournaledHeld = heldCount;
        lastJournalSyncNanos = System.nanoTime();
    }

    /** Whether the chunk, at any of the places its hash was written to, may still be in a segment buffer. */
    private boolean heldAnywhere(int ordinal) {
        for (int same = ordinal; same >= 0; same = plan.nextSameHash(same)) {
            if (staging.held(same)) {
                return true;
            }
        }
        return false;
    }

    /**
     * On the session's thread: one chunk is done; a failure ends the session, a chunk whose reference
     * this receiver could not supply is asked for again, and the last one may run a deferred commit.
     */
    private void chunkVerified(ChannelHandlerContext ctx, SkiffException failure, int refetchOrdinal, int verifiedOrdinal) {
        chunksInVerification--;
        if (state == State.CLOSED) {
            if (verifiedOrdinal >= 0 && journal != null) {
                journalLater(verifiedOrdinal); // verified and written before the connection ended: keep it for the resume
            }
            if (chunksInVerification == 0) {
                releaseTransfer();
            }
            return;
        }
        try {
            if (failure != null) {
                throw failure;
            }
            if (refetchOrdinal >= 0) {
                plan.refetch(refetchOrdinal);
                ctx.writeAndFlush(new RefetchFrame(new int[]{refetchOrdinal}));
            } else if (verifiedOrdinal >= 0) {
                journalLater(verifiedOrdinal);
                if (relay != null) {
                    for (int same = verifiedOrdinal; same >= 0; same = plan.nextSameHash(same)) {
                        relay.written(same);
                    }
                }
                if (unjournaledCount - unjournaledHeld >= JOURNAL_BATCH
                        || System.nanoTime() - lastJournalSyncNanos >= receiver.config().journalSync().toNanos()) {
                    syncJournal(false);
                }
            }
            if (chunksInVerification == 0 && plan.outstanding() == 0 && deferredCommit != null) {
                CommitFrame commit = deferredCommit;
                deferredCommit = null;
                commit(ctx, commit);
            }
        } catch (RuntimeException e) {
            fail(ctx, e);
        }
    }

    /** Writes verified bytes at every ordinal sharing this chunk's hash; returns how many places. */
    private int writeEverywhere(int representative, ByteBuffer... verified) {
        int places = 0;
        for (int o = representative; o >= 0; o = plan.nextSameHash(o)) {
            staging.write(o, verified);
            places++;
        }
        return places;
    }

    private void onCommit(ChannelHandlerContext ctx, CommitFrame commit) {
        if (!commit.releaseId().equals(staging.releaseId())) {
            throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME, "commit of " + commit.releaseId().shortHex()
                    + " while receiving " + staging.releaseId().shortHex());
        }
        // Wanted chunks may still be missing: refetched ones, and those on the push's other streams (whose
        // JOIN may not even be read yet). The commit waits for them; the idle timeout ends a wait nothing feeds.
        if (chunksInVerification > 0 || plan.outstanding() > 0) {
            deferredCommit = commit; // runs when the last chunk (refetched ones, other streams' ones) is verified and written
            return;
        }
        commit(ctx, commit);
    }

    private void commit(ChannelHandlerContext ctx, CommitFrame commit) {
        Manifest manifest = staging.manifest();
        long commitStart = System.nanoTime();
        staging.commit(peer, receiver.config().rehashOnCommit());
        journal.delete();
        journal = null;
        state = State.COMMITTED;
        if (relay != null) {
            relay.activated();
        }
        LOG.info("{} activated {} {} ({}); commit took {} ms{}{}", peer, manifest.channel(), manifest.version(),
                manifest.releaseId().shortHex(), (System.nanoTime() - commitStart) / 1_000_000,
                staging.segmentsWrittenDirect() + staging.segmentsSpilled() == 0 ? ""
                        : "; " + staging.segmentsWrittenDirect() + " segments written direct, " + staging.segmentsSpilled()
                        + " through the page cache",
                plan.refetchedCount() == 0 ? "" : "; " + plan.refetchedCount() + " chunk(s) fetched again: the local base did not verify");
        int received = plan.wanted().cardinality();
        ctx.writeAndFlush(new ActivatedFrame(manifest.releaseId(), received, chunksCopiedLocally));
        endTransfer();
    }

    /** An expected failure keeps its code; anything else is a bug, logged with its stack trace. */
    private void fail(ChannelHandlerContext ctx, RuntimeException e) {
        if (e instanceof SkiffException s) {
            fail(ctx, s.code(), s.getMessage());
        } else {
            LOG.error("receive session {} failed unexpectedly", peer, e);
            fail(ctx, ErrorCode.INTERNAL, e.toString());
        }
    }

    /**
     * Sends ERROR, half-closes, and drains what the sender still has in flight until it closes (or
     * {@value #DRAIN_SECONDS} s pass). Closing with unread input would make the kernel send a reset,
     * which can destroy the ERROR frame before the sender reads it.
     */
    private void fail(ChannelHandlerContext ctx, ErrorCode code, String message) {
        LOG.warn("{} failed: {} {}", peer, code.label(), message);
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        endTransfer();
        ctx.writeAndFlush(new ErrorFrame(code, message)).addListener((ChannelFutureListener) f -> {
            if (f.channel() instanceof DuplexChannel duplex) {
                duplex.shutdownOutput();
            }
            f.channel().eventLoop().schedule(() -> f.channel().close(), DRAIN_SECONDS, TimeUnit.SECONDS);
        });
    }

    private void close(ChannelHandlerContext ctx) {
        state = State.CLOSED;
        ctx.close();
        endTransfer();
    }

    /**
     * Nothing read for the idle timeout: a dead or stuck sender (or one that connected and never
     * said HELLO) is dropped, its staging and journal kept for a resume. An event that queued up while
     * this session was busy planning does not count.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && state != State.CLOSED && state != State.COMMITTED
                && System.nanoTime() - lastActivityNanos >= receiver.config().idleTimeout().toNanos()) {
            fail(ctx, ErrorCode.CONNECTION_LOST, "nothing from the sender in state " + state + " for "
                    + receiver.config().idleTimeout().toSeconds() + " s");
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.info("{} connection error: {}", peer, cause.toString());
        close(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (state != State.COMMITTED && state != State.CLOSED && offer != null) {
            LOG.info("{} disconnected during {} of {} ({})", peer, state, offer.channel(), offer.releaseId().shortHex());
        }
        state = State.CLOSED;
        endTransfer();
        ctx.fireChannelInactive();
    }

    /**
     * The transfer is over (activated, failed or cut). Chunks still in the verifier pool finish first:
     * they are verified and written, so they go into the journal before it and the staging files are
     * closed, and the release stays busy until then, so a resume never shares the staging tree with
     * this session.
     */
    private void endTransfer() {
        if (chunksInVerification == 0) {
            releaseTransfer();
        }
    }

    private void releaseTransfer() {
        if (relay != null) {
            relay.abandon(); // a no-op once this receiver activated: then the relay carries on by itself
        }
        if (journal != null) {
            try {
                syncJournal(true); // what arrived before the cut is not asked for again
            } catch (RuntimeException e) {
                LOG.warn("{}: could not sync the journal at the end of the transfer: {}", peer, e.getMessage());
            }
            journal.close();
            journal = null;
        }
        if (staging != null) {
            try {
                staging.close();
            } catch (RuntimeException e) {
                LOG.warn("{}: could not write out the staging files at the end of the transfer: {}", peer, e.getMessage());
            }
        }
        if (baseWindows != null) {
            baseWindows.close(); // every verifier is done with them: the transfer is released after the last one
        }
        if (base != null) {
            base.close();
        }
        if (busyKey != null) {
            receiver.notJoinable(busyKey, this);
            receiver.end(busyKey);
            busyKey = null;
        }
    }

    private static String describe(Object msg) {
        return msg instanceof Frame f ? f.type() + " frame" : msg.getClass().getSimpleName();
    }
}
