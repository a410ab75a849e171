package io.skiff.engine.delta;

import io.skiff.protocol.ChunkTable;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ManifestEntry;

import java.util.Arrays;
import java.util.Objects;

/**
 * Chooses, for each chunk of a target release, which bytes of a base release the sender compresses it
 * against: zstd with those bytes as a raw-content dictionary (as {@code zstd --patch-from}), for a
 * receiver that holds the base. A changed chunk compressed against the base bytes it replaced costs a
 * fraction of its plain zstd size, and those bytes can be found from the two manifests, and more
 * precisely with a few bytes of each chunk's end ({@link ChunkEnds}).
 *
 * <p>Each target file is paired with one base file: the one sharing the most chunk bytes with it (ties
 * go to the same path, then to the lowest entry index); if none shares any, the same path; else the
 * same path up to its digits ({@code ..._20250101.txt} becoming {@code ..._20250201.txt}), preferably in
 * the same directory. Target chunks found in the paired base file are <em>anchors</em>; a run of
 * changed chunks between two anchors replaced the base chunks between the same two anchors, and that
 * gap is the run's reference. An insertion (empty gap) or a reordering uses the neighbouring anchors
 * instead. A gap larger than the window ({@link #MAX_REFERENCE_BYTES} at most) is cut, per chunk, to a
 * window around the position the chunk aims at, so successive chunks move forward through the gap;
 * windows start on a grid of 3/4 of their width, so neighbouring chunks share one.
 *
 * <p>Where a chunk aims: with {@link ChunkEnds}, between the chunk ends the two files share, which an
 * edit inside a chunk leaves in place (a release where a few percent of rows change has changed nearly
 * every chunk, but kept most chunk ends); from the manifests alone, at its proportional position in
 * the run. The shared ends miss far fewer old bytes on a code-set update (docs/benchmarks.md,
 * "Figures behind the code").
 *
 * <p>All of it is computed in the constructor into two int arrays (O(chunks) time and memory); an
 * instance is immutable and {@link #referenceFor} may be called from any thread.
 */
public final class ReferencePlanner {
    /** Largest reference (dictionary) a chunk may name; the receiver refuses larger ones. */
    public static final int MAX_REFERENCE_BYTES = io.skiff.protocol.ProtocolLimits.MAX_REFERENCE_BYTES;
    /** Fits a u16 on the wire. */
    public static final int MAX_REFERENCE_CHUNKS = 65535;
    /**
     * How far past the last shared end {@link #aim} looks for a base chunk ending like a target chunk
     * (16 average chunks, 1 MiB). Row endings repeat across a code-set file, so a match further ahead
     * (after a larger deletion), up to {@link #END_FAR_LOOKAHEAD} chunks (64 MiB), is taken only when
     * the next {@value #END_CONFIRMATIONS} chunk ends match too. Scanned, not indexed: no memory per
     * base chunk, and a scan only for a chunk whose end is not found nearby.
     */
    private static final int END_LOOKAHEAD = 16;
    private static final int END_FAR_LOOKAHEAD = 1024;
    private static final int END_CONFIRMATIONS = 2;

    private final int maxBytes;
    private final Manifest base;
    private final Manifest target;
    /** Per target ordinal: the first base ordinal of its reference, and the reference's chunk count (0: none). */
    private final int[] refStart;
    private final int[] refCount;

    public ReferencePlanner(Manifest base, Manifest target) {
        this(base, target, MAX_REFERENCE_BYTES);
    }

    /**
     * @param maxReferenceBytes largest reference to plan (at most {@link #MAX_REFERENCE_BYTES}): zstd
     *                          indexes the whole dictionary for every chunk, so a smaller window trades a
     *                          little ratio on badly aligned chunks for encoding speed
     */
    public ReferencePlanner(Manifest base, Manifest target, int maxReferenceBytes) {
        this(base, target, maxReferenceBytes, null);
    }

