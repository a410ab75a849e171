package io.skiff.engine.receive;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.skiff.engine.audit.Actor;
import io.skiff.engine.store.LocalChunkIndex;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.engine.store.StagingRelease;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.frame.ActivatedFrame;
import io.skiff.protocol.frame.CommitFrame;
import io.skiff.protocol.frame.WantFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.BitSet;

/**
 * One release being received: its staging tree, its {@link ReceivePlan} and its {@link JournalBatch}.
 * {@link #begin} continues a partial staging tree whose journal vouches for some chunks, copies every
 * chunk found (and re-verified) on local disk, and leaves the rest wanted: {@link #wantFrame} is the
 * WANT the sender gets. Used on the session's thread, except {@link #writeEverywhere} (verifier threads).
 */
final class StagedTransfer {
    /** Logs as the session does: an operator follows one logger through a transfer. */
    private static final Logger LOG = LoggerFactory.getLogger(ReceiveSession.class);

    private final StagingRelease staging;
    private final ReceivePlan plan;
    private final JournalBatch journal;
    private int chunksCopiedLocally;
    private int chunksResumed;
    /** Whether any chunk is staged: resumed, copied locally or received (else the staging is not kept for a resume). */
    private boolean anyStaged;
    private boolean committed;

    /** This transfer's share of the disk; null until claimed in {@link #begin}. */
    private StagingSpace.Claim space;

    private StagedTransfer(StagingRelease staging, ReceivePlan plan, JournalBatch journal) {
        this.staging = staging;
        this.plan = plan;
        this.journal = journal;
    }

    /**
     * Stages {@code manifest}'s release and plans what to ask for, once the disk has room for what is not
     * staged yet ({@link StagingSpace}; {@code tenant} and {@code key}, the transfer's registry key, say whose
     * it is). {@code relaying}: a relay re-reads chunks from staging as they land, so it must not hold them in
     * direct-write buffers. On a failure whatever was staged is closed (and journaled) before the exception leaves.
     */
    static StagedTransfer begin(SessionContext context, ReleaseStore store, String tenant, String key, Manifest manifest, boolean relaying,
                                ByteBufAllocator alloc, String peer) {
        StagingRelease staging = StagingRelease.resumeOrCreate(store, manifest, relaying ? null : context.segmentBuffers());
        ReceivePlan plan = new ReceivePlan(manifest);
        JournalBatch journal;
        try {
            journal = JournalBatch.open(store, staging, plan, context.config().journalSync().toNanos());
        } catch (RuntimeException e) {
            closeStaging(staging, peer);
            throw e;
        }
        StagedTransfer transfer = new StagedTransfer(staging, plan, journal);
        try {
            transfer.space = context.space().claim(tenant, manifest, transfer.bytesNotStaged(), key, peer);
            transfer.planChunks(context, store, alloc);
        } catch (RuntimeException e) {
            transfer.close(peer);
            throw e;
        }
        LOG.info("{} plan {} {} ({}): {} chunks, {} wanted, {} copied locally, {} already staged", peer, manifest.channel(),
                manifest.version(), manifest.releaseId().shortHex(), manifest.chunks().count(), plan.outstanding(),
                transfer.chunksCopiedLocally, transfer.chunksResumed);
        return transfer;
    }

    /** Bytes still to be written: every place of every chunk the journal does not vouch for. */
    private long bytesNotStaged() {
        BitSet resumed = journal.done();
        BitSet reps = plan.representatives();
        long bytes = 0;
        for (int r = reps.nextSetBit(0); r >= 0; r = reps.nextSetBit(r + 1)) {
            if (!resumed.get(r)) {
                for (int o = r; o >= 0; o = plan.nextSameHash(o)) {
                    bytes += staging.manifest().chunks().length(o);
                }
            }
        }
        return bytes;
    }

    /** Each distinct chunk: already staged (journal), copied from local disk, or wanted from the sender. */
    private void planChunks(SessionContext context, ReleaseStore store, ByteBufAllocator alloc) {
        Manifest manifest = staging.manifest();
        BitSet resumed = journal.done();
        ByteBuf copyBuffer = alloc.directBuffer(manifest.chunking().maxBytes());
        try (LocalChunkIndex local = LocalChunkIndex.of(store, manifest.channel(), context.seeds())) {
            ByteBuffer buffer = copyBuffer.nioBuffer(0, copyBuffer.capacity());
            MessageDigest digest = Sha256.newDigest();
            BitSet reps = plan.representatives();
            for (int ordinal = reps.nextSetBit(0); ordinal >= 0; ordinal = reps.nextSetBit(ordinal + 1)) {
                Sha256 hash = manifest.chunks().hash(ordinal);
                if (resumed.get(ordinal)) {
                    chunksResumed++;
                } else if (local.contains(hash) && local.read(hash, buffer, digest)) {
                    chunksCopiedLocally += writeEverywhere(ordinal, buffer);
                    journal.later(ordinal);
                } else {
                    plan.want(ordinal);
                }
            }
        } finally {
            copyBuffer.release();
        }
        journal.sync(false);
    }

