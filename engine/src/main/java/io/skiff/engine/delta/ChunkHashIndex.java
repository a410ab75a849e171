package io.skiff.engine.delta;

import io.skiff.protocol.ChunkTable;
import io.skiff.protocol.Sha256;

import java.util.HashMap;
import java.util.Map;

/**
 * The base release's chunks grouped by hash: group {@code g} holds base ordinals
 * {@code ordinals[groupStart[g], groupStart[g + 1])}, ascending, so the occurrences within one file
 * are a contiguous, binary-searchable slice. Needed only while planning.
 */
final class ChunkHashIndex {
    private final Map<Sha256, Integer> groups;
    private final int[] groupStart;
    private final int[] ordinals;

    ChunkHashIndex(ChunkTable chunks) {
        int n = chunks.count();
        groups = new HashMap<>(Math.max(16, (int) (n / 0.75f) + 1));
        int[] groupOf = new int[n];
        for (int o = 0; o < n; o++) {
            Integer known = groups.putIfAbsent(chunks.hash(o), groups.size());
            groupOf[o] = known != null ? known : groups.size() - 1;
        }
        groupStart = new int[groups.size() + 1];
        for (int g : groupOf) {
            groupStart[g + 1]++;
        }
        for (int g = 0; g < groups.size(); g++) {
            groupStart[g + 1] += groupStart[g];
        }
        int[] fill = groupStart.clone();
        ordinals = new int[n];
        for (int o = 0; o < n; o++) {
            ordinals[fill[groupOf[o]]++] = o;
        }
    }

    /** The group of {@code hash}, or -1 if the base release has no such chunk. */
    int group(Sha256 hash) {
        Integer g = groups.get(hash);
        return g == null ? -1 : g;
    }

    /** Index into the group's slice of its first ordinal {@code >= ordinal}, or the slice's end. */
    int lowerBound(int group, int ordinal) {
        int a = groupStart[group];
        int b = groupStart[group + 1];
        while (a < b) {
            int mid = (a + b) >>> 1;
            if (ordinals[mid] < ordinal) {
                a = mid + 1;
            } else {
                b = mid;
            }
        }
        return a;
    }

    /** The group's first base ordinal in {@code [from, to)}, or -1. */
    int firstIn(int group, int from, int to) {
        int i = lowerBound(group, from);
        return i < groupStart[group + 1] && ordinals[i] < to ? ordinals[i] : -1;
    }

    int groupEnd(int group) {
        return groupStart[group + 1];
    }

    int ordinalAt(int i) {
        return ordinals[i];
    }
}