    /** @param ends both releases' chunk ends, or null: aim from the manifests alone (see the class comment) */
    public ReferencePlanner(Manifest base, Manifest target, int maxReferenceBytes, ChunkEnds ends) {
        if (maxReferenceBytes < 1 || maxReferenceBytes > MAX_REFERENCE_BYTES) {
            throw new IllegalArgumentException("maxReferenceBytes=" + maxReferenceBytes);
        }
        if (ends != null && !ends.fits(base, target)) {
            throw new IllegalArgumentException("chunk ends read for other releases");
        }
        this.maxBytes = maxReferenceBytes;
        this.base = Objects.requireNonNull(base, "base");
        this.target = Objects.requireNonNull(target, "target");
        ChunkTable targetChunks = target.chunks();
        this.refStart = new int[targetChunks.count()];
        this.refCount = new int[targetChunks.count()];

        ChunkHashIndex index = new ChunkHashIndex(base.chunks());
        int[] groups = new int[targetChunks.count()];
        for (int o = 0; o < groups.length; o++) {
            groups[o] = index.group(targetChunks.hash(o));
        }
        FilePairing pairing = new FilePairing(base, target, index, groups);
        int[] anchors = new int[targetChunks.count()];
        long[] aims = null;
        if (ends != null) {
            aims = new long[targetChunks.count()];
            Arrays.fill(aims, -1);
        }
        for (ManifestEntry file : target.entries()) {
            if (file.chunkCount() == 0) {
                continue;
            }
            int pair = pairing.baseFileFor(file);
            if (pair >= 0) {
                planFile(file, base.entries().get(pair), index, groups, anchors, ends, aims);
            }
        }
    }

    public Manifest base() {
        return base;
    }

    public Manifest target() {
        return target;
    }

    /** The base chunks to use as reference for target chunk {@code targetOrdinal}, or null when there is none. */
    public BaseRange referenceFor(int targetOrdinal) {
        Objects.checkIndex(targetOrdinal, refCount.length);
        int count = refCount[targetOrdinal];
        if (count == 0) {
            return null;
        }
        int start = refStart[targetOrdinal];
        return new BaseRange(start, count, end(base.chunks(), start + count - 1) - base.chunks().offset(start));
    }

    /** Steps 2 and 3: anchors, the runs between them, and each run's reference. */
    private void planFile(ManifestEntry file, ManifestEntry pair, ChunkHashIndex index, int[] groups, int[] anchors,
                          ChunkEnds ends, long[] aims) {
        int first = file.firstChunk();
        int end = first + file.chunkCount();
        int baseFirst = pair.firstChunk();
        int baseEnd = baseFirst + pair.chunkCount();
        // anchors[o]: base ordinal of target chunk o in the pair, or -1
        int previous = baseFirst - 1;
        for (int o = first; o < end; o++) {
            int at = -1;
            if (groups[o] >= 0) {
                at = index.firstIn(groups[o], previous + 1, baseEnd);
                if (at < 0) {
                    at = index.firstIn(groups[o], baseFirst, baseEnd);
                }
            }
            anchors[o] = at;
            if (at >= 0) {
                previous = at;
            }
        }
        if (ends != null) {
            aim(first, end, baseFirst, baseEnd, anchors, ends, aims);
        }
        int lastAnchor = baseFirst - 1; // "file start"
        int o = first;
        while (o < end) {
            if (anchors[o] >= 0) {
                lastAnchor = anchors[o];
                planRun(o, o + 1, lastAnchor, lastAnchor, aims);
                o++;
                continue;
            }
            int runEnd = o;
            while (runEnd < end && anchors[runEnd] < 0) {
                runEnd++;
            }
            int nextAnchor = runEnd < end ? anchors[runEnd] : baseEnd; // or "file end"
            if (nextAnchor - lastAnchor > 1) {
                planRun(o, runEnd, lastAnchor + 1, nextAnchor - 1, aims);
            } else {
                // pure insertion or a reordering: the neighbouring anchors, clipped into the file
                int lo = Math.max(lastAnchor, baseFirst);
                int hi = Math.min(Math.max(nextAnchor, lastAnchor + 1), baseEnd - 1);
                planRun(o, runEnd, lo, hi, aims);
            }
            o = runEnd;
        }
    }

