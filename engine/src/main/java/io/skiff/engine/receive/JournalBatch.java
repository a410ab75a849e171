package io.skiff.engine.receive;

import io.skiff.engine.store.ReleaseStore;
import io.skiff.engine.store.StagingRelease;
import io.skiff.engine.store.TransferJournal;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.StorageException;

import java.io.IOException;
import java.util.Arrays;
import java.util.BitSet;

/**
 * The resume journal of one transfer, written in batches: chunks verified and written are noted
 * ({@link #later}) and recorded together once {@value #BATCH} are waiting or the receiver's journal sync
 * interval has passed, each batch after the staging files are forced to disk, so a record never names
 * bytes a crash could lose. Used on the session's thread only; after {@link #delete} or {@link #close}
 * every call is a no-op.
 */
final class JournalBatch {
    /** The journal is synced at least every this many chunks (~64 MiB at the default chunk size). */
    static final int BATCH = 1024;

    private final StagingRelease staging;
    private final ReceivePlan plan;
    private final long syncIntervalNanos;
    /** Null once deleted or closed. */
    private TransferJournal journal;
    /** Chunks verified and written since the journal was last synced. */
    private int[] unjournaled = new int[BATCH];
    private int unjournaledCount;
    /** Of those, how many the last sync left for later (held in direct-write segment buffers). */
    private int unjournaledHeld;
    private long lastSyncNanos = System.nanoTime();

    private JournalBatch(StagingRelease staging, ReceivePlan plan, long syncIntervalNanos, TransferJournal journal) {
        this.staging = staging;
        this.plan = plan;
        this.syncIntervalNanos = syncIntervalNanos;
        this.journal = journal;
    }

    /** Opens (or continues) the journal of {@code staging}; STORAGE_FAILURE when it cannot be. */
    static JournalBatch open(ReleaseStore store, StagingRelease staging, ReceivePlan plan, long syncIntervalNanos) {
        Manifest manifest = staging.manifest();
        try {
            return new JournalBatch(staging, plan, syncIntervalNanos, TransferJournal.open(
                    TransferJournal.fileFor(store, manifest.channel(), manifest.releaseId()), manifest.releaseId(), manifest.chunks().count()));
        } catch (IOException e) {
            throw new StorageException(staging.dir(), "cannot open the journal of " + staging.dir() + ": " + e.getMessage(), e);
        }
    }

    /** Ordinals an earlier connection recorded: verified, written and durable. */
    BitSet done() {
        return journal.done();
    }

    /** Chunk {@code ordinal} (and every ordinal sharing its hash) is verified and written: recorded with the next sync. */
    void later(int ordinal) {
        if (journal == null) {
            return;
        }
        if (unjournaledCount == unjournaled.length) {
            unjournaled = Arrays.copyOf(unjournaled, unjournaled.length * 2);
        }
        unjournaled[unjournaledCount++] = ordinal;
    }

    /** Syncs when a batch is full or the sync interval has passed since the last sync. */
    void syncIfDue() {
        if (unjournaledCount - unjournaledHeld >= BATCH || System.nanoTime() - lastSyncNanos >= syncIntervalNanos) {
            sync(false);
        }
    }

    /**
     * Forces the chunks written so far to disk, then records them in the journal: a resume will not ask for
     * them. Unless {@code everything}, chunks whose bytes still sit in a direct-write segment buffer wait for
     * a later sync: writing their segment out through the page cache now would cost more than sending them
     * again after a crash (at most a few segments).
     */
    void sync(boolean everything) {
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
            throw new StorageException(staging.dir(), "cannot append to the journal of " + staging.dir() + ": " + e.getMessage(), e);
        }
        if (heldCount > 0) {
            System.arraycopy(held, 0, unjournaled, 0, heldCount);
        }
        unjournaledCount = heldCount;
        unjournaledHeld = heldCount;
        lastSyncNanos = System.nanoTime();
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

    /** The release is activated: the journal has nothing left to vouch for. */
    void delete() {
        if (journal != null) {
            journal.delete();
            journal = null;
        }
    }

    /** Whether the journal is still open (neither deleted nor closed). */
    boolean isOpen() {
        return journal != null;
    }

    /** Closes the journal after a last sync of everything; a sync failure is the caller's to log. */
    void close() {
        if (journal == null) {
            return;
        }
        try {
            sync(true); // what arrived before the cut is not asked for again
        } finally {
            journal.close();
            journal = null;
        }
    }
}
