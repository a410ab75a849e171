package io.skiff.engine.delta;

import io.skiff.protocol.ChunkTable;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ManifestEntry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Step 1 of {@link ReferencePlanner}: which base file each target file is compared with.
 * Single-threaded scratch state.
 */
final class FilePairing {
    /**
     * A target chunk is credited to at most this many base files holding its hash: a hash found in
     * more files is a common block (zeros, a licence header) and says little about where a file came from.
     */
    private static final int MAX_FILES_PER_HASH = 32;
    private final Manifest base;
    private final Manifest target;
    private final ChunkHashIndex index;
    private final int[] groups;
    /** Non-empty base files by path, and by path with every run of digits replaced by '#'. */
    private final Map<String, Integer> byPath = new HashMap<>();
    private final Map<String, List<Integer>> byDigitPattern = new HashMap<>();
    /** Per base entry: chunk bytes shared with the current target file, and the last target chunk credited. */
    private final long[] shared;
    private final int[] creditedFor;
    private final List<Integer> touched = new ArrayList<>();

    FilePairing(Manifest base, Manifest target, ChunkHashIndex index, int[] groups) {
        this.base = base;
        this.target = target;
        this.index = index;
        this.groups = groups;
        List<ManifestEntry> entries = base.entries();
        for (int e = 0; e < entries.size(); e++) {
            ManifestEntry file = entries.get(e);
            if (file.chunkCount() > 0) {
                byPath.put(file.path(), e);
                byDigitPattern.computeIfAbsent(digitPattern(file.path()), k -> new ArrayList<>()).add(e);
            }
        }
        this.shared = new long[entries.size()];
        this.creditedFor = new int[entries.size()];
        Arrays.fill(creditedFor, -1);
    }

    /** Index into the base entries of the file to pair with {@code file}, or -1. */
    int baseFileFor(ManifestEntry file) {
        int samePath = byPath.getOrDefault(file.path(), -1);
        ChunkTable chunks = target.chunks();
        for (int o = file.firstChunk(); o < file.firstChunk() + file.chunkCount(); o++) {
            int g = groups[o];
            if (g < 0) {
                continue;
            }
            int length = chunks.length(o);
            int i = index.lowerBound(g, 0);
            for (int files = 0; i < index.groupEnd(g) && files < MAX_FILES_PER_HASH; files++) {
                int e = base.chunks().entryIndex(index.ordinalAt(i));
                credit(e, o, length);
                ManifestEntry holder = base.entries().get(e);
                i = index.lowerBound(g, holder.firstChunk() + holder.chunkCount()); // skip to the next file
            }
            if (samePath >= 0) {
                ManifestEntry same = base.entries().get(samePath);
                if (index.firstIn(g, same.firstChunk(), same.firstChunk() + same.chunkCount()) >= 0) {
                    credit(samePath, o, length);
                }
            }
        }
        int best = -1;
        for (int e : touched) {
            if (best < 0 || shared[e] > shared[best]
                    || shared[e] == shared[best] && best != samePath && (e == samePath || e < best)) {
                best = e;
            }
        }
        for (int e : touched) {
            shared[e] = 0;
        }
        touched.clear();
        if (best >= 0) {
            return best;
        }
        if (samePath >= 0) {
            return samePath;
        }
        return similarlyNamed(file.path());
    }

    private void credit(int entry, int targetOrdinal, int length) {
        if (creditedFor[entry] == targetOrdinal) {
            return;
        }
        creditedFor[entry] = targetOrdinal;
        if (shared[entry] == 0) {
            touched.add(entry);
        }
        shared[entry] += length;
    }

    /** A base file whose path differs only in its digits, preferably in the same directory; -1 if none. */
    private int similarlyNamed(String path) {
        List<Integer> candidates = byDigitPattern.get(digitPattern(path));
        if (candidates == null) {
            return -1;
        }
        String directory = directory(path);
        for (int e : candidates) {
            if (directory(base.entries().get(e).path()).equals(directory)) {
                return e;
            }
        }
        return candidates.get(0);
    }

    private static String directory(String path) {
        return path.substring(0, Math.max(0, path.lastIndexOf('/')));
    }

    static String digitPattern(String path) {
        StringBuilder sb = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (isDigit(c)) {
                if (i == 0 || !isDigit(path.charAt(i - 1))) {
                    sb.append('#'); // one '#' per run of digits
                }
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