    /**
     * Sets {@code aims[o]}, for the target chunks {@code [first, end)} of one file, to the base file
     * offset the middle of chunk {@code o} corresponds to: proportionally between the nearest chunk ends
     * before and after it that the base file shares (matched in order, {@link #END_LOOKAHEAD}); the
     * files' starts and ends count as shared. Leaves them -1 when either file could not be read.
     */
    private void aim(int first, int end, int baseFirst, int baseEnd, int[] anchors, ChunkEnds ends, long[] aims) {
        ChunkTable targetChunks = target.chunks();
        ChunkTable baseChunks = base.chunks();
        if (ends.target(first) == ChunkEnds.UNKNOWN || ends.base(baseFirst) == ChunkEnds.UNKNOWN) {
            return; // a file that could not be read: aimed as from the manifests alone
        }
        // sharedEnd[o - first]: the base chunk that ends where target chunk o ends, or -1
        int[] sharedEnd = new int[end - first];
        int previous = baseFirst - 1;
        for (int o = first; o < end; o++) {
            int match = -1;
            long key = ends.target(o);
            if (anchors[o] > previous) {
                match = anchors[o]; // the same chunk: the same end
            } else if (key != ChunkEnds.UNKNOWN) {
                for (int b = previous + 1; b < Math.min(baseEnd, previous + 1 + END_LOOKAHEAD); b++) {
                    if (ends.base(b) == key) {
                        match = b;
                        break;
                    }
                }
                if (match < 0 && o + END_CONFIRMATIONS < end) {
                    int farEnd = (int) Math.min(baseEnd, (long) previous + 1 + END_FAR_LOOKAHEAD);
                    for (int b = previous + 1 + END_LOOKAHEAD; b < farEnd; b++) {
                        if (ends.base(b) == key && confirmed(o, b, baseEnd, ends)) {
                            match = b;
                            break;
                        }
                    }
                }
            }
            sharedEnd[o - first] = match;
            if (match >= 0) {
                previous = match;
            }
        }
        long targetFrom = targetChunks.offset(first); // the last shared point: the files' starts
        long baseFrom = baseChunks.offset(baseFirst);
        int o = first;
        while (o < end) {
            int next = o;
            while (next < end && sharedEnd[next - first] < 0) {
                next++;
            }
            long targetTo = end(targetChunks, Math.min(next, end - 1));
            long baseTo = end(baseChunks, next < end ? sharedEnd[next - first] : baseEnd - 1);
            double scale = (double) (baseTo - baseFrom) / Math.max(1, targetTo - targetFrom);
            for (int c = o; c <= Math.min(next, end - 1); c++) {
                double middle = targetChunks.offset(c) + targetChunks.length(c) / 2.0;
                aims[c] = baseFrom + (long) ((middle - targetFrom) * scale);
            }
            targetFrom = targetTo;
            baseFrom = baseTo;
            o = next + 1;
        }
    }

