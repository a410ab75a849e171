package io.skiff.engine.receive;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.skiff.engine.encode.ChunkDecompressor;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.IntegrityException;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SkiffException;
import io.skiff.protocol.frame.ChunkEncoding;
import io.skiff.protocol.frame.ChunkFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.security.DigestException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The chunks of one transfer between the session and the {@link ChunkVerifierPool}: {@link #accept} checks
 * a CHUNK frame against the plan and hands it to a verifier, which decodes it (against the base's
 * reference windows for zstd+reference), checks its SHA-256, writes it at every place it occurs and tells
 * the relay; then the outcome, a {@link Verified}, goes back to the session's thread ({@link #drain}).
 *
 * <p>A zstd+reference chunk that does not decode with the local base, or decodes to the wrong hash, is a
 * refetch, not a failure: the sender's copy of the base differs from this receiver's, so it is asked for
 * again without the reference. Any other mismatch is CHUNK_HASH_MISMATCH.
 *
 * <p>Buffers: {@link #accept} retains the frame for the verifier, which releases it when done; the caller
 * releases its own reference as usual.
 */
final class ChunkVerification {
    /** Logs as the session does: an operator follows one logger through a transfer. */
    private static final Logger LOG = LoggerFactory.getLogger(ReceiveSession.class);
    /** Verified chunks that wake the session's thread to record them, at the latest (see {@code verified}). */
    private static final int VERIFIED_BATCH = 16;

    /** What a verifier reports back on a chunk: a failure, an ordinal to fetch again, or one verified and written (-1: not that). */
    record Verified(SkiffException failure, int refetchOrdinal, int verifiedOrdinal) {
    }

    private final ChunkVerifierPool verifiers;
    private final StagedTransfer transfer;
    /** Null when the sender chose no base. */
    private final ChosenBase base;
    private final String peer;
    private final Consumer<Verified> onSessionThread;
    /** Set on the session's thread before WANT; read by verifier threads. */
    private volatile RelayForwarding relay;
    /** Chunks handed to the verifier pool and not drained yet, as the session's thread counts them. */
    private int inVerification;
    /**
     * Chunks the verifiers are done with, for the session's thread. A verifier wakes that thread only
     * for a failure, a refetch, every {@value #VERIFIED_BATCH}th chunk, or when no chunk is left in
     * verification; otherwise the session takes them before its next message, so a steady stream of
     * chunks does not wake that thread once per chunk.
     */
    private final Queue<Verified> verified = new ConcurrentLinkedQueue<>();
    private final AtomicInteger verifiedUndrained = new AtomicInteger();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    /** Chunks handed to the verifiers and not finished, as they count them ({@link #inVerification} lags until drained). */
    private final AtomicInteger verifying = new AtomicInteger();

    /** {@code onSessionThread} hears every outcome, in {@link #drain}, on the session's thread. */
    ChunkVerification(ChunkVerifierPool verifiers, StagedTransfer transfer, ChosenBase base, String peer, Consumer<Verified> onSessionThread) {
        this.verifiers = verifiers;
        this.transfer = transfer;
        this.base = base;
        this.peer = peer;
        this.onSessionThread = onSessionThread;
    }

    /** Where verified chunks are also announced from now on (a RELAY); set before WANT. */
    void relayTo(RelayForwarding relay) {
        this.relay = relay;
    }

    /** Chunks handed over whose outcome the session's thread has not taken yet. */
    int inVerification() {
        return inVerification;
    }

    /** Whether outcomes wait for {@link #drain}. */
    boolean hasOutcomes() {
        return !verified.isEmpty();
    }

    /**
     * On the session's thread: checks a wanted chunk and hands it to the verifier pool, which owns a retained
     * reference of it from then on and reports {@code size} done to {@code limiter} when finished. Throws
     * UNEXPECTED_FRAME (not wanted, twice, a reference it cannot have), CHUNK_DECODE_FAILED (wrong length).
     */
    void accept(ChannelHandlerContext ctx, ChunkFrame chunk, ReadAheadLimiter limiter) {
        int ordinal = chunk.ordinal();
        ReceivePlan plan = transfer.plan();
        if (chunk.encoding() == ChunkEncoding.ZSTD_REF && (base == null || plan.wasRefetched(ordinal))) {
            throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME, "chunk ordinal=" + ordinal + " references a base "
                    + (base == null ? "the sender did not choose" : "this receiver already could not use for it"));
        }
        if (!plan.accept(ordinal)) {
            throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME, "chunk ordinal=" + ordinal + " was not wanted or arrived twice");
        }
        Manifest manifest = transfer.manifest();
        if (chunk.rawLength() != manifest.chunks().length(ordinal)) {
            throw new ProtocolException(ErrorCode.CHUNK_DECODE_FAILED, "chunk ordinal=" + ordinal + " rawLength="
                    + chunk.rawLength() + ", manifest says " + manifest.chunks().length(ordinal));
        }
        int size = ReadAheadLimiter.sizeOf(chunk);
        chunk.retain();
        verifying.incrementAndGet();
        try {
            verifiers.execute(worker -> verifyAndWrite(ctx, chunk, size, limiter, worker));
        } catch (RejectedExecutionException e) {
            verifying.decrementAndGet();
            chunk.release();
            throw new SkiffException(ErrorCode.INTERNAL, "receiver is shutting down");
        }
        inVerification++;
    }

    /** On a verifier thread: decode, hash, compare, write; then reports back on the session's thread. */
    private void verifyAndWrite(ChannelHandlerContext ctx, ChunkFrame chunk, int size, ReadAheadLimiter limiter,
                                ChunkVerifierPool.Worker worker) {
        SkiffException failure = null;
        boolean refetch = false;
        try {
            int ordinal = chunk.ordinal();
            Manifest manifest = transfer.manifest();
            boolean referenced = chunk.encoding() == ChunkEncoding.ZSTD_REF;
            ByteBuffer[] pieces;
            try {
                pieces = worker.decompressor.decode(chunk, worker.scratch, base == null ? null : base.windows());
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
                throw IntegrityException.chunk(ordinal, manifest.entries().get(manifest.chunks().entryIndex(ordinal)).path(),
                        manifest.chunks().hash(ordinal), Sha256.of(worker.digestOut));
            }
            transfer.writeEverywhere(ordinal, pieces);
            RelayForwarding relay = this.relay;
            if (relay != null && chunk.encoding() != ChunkEncoding.RAW) {
                // the targets may get these very bytes: plain zstd any target, zstd+reference one holding the same base
                relay.receivedCompressed(compactCopy(chunk), referenced ? base.id() : null);
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
        verified.add(new Verified(failure, refetch ? chunk.ordinal() : -1, failure == null && !refetch ? chunk.ordinal() : -1));
        int undrained = verifiedUndrained.incrementAndGet();
        int stillVerifying = verifying.decrementAndGet();
        if ((failure != null || refetch || stillVerifying == 0 || undrained >= VERIFIED_BATCH)
                && drainScheduled.compareAndSet(false, true)) {
            ctx.executor().execute(() -> drain());
        }
    }

    /** On the session's thread: every outcome the verifiers reported since the last drain, in order. */
    void drain() {
        drainScheduled.set(false); // before polling: a chunk added after this schedules the next drain
        for (Verified v = verified.poll(); v != null; v = verified.poll()) {
            verifiedUndrained.decrementAndGet();
            inVerification--;
            onSessionThread.accept(v);
        }
    }

    /** A chunk frame in a buffer of its own: the received one is a slice of a larger network buffer. */
    private static ChunkFrame compactCopy(ChunkFrame chunk) {
        ByteBuf payload = chunk.payload();
        ByteBuf copy = payload.alloc().directBuffer(payload.readableBytes()).writeBytes(payload, payload.readerIndex(), payload.readableBytes());
        return new ChunkFrame(chunk.ordinal(), chunk.encoding(), chunk.rawLength(), copy);
    }
}