    Manifest manifest() {
        return staging.manifest();
    }

    ReceivePlan plan() {
        return plan;
    }

    /** The WANT frame: every chunk count, and the wanted ones (a copy: the plan's set changes on). */
    WantFrame wantFrame() {
        return new WantFrame(plan.chunkCount(), (BitSet) plan.wanted().clone());
    }

    /** Writes verified bytes at every ordinal sharing this chunk's hash; returns how many places. */
    int writeEverywhere(int representative, ByteBuffer... verified) {
        int places = 0;
        for (int o = representative; o >= 0; o = plan.nextSameHash(o)) {
            staging.write(o, verified);
            places++;
        }
        space.wrote((long) places * staging.manifest().chunks().length(representative));
        return places;
    }

    /** Every chunk except the wanted ones and the places they will also be written to: what a relay has now. */
    BitSet readyBeforeTransfer() {
        BitSet ready = new BitSet();
        ready.set(0, plan.chunkCount());
        BitSet wanted = plan.wanted();
        for (int o = wanted.nextSetBit(0); o >= 0; o = wanted.nextSetBit(o + 1)) {
            for (int same = o; same >= 0; same = plan.nextSameHash(same)) {
                ready.clear(same);
            }
        }
        return ready;
    }

    /** Chunk {@code ordinal} is verified and written (a negative one: none): recorded with the next journal sync. */
    void journalLater(int ordinal) {
        if (ordinal >= 0) {
            anyStaged = true;
            journal.later(ordinal);
        }
    }

    /**
     * Chunk {@code ordinal} is verified and written at every place it occurs: journaled (synced when a batch is
     * due) and, with a {@code relay} (or null), announced for each of those places.
     */
    void written(int ordinal, RelayForwarding relay) {
        anyStaged = true;
        journal.later(ordinal);
        if (relay != null) {
            for (int same = ordinal; same >= 0; same = plan.nextSameHash(same)) {
                relay.written(same);
            }
        }
        journal.syncIfDue();
    }

    /** UNEXPECTED_FRAME unless {@code commit} names the release being received. */
    void checkCommit(CommitFrame commit) {
        Sha256 receiving = staging.releaseId();
        if (!commit.releaseId().equals(receiving)) {
            throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME, "commit of " + commit.releaseId().shortHex()
                    + " while receiving " + receiving.shortHex());
        }
    }

    /** Verifies file hashes, fsyncs, switches {@code current}; the journal goes. Logs what it did as {@code peer}'s, audits it as {@code actor}'s. */
    void commit(String peer, Actor actor, boolean rehash) {
        Manifest manifest = staging.manifest();
        long commitStart = System.nanoTime();
        staging.commit(peer, actor, rehash);
        committed = true;
        journal.delete();
        LOG.info("{} activated {} {} ({}); commit took {} ms{}{}", peer, manifest.channel(), manifest.version(),
                manifest.releaseId().shortHex(), (System.nanoTime() - commitStart) / 1_000_000,
                staging.segmentsWrittenDirect() + staging.segmentsSpilled() == 0 ? ""
                        : "; " + staging.segmentsWrittenDirect() + " segments written direct, " + staging.segmentsSpilled()
                        + " through the page cache",
                plan.refetchedCount() == 0 ? "" : "; " + plan.refetchedCount() + " chunk(s) fetched again: the local base did not verify");
    }

    /** The ACTIVATED frame after {@link #commit}: chunks received from the sender, and copied locally. */
    ActivatedFrame activatedFrame() {
        return new ActivatedFrame(staging.manifest().releaseId(), plan.wanted().cardinality(), chunksCopiedLocally);
    }

    /**
     * The transfer is over: journals what arrived (unless activated) and writes out the staging files; a
     * transfer that staged no chunk leaves nothing behind (see {@link StagingRelease#discardUnstarted}). Logs failures.
     */
    void close(String peer) {
        if (journal.isOpen()) {
            try {
                journal.close();
            } catch (RuntimeException e) {
                LOG.warn("{}: could not sync the journal at the end of the transfer: {}", peer, e.getMessage());
            }
        }
        closeStaging(staging, peer);
        if (space != null) {
            space.close();
        }
        if (!committed && !anyStaged && chunksResumed == 0 && chunksCopiedLocally == 0) {
            try {
                staging.discardUnstarted();
            } catch (RuntimeException e) {
                LOG.warn("{}: {}", peer, e.getMessage());
            }
        }
    }

    private static void closeStaging(StagingRelease staging, String peer) {
        try {
            staging.close();
        } catch (RuntimeException e) {
            LOG.warn("{}: could not write out the staging files at the end of the transfer: {}", peer, e.getMessage());
        }
    }
}