    /** Whether the {@value #END_CONFIRMATIONS} chunk ends after target chunk {@code o}'s match those after base chunk {@code b}'s. */
    private static boolean confirmed(int o, int b, int baseEnd, ChunkEnds ends) {
        if (b + END_CONFIRMATIONS >= baseEnd) {
            return false;
        }
        for (int i = 1; i <= END_CONFIRMATIONS; i++) {
            if (ends.target(o + i) != ends.base(b + i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Gives target chunks {@code [from, to)} (one run) references within base chunks {@code [lo, hi]}
     * (one file): all of it when it fits, else a window per chunk, around {@code aims[o]} when given.
     */
    private void planRun(int from, int to, int lo, int hi, long[] aims) {
        ChunkTable baseChunks = base.chunks();
        long gapStart = baseChunks.offset(lo);
        long gapEnd = end(baseChunks, hi);
        if (gapEnd - gapStart <= maxBytes && hi - lo + 1 <= MAX_REFERENCE_CHUNKS) {
            for (int o = from; o < to; o++) {
                refStart[o] = lo;
                refCount[o] = hi - lo + 1;
            }
            return;
        }
        ChunkTable targetChunks = target.chunks();
        long runStart = targetChunks.offset(from);
        double runBytes = end(targetChunks, to - 1) - runStart;
        double gapBytes = gapEnd - gapStart;
        for (int o = from; o < to; o++) {
            // the chunk's middle, mapped proportionally into the gap; the window is shifted (not
            // shrunk) to stay inside the gap, and its start only grows with o
            double middle = (targetChunks.offset(o) - runStart + targetChunks.length(o) / 2.0) / runBytes;
            boolean aimed = aims != null && aims[o] >= 0;
            long p = aimed ? Math.max(gapStart, Math.min(aims[o], gapEnd)) : gapStart + (long) (middle * gapBytes);
            // windows sit on a grid of 3/4 of their width, with the chunk's aimed position in the
            // middle 3/4: neighbouring chunks get the same window, so an encoder indexes it once for
            // several (on the 100 MB corpus update: half the encoding CPU of a window per chunk, and
            // 3/4 loses no ratio against a grid of 1/2; a grid of the full width does, at the edges).
            // An aimed chunk's position is known, not estimated: its window covers the whole grid
            // window (whole chunks cut up to a chunk off its end), else the old bytes of a chunk aimed
            // near the end fall outside it; a chunk sticking out of its grid window takes the
            // neighbouring one, which its neighbours share too, else one centred on it
            long step = maxBytes * 3L / 4;
            long k = Math.max(0, Math.floorDiv(p - gapStart - (maxBytes - step) / 2, step));
            int[] window = window(lo, hi, gapStart, gapEnd, gapStart + k * step, aimed);
            if (aimed) {
                long half = targetChunks.length(o) / 2;
                long aimedFrom = Math.max(gapStart, p - half);
                long aimedTo = Math.min(gapEnd, p + half);
                if (!holds(window, aimedFrom, aimedTo)) {
                    long neighbour = aimedFrom < baseChunks.offset(window[0]) ? Math.max(0, k - 1) : k + 1;
                    int[] other = window(lo, hi, gapStart, gapEnd, gapStart + neighbour * step, true);
                    window = holds(other, aimedFrom, aimedTo) ? other
                            : window(lo, hi, gapStart, gapEnd, aimedFrom - Math.max(0, maxBytes - (aimedTo - aimedFrom)) / 2, true);
                }
            }
            int start = window[0];
            int last = window[1];
            if (last >= start) {
                refStart[o] = start;
                refCount[o] = Math.min(last - start + 1, MAX_REFERENCE_CHUNKS);
            }
        }
    }

    /**
     * The window at {@code windowStart} (clamped into the gap {@code [lo, hi]}) as its first and last
     * base chunk (last < first if none fits): whole chunks from the one starting at or before it, within
     * {@code maxBytes}; or, {@code covering}, through the last chunk starting before its end, so that
     * they hold all of it (up to {@link #MAX_REFERENCE_BYTES}).
     */
    private int[] window(int lo, int hi, long gapStart, long gapEnd, long windowStart, boolean covering) {
        ChunkTable baseChunks = base.chunks();
        long at = Math.max(gapStart, Math.min(windowStart, gapEnd - maxBytes));
        int start = lastStartingAtOrBefore(baseChunks, lo, hi, at);
        int last = lastEndingAtOrBefore(baseChunks, start, hi, baseChunks.offset(start) + (covering ? MAX_REFERENCE_BYTES : maxBytes));
        if (covering) {
            last = Math.min(last, lastStartingAtOrBefore(baseChunks, start, hi, at + maxBytes - 1));
        }
        return new int[]{start, Math.min(last, start + MAX_REFERENCE_CHUNKS - 1)};
    }

    /** Whether the window's chunks hold base file bytes {@code [from, to)}. */
    private boolean holds(int[] window, long from, long to) {
        ChunkTable baseChunks = base.chunks();
        return window[1] >= window[0] && baseChunks.offset(window[0]) <= from && end(baseChunks, window[1]) >= to;
    }

    private static long end(ChunkTable chunks, int ordinal) {
        return chunks.offset(ordinal) + chunks.length(ordinal);
    }

    /** The last of chunks {@code [lo, hi]} (one file) starting at or before file offset {@code position}; lo if none. */
    private static int lastStartingAtOrBefore(ChunkTable chunks, int lo, int hi, long position) {
        int a = lo;
        int b = hi;
        while (a < b) {
            int mid = (a + b + 1) >>> 1;
            if (chunks.offset(mid) <= position) {
                a = mid;
            } else {
                b = mid - 1;
            }
        }
        return a;
    }

    /** The last of chunks {@code [lo, hi]} (one file) ending at or before file offset {@code limit}; lo - 1 if none. */
    private static int lastEndingAtOrBefore(ChunkTable chunks, int lo, int hi, long limit) {
        int a = lo - 1;
        int b = hi;
        while (a < b) {
            int mid = (a + b + 1) >>> 1;
            if (end(chunks, mid) <= limit) {
                a = mid;
            } else {
                b = mid - 1;
            }
        }
        return a;
    }
}
