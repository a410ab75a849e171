package io.skiff.engine.receive;

import io.skiff.protocol.ChunkTable;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.Sha256;

import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * Bookkeeping of one receive, apart from any I/O: which ordinals share a hash (a chunk is fetched once
 * and written to every place it occurs), which are wanted from the sender, which have arrived.
 */
final class ReceivePlan {
    private final ChunkTable chunks;
    /** For each ordinal, the next ordinal with the same hash, or -1. */
    private final int[] nextSameHash;
    /** The first ordinal of each distinct hash. */
    private final BitSet representatives = new BitSet();
    private final BitSet wanted = new BitSet();
    private final BitSet received = new BitSet();
    /** Wanted chunks asked for again (their reference was unusable) that have not arrived again yet. */
    private final BitSet refetched = new BitSet();
    private int refetchesOutstanding;
    private int outstanding;

    ReceivePlan(Manifest manifest) {
        this.chunks = manifest.chunks();
        this.nextSameHash = new int[chunks.count()];
        Arrays.fill(nextSameHash, -1);
        Map<Sha256, Integer> lastByHash = new HashMap<>(chunks.count() * 2);
        for (int i = 0; i < chunks.count(); i++) {
            Integer last = lastByHash.put(chunks.hash(i), i);
            if (last == null) {
                representatives.set(i);
            } else {
                nextSameHash[last] = i;
            }
        }
    }

    BitSet representatives() {
        return representatives;
    }

    /** The ordinal after {@code ordinal} holding the same bytes, or -1. */
    int nextSameHash(int ordinal) {
        return nextSameHash[ordinal];
    }

    void want(int representative) {
        if (!wanted.get(representative)) {
            wanted.set(representative);
            outstanding++;
        }
    }

    BitSet wanted() {
        return wanted;
    }

    int chunkCount() {
        return chunks.count();
    }

    /** True if {@code ordinal} was wanted and had not arrived yet; marks it arrived. */
    boolean accept(int ordinal) {
        if (ordinal >= chunks.count() || !wanted.get(ordinal) || received.get(ordinal)) {
            return false;
        }
        received.set(ordinal);
        outstanding--;
        if (refetched.get(ordinal)) {
            refetchesOutstanding--;
        }
        return true;
    }

    /** A received chunk could not be decoded with its reference: it is outstanding again, once. */
    void refetch(int ordinal) {
        if (!received.get(ordinal) || refetched.get(ordinal)) {
            throw new IllegalStateException("refetch of ordinal " + ordinal);
        }
        received.clear(ordinal);
        refetched.set(ordinal);
        outstanding++;
        refetchesOutstanding++;
    }

    boolean wasRefetched(int ordinal) {
        return ordinal >= 0 && refetched.get(ordinal);
    }

    int refetchedCount() {
        return refetched.cardinality();
    }

    int refetchesOutstanding() {
        return refetchesOutstanding;
    }

    int outstanding() {
        return outstanding;
    }
}
