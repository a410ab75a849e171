package io.skiff.engine.delta;

import com.github.luben.zstd.ZstdCompressCtx;
import io.skiff.engine.manifest.ManifestBuilder;
import io.skiff.protocol.ChunkTable;
import io.skiff.protocol.ChunkingParams;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ManifestEntry;
import io.skiff.protocol.Sha256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.skiff.engine.delta.ReferencePlanner.MAX_REFERENCE_BYTES;
import static io.skiff.engine.delta.ReferencePlanner.MAX_REFERENCE_CHUNKS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReferencePlannerTest {
    private static final ChunkingParams PARAMS = ChunkingParams.DEFAULT;
    private static final String[] WORDS = {"acute", "chronic", "fracture", "femur", "diabetes", "mellitus", "type",
            "with", "without", "complication", "left", "right", "unspecified", "encounter", "initial", "subsequent",
            "sequela", "closed", "open", "displaced", "nondisplaced", "shaft", "neck", "lower", "upper", "end",
            "disorder", "finding", "procedure", "structure", "entire", "body", "organism", "substance", "product",
            "observable", "entity", "situation", "context", "qualifier", "value", "record", "artifact", "event"};

    @TempDir
    Path dir;

    /** Byte offset of {@code rows[row]} in the file the rows make. */
    private static long offsetOf(List<String> rows, int row) {
        long offset = 0;
        for (int i = 0; i < row; i++) {
            offset += rows.get(i).getBytes(StandardCharsets.UTF_8).length;
        }
        return offset;
    }

    /** Seeded, text-like rows of a terminology release (compressible, like the real thing). */
    private static List<String> rows(long seed, int count) {
        Random random = new Random(seed);
        List<String> rows = new ArrayList<>(count);
        long id = 100_000 + random.nextInt(1000);
        for (int i = 0; i < count; i++) {
            StringBuilder sb = new StringBuilder();
            sb.append(id += 1 + random.nextInt(50)).append('\t').append(20_000_000 + random.nextInt(400_000))
                    .append('\t').append(random.nextInt(2)).append('\t').append(900_000_000L + random.nextInt(1_000_000))
                    .append('\t');
            int words = 3 + random.nextInt(8);
            for (int w = 0; w < words; w++) {
                sb.append(WORDS[random.nextInt(WORDS.length)]).append(w + 1 < words ? ' ' : '\n');
            }
            rows.add(sb.toString());
        }
        return rows;
    }

    private static void write(Path root, String path, List<String> rows) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.write(file, String.join("", rows).getBytes(StandardCharsets.UTF_8));
    }

    private static Manifest manifest(Path root) {
        return ManifestBuilder.build(root, "c", "v", PARAMS, 2, 0);
    }

    private static int entry(Manifest m, String path) {
        for (int e = 0; e < m.entries().size(); e++) {
            if (m.entries().get(e).path().equals(path)) {
                return e;
            }
        }
        throw new AssertionError("no entry " + path);
    }

    /** Target ordinals of {@code path} whose hash is nowhere in the base release: what a receiver would fetch. */
    private static List<Integer> changedChunks(Manifest base, Manifest target, String path) {
        Set<Sha256> held = new HashSet<>();
        for (int o = 0; o < base.chunks().count(); o++) {
            held.add(base.chunks().hash(o));
        }
        ManifestEntry file = target.entries().get(entry(target, path));
        List<Integer> changed = new ArrayList<>();
        for (int o = file.firstChunk(); o < file.firstChunk() + file.chunkCount(); o++) {
            if (!held.contains(target.chunks().hash(o))) {
                changed.add(o);
            }
        }
        return changed;
    }

    /** Every reference the planner gives is non-empty, in one base file, and within the limits. */
    private static List<BaseRange> assertAllWellFormed(ReferencePlanner planner) {
        ChunkTable chunks = planner.base().chunks();
        List<BaseRange> all = new ArrayList<>();
        for (int o = 0; o < planner.target().chunks().count(); o++) {
            BaseRange r = planner.referenceFor(o);
            all.add(r);
            if (r == null) {
                continue;
            }
            assertTrue(r.start() >= 0 && r.count() >= 1 && r.end() <= chunks.count(), r.toString());
            assertEquals(chunks.entryIndex(r.start()), chunks.entryIndex(r.end() - 1), "one file: " + r);
            long bytes = 0;
            for (int b = r.start(); b < r.end(); b++) {
                bytes += chunks.length(b);
            }
            assertEquals(bytes, r.bytes(), r.toString());
            assertTrue(r.bytes() <= MAX_REFERENCE_BYTES && r.count() <= MAX_REFERENCE_CHUNKS, r.toString());
        }
        return all;
    }

    private static long offsetOf(Manifest m, BaseRange r) {
        return m.chunks().offset(r.start());
    }

    private static long endOf(Manifest m, BaseRange r) {
        return m.chunks().offset(r.end() - 1) + m.chunks().length(r.end() - 1);
    }

    // ---- real files ---------------------------------------------------------------------------------

    /** Base and target trees: "release/concepts.txt" with rows [40000, 40010) and [60000, 60005) replaced. */
    private record MidFileEdit(Manifest base, Manifest target, Path baseRoot, Path targetRoot, long[][] baseEdits,
                               long[][] targetEdits) {
    }

    private MidFileEdit midFileEdit() throws IOException {
        Path baseRoot = dir.resolve("base");
        Path targetRoot = dir.resolve("target");
        List<String> before = rows(1, 90_000);
        List<String> after = new ArrayList<>(before);
        List<String> fresh = rows(99, 15);
        int[][] edits = {{40_000, 10}, {60_000, 5}};
        int next = 0;
        for (int[] edit : edits) {
            for (int i = 0; i < edit[1]; i++) {
                after.set(edit[0] + i, fresh.get(next++));
            }
        }
        for (Path root : List.of(baseRoot, targetRoot)) {
            write(root, "release/concepts.txt", root == baseRoot ? before : after);
            write(root, "release/a_descriptions.txt", rows(2, 20_000));
            write(root, "release/z_relationships.txt", rows(3, 20_000));
            Files.createDirectories(root.resolve("release/empty-dir"));
            Files.write(root.resolve("release/empty.txt"), new byte[0]);
        }
        long[][] baseEdits = new long[edits.length][];
        long[][] targetEdits = new long[edits.length][];
        for (int k = 0; k < edits.length; k++) {
            int from = edits[k][0];
            int to = from + edits[k][1];
            baseEdits[k] = new long[]{offsetOf(before, from), offsetOf(before, to)};
            targetEdits[k] = new long[]{offsetOf(after, from), offsetOf(after, to)};
        }
        return new MidFileEdit(manifest(baseRoot), manifest(targetRoot), baseRoot, targetRoot, baseEdits, targetEdits);
    }

    @Test
    void shouldReferenceTheReplacedBaseBytesWhenRowsChangeMidFile() throws IOException {
        MidFileEdit edit = midFileEdit();
        ReferencePlanner planner = new ReferencePlanner(edit.base(), edit.target());
        assertAllWellFormed(planner);
        int baseFile = entry(edit.base(), "release/concepts.txt");
        List<Integer> changed = changedChunks(edit.base(), edit.target(), "release/concepts.txt");
        assertFalse(changed.isEmpty());
        assertTrue(changed.size() <= 8, "a few rows change a few chunks: " + changed);
        for (int o : changed) {
            BaseRange r = planner.referenceFor(o);
            assertNotNull(r, "chunk " + o);
            assertEquals(baseFile, edit.base().chunks().entryIndex(r.start()), "same-named base file");
            assertTrue(r.bytes() <= MAX_REFERENCE_BYTES);
            // the nearest edit's original bytes lie within the reference
            long chunkMiddle = edit.target().chunks().offset(o) + edit.target().chunks().length(o) / 2;
            int nearest = Math.abs(chunkMiddle - edit.targetEdits()[0][0]) < Math.abs(chunkMiddle - edit.targetEdits()[1][0]) ? 0 : 1;
            long[] replaced = edit.baseEdits()[nearest];
            assertTrue(offsetOf(edit.base(), r) <= replaced[0] && replaced[1] <= endOf(edit.base(), r),
                    "chunk " + o + " reference " + r + " misses base bytes " + Arrays.toString(replaced));
        }
    }

    /**
     * Every 20th row edited (so every chunk changed and no chunk anchors), 15,000 rows (~1 MB) inserted
     * at a quarter of the file and as many deleted at three quarters: a chunk's proportional position
     * is then up to ~1 MB off. With the files' chunk ends the planner finds where nearly every changed
     * chunk's old rows are and gives it a window holding them; from the manifests alone many windows
     * miss them.
     */
    @Test
    void shouldAimEachChangedChunkAtItsOldRowsThroughSharedChunkEnds() throws IOException {
        Path baseRoot = dir.resolve("base");
        Path targetRoot = dir.resolve("target");
        List<String> before = rows(21, 120_000);
        List<String> fresh = rows(22, 30_000);
        List<String> after = new ArrayList<>();
        List<Integer> baseRowOf = new ArrayList<>(); // per row of after: its row in before, -1 if inserted
        int next = 0;
        for (int row = 0; row < before.size(); row++) {
            if (row == 30_000) {
                for (int i = 0; i < 15_000; i++) {
                    after.add(fresh.get(next++));
                    baseRowOf.add(-1);
                }
            }
            if (row >= 90_000 && row < 105_000) {
                continue; // deleted
            }
            after.add(row % 20 == 7 ? fresh.get(next++) : before.get(row)); // an edited row keeps its place
            baseRowOf.add(row);
        }
        write(baseRoot, "codes.txt", before);
        write(targetRoot, "codes.txt", after);
        Manifest base = manifest(baseRoot);
        Manifest target = manifest(targetRoot);
        ChunkEnds ends = ChunkEnds.read(base, e -> baseRoot.resolve(base.entries().get(e).path()),
                target, e -> targetRoot.resolve(target.entries().get(e).path()));
        ReferencePlanner aimed = new ReferencePlanner(base, target, 512 * 1024, ends);
        ReferencePlanner estimated = new ReferencePlanner(base, target, 512 * 1024);
        assertAllWellFormed(aimed);

        long[] afterOffsets = rowOffsets(after);
        long[] beforeOffsets = rowOffsets(before);
        List<Integer> changed = changedChunks(base, target, "codes.txt");
        assertTrue(changed.size() >= target.chunks().count() - 2, "dense edits change every chunk: " + changed.size());
        int checked = 0;
        int aimedMisses = 0;
        int estimatedMisses = 0;
        for (int o : changed) {
            // the base bytes of the rows this chunk's rows replaced (inserted rows have none)
            int firstRow = rowAt(afterOffsets, target.chunks().offset(o));
            int lastRow = rowAt(afterOffsets, target.chunks().offset(o) + target.chunks().length(o) - 1);
            long oldFrom = Long.MAX_VALUE;
            long oldTo = -1;
            for (int row = firstRow; row <= lastRow; row++) {
                int old = baseRowOf.get(row);
                if (old >= 0) {
                    oldFrom = Math.min(oldFrom, beforeOffsets[old]);
                    oldTo = Math.max(oldTo, beforeOffsets[old + 1]);
                }
            }
            if (oldTo < 0) {
                continue; // only inserted rows
            }
            checked++;
            BaseRange r = aimed.referenceFor(o);
            assertNotNull(r, "chunk " + o);
            if (offsetOf(base, r) > oldFrom || oldTo > endOf(base, r)) {
                aimedMisses++;
            }
            BaseRange e = estimated.referenceFor(o);
            if (e == null || offsetOf(base, e) > oldFrom || oldTo > endOf(base, e)) {
                estimatedMisses++;
            }
        }
        assertTrue(checked > changed.size() * 3 / 4, "checked " + checked + " of " + changed.size());
        // a chunk straddling the deletion or one whose cuts moved next to it may still miss
        assertTrue(aimedMisses <= checked / 25, "aimed through chunk ends, " + aimedMisses + " of " + checked + " miss their old rows");
        assertTrue(estimatedMisses > checked / 5, "the drift defeats the proportional aim: " + estimatedMisses + " of " + checked);
    }

    /** Byte offset of each row, and the file's length last. */
    private static long[] rowOffsets(List<String> rows) {
        long[] offsets = new long[rows.size() + 1];
        for (int i = 0; i < rows.size(); i++) {
            offsets[i + 1] = offsets[i] + rows.get(i).getBytes(StandardCharsets.UTF_8).length;
        }
        return offsets;
    }

    /** The row holding byte {@code offset}. */
    private static int rowAt(long[] offsets, long offset) {
        int i = Arrays.binarySearch(offsets, offset);
        return i >= 0 ? i : -i - 2;
    }

    /** Chunk ends of a file that cannot be read match nothing: the planner aims as from the manifests alone. */
    @Test
    void shouldPlanAsFromTheManifestsWhenTheTargetTreeCannotBeRead() throws IOException {
        MidFileEdit edit = midFileEdit();
        ChunkEnds unreadable = ChunkEnds.read(edit.base(), e -> edit.baseRoot().resolve(edit.base().entries().get(e).path()),
                edit.target(), e -> dir.resolve("gone").resolve(edit.target().entries().get(e).path()));
        ReferencePlanner withEnds = new ReferencePlanner(edit.base(), edit.target(), 512 * 1024, unreadable);
        ReferencePlanner without = new ReferencePlanner(edit.base(), edit.target(), 512 * 1024);
        for (int o = 0; o < edit.target().chunks().count(); o++) {
            assertEquals(without.referenceFor(o), withEnds.referenceFor(o), "chunk " + o);
        }
        assertThrows(IllegalArgumentException.class, () -> new ReferencePlanner(edit.target(), edit.base(), 512 * 1024, unreadable),
                "ends read for other releases");
    }

    @Test
    void shouldCompressChangedChunksFarSmallerWithTheirReferencesThanWithout() throws IOException {
        MidFileEdit edit = midFileEdit();
        ReferencePlanner planner = new ReferencePlanner(edit.base(), edit.target());
        byte[] baseBytes = Files.readAllBytes(edit.baseRoot().resolve("release/concepts.txt"));
        byte[] targetBytes = Files.readAllBytes(edit.targetRoot().resolve("release/concepts.txt"));
        long withReference = 0;
        long plain = 0;
        long raw = 0;
        for (int o : changedChunks(edit.base(), edit.target(), "release/concepts.txt")) {
            int offset = (int) edit.target().chunks().offset(o);
            byte[] chunk = Arrays.copyOfRange(targetBytes, offset, offset + edit.target().chunks().length(o));
            BaseRange r = planner.referenceFor(o);
            byte[] reference = Arrays.copyOfRange(baseBytes, (int) offsetOf(edit.base(), r), (int) endOf(edit.base(), r));
            try (ZstdCompressCtx dict = new ZstdCompressCtx().setLevel(3).loadDict(reference);
                 ZstdCompressCtx none = new ZstdCompressCtx().setLevel(3)) {
                withReference += dict.compress(chunk).length;
                plain += none.compress(chunk).length;
            }
            raw += chunk.length;
        }
        System.out.printf("changed chunks: %d raw bytes, zstd -3 %d bytes, zstd -3 with reference %d bytes%n",
                raw, plain, withReference);
        assertTrue(withReference * 4 < plain, "with reference " + withReference + " vs plain " + plain);
    }

    @Test
    void shouldReferenceTheFileStartWhenRowsAreInsertedAtTheStart() throws IOException {
        Path baseRoot = dir.resolve("base");
        Path targetRoot = dir.resolve("target");
        List<String> before = rows(4, 40_000);
        List<String> after = new ArrayList<>(rows(5, 3_000));
        after.addAll(before);
        for (Path root : List.of(baseRoot, targetRoot)) {
            write(root, "a_first.txt", rows(6, 10_000)); // so the file's first ordinal is not 0
            write(root, "data.txt", root == baseRoot ? before : after);
        }
        Manifest base = manifest(baseRoot);
        Manifest target = manifest(targetRoot);
        ReferencePlanner planner = new ReferencePlanner(base, target);
        assertAllWellFormed(planner);
        ManifestEntry baseFile = base.entries().get(entry(base, "data.txt"));
        ManifestEntry targetFile = target.entries().get(entry(target, "data.txt"));
        assertTrue(baseFile.firstChunk() > 0);
        BaseRange first = planner.referenceFor(targetFile.firstChunk());
        assertNotNull(first);
        assertEquals(baseFile.firstChunk(), first.start());
    }

    @Test
    void shouldReferenceTheOldFileWhenADatedFileIsRenamedAndEdited() throws IOException {
        Path baseRoot = dir.resolve("base");
        Path targetRoot = dir.resolve("target");
        List<String> before = rows(7, 40_000);
        List<String> after = new ArrayList<>(before);
        after.subList(20_000, 20_020).clear();
        after.addAll(20_000, rows(8, 30));
        write(baseRoot, "snapshot/data_20250101.txt", before);
        write(baseRoot, "snapshot/other_20250101.txt", rows(9, 20_000));
        write(targetRoot, "snapshot/data_20250201.txt", after);
        write(targetRoot, "snapshot/other_20250201.txt", rows(10, 20_000)); // rewritten: shares nothing
        Manifest base = manifest(baseRoot);
        Manifest target = manifest(targetRoot);
        ReferencePlanner planner = new ReferencePlanner(base, target);
        assertAllWellFormed(planner);
        List<Integer> changed = changedChunks(base, target, "snapshot/data_20250201.txt");
        assertFalse(changed.isEmpty());
        for (int o : changed) {
            BaseRange r = planner.referenceFor(o);
            assertNotNull(r);
            assertEquals(entry(base, "snapshot/data_20250101.txt"), base.chunks().entryIndex(r.start()));
        }
        // the rewritten file shares no chunk: found by its name up to the digits
        ManifestEntry other = target.entries().get(entry(target, "snapshot/other_20250201.txt"));
        for (int o = other.firstChunk(); o < other.firstChunk() + other.chunkCount(); o++) {
            assertEquals(entry(base, "snapshot/other_20250101.txt"), base.chunks().entryIndex(planner.referenceFor(o).start()));
        }
    }

    @Test
    void shouldWindowAHugeGapAndMoveForwardThroughIt() throws IOException {
        Path baseRoot = dir.resolve("base");
        Path targetRoot = dir.resolve("target");
        List<String> prefix = rows(11, 10_000);
        List<String> suffix = rows(12, 10_000);
        List<String> oldMiddle = rows(13, 60_000);
        List<String> newMiddle = rows(14, 60_000);
        List<String> before = new ArrayList<>(prefix);
        before.addAll(oldMiddle);
        before.addAll(suffix);
        List<String> after = new ArrayList<>(prefix);
        after.addAll(newMiddle);
        after.addAll(suffix);
        write(baseRoot, "rewritten.txt", rows(15, 100_000));
        write(targetRoot, "rewritten.txt", rows(16, 100_000));
        write(baseRoot, "spliced.txt", before);
        write(targetRoot, "spliced.txt", after);
        Manifest base = manifest(baseRoot);
        Manifest target = manifest(targetRoot);
        ReferencePlanner planner = new ReferencePlanner(base, target);
        assertAllWellFormed(planner);

        ManifestEntry baseFile = base.entries().get(entry(base, "rewritten.txt"));
        ManifestEntry targetFile = target.entries().get(entry(target, "rewritten.txt"));
        assertTrue(baseFile.size() > 4L * MAX_REFERENCE_BYTES);
        int previousStart = -1;
        for (int o = targetFile.firstChunk(); o < targetFile.firstChunk() + targetFile.chunkCount(); o++) {
            BaseRange r = planner.referenceFor(o);
            assertNotNull(r, "chunk " + o);
            assertEquals(entry(base, "rewritten.txt"), base.chunks().entryIndex(r.start()));
            assertTrue(r.start() >= previousStart, "moves forward: " + r + " after start " + previousStart);
            assertTrue(r.bytes() > MAX_REFERENCE_BYTES - PARAMS.maxBytes(), "a window uses all the allowance but less than a chunk: " + r);
            previousStart = r.start();
        }
        assertEquals(baseFile.firstChunk(), planner.referenceFor(targetFile.firstChunk()).start());
        BaseRange last = planner.referenceFor(targetFile.firstChunk() + targetFile.chunkCount() - 1);
        assertTrue(endOf(base, last) >= baseFile.size() - MAX_REFERENCE_BYTES, "reaches the end: " + last);

        // a rewritten middle between kept rows: every window lies within the base chunks the target
        // dropped (between the last kept chunk before and the first kept chunk after), which hold the
        // replaced rows
        ManifestEntry spliced = base.entries().get(entry(base, "spliced.txt"));
        Set<Sha256> kept = new HashSet<>();
        for (int o = 0; o < target.chunks().count(); o++) {
            kept.add(target.chunks().hash(o));
        }
        int droppedFirst = Integer.MAX_VALUE;
        int droppedLast = -1;
        for (int b = spliced.firstChunk(); b < spliced.firstChunk() + spliced.chunkCount(); b++) {
            if (!kept.contains(base.chunks().hash(b))) {
                droppedFirst = Math.min(droppedFirst, b);
                droppedLast = b;
            }
        }
        BaseRange dropped = new BaseRange(droppedFirst, droppedLast - droppedFirst + 1, 1);
        assertTrue(offsetOf(base, dropped) <= offsetOf(before, prefix.size())
                && endOf(base, dropped) >= offsetOf(before, prefix.size() + oldMiddle.size()));
        assertTrue(endOf(base, dropped) - offsetOf(base, dropped) > 4L * MAX_REFERENCE_BYTES);
        previousStart = -1;
        for (int o : changedChunks(base, target, "spliced.txt")) {
            BaseRange r = planner.referenceFor(o);
            assertNotNull(r);
            assertTrue(r.start() >= dropped.start() && r.end() <= dropped.end(), r + " outside " + dropped);
            assertTrue(r.start() >= previousStart);
            previousStart = r.start();
        }
    }

    @Test
    void shouldGiveSameReferencesWhenAskedFromManyThreads() throws IOException {
        MidFileEdit edit = midFileEdit();
        ReferencePlanner planner = new ReferencePlanner(edit.base(), edit.target());
        List<BaseRange> sequential = assertAllWellFormed(planner);
        List<BaseRange> parallel = IntStream.range(0, edit.target().chunks().count()).parallel()
                .mapToObj(planner::referenceFor).collect(Collectors.toList());
        assertEquals(sequential, parallel);
    }

    // ---- synthetic manifests: chunk hashes named by labels ------------------------------------------

    private static final int LENGTH = 50_000;

    /** Adds a file whose chunks are named by {@code labels} (hash = SHA-256 of the label), 50 000 bytes each. */
    private static Manifest.Builder file(Manifest.Builder b, String path, String... labels) {
        byte[] hashes = new byte[labels.length * Sha256.BYTES];
        int[] lengths = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            Sha256.digest(labels[i].getBytes(StandardCharsets.UTF_8)).copyTo(hashes, i * Sha256.BYTES);
            lengths[i] = LENGTH;
        }
        return b.addFile(path, false, (long) LENGTH * labels.length, hashes, lengths);
    }

    private static Manifest.Builder builder() {
        return Manifest.builder("c", "v", PARAMS).createdAtMillis(0);
    }

    /** Target ordinal of chunk {@code index} of {@code path}. */
    private static int ordinal(Manifest m, String path, int index) {
        return m.entries().get(entry(m, path)).firstChunk() + index;
    }

    @Test
    void shouldHaveNoReferenceWhenNoBaseFileIsSimilar() {
        Manifest base = file(builder(), "codes.txt", "a", "b").build();
        Manifest target = file(file(builder(), "codes.txt", "a", "x"), "notes/new.bin", "n1", "n2").build();
        ReferencePlanner planner = new ReferencePlanner(base, target);
        assertAllWellFormed(planner);
        assertNull(planner.referenceFor(ordinal(target, "notes/new.bin", 0)));
        assertNull(planner.referenceFor(ordinal(target, "notes/new.bin", 1)));
        assertNotNull(planner.referenceFor(ordinal(target, "codes.txt", 1)));
    }

    @Test
    void shouldPairWithTheFileSharingMostBytesOverTheSamePath() {
        Manifest base = file(file(builder(), "a.txt", "a1", "a2", "a3", "a4", "a5", "a6"),
                "b.txt", "b1", "b2", "a1").build();
        Manifest target = file(builder(), "b.txt", "a1", "a2", "a3", "x", "a5", "a6").build();
        ReferencePlanner planner = new ReferencePlanner(base, target);
        assertAllWellFormed(planner);
        BaseRange r = planner.referenceFor(ordinal(target, "b.txt", 3));
        assertEquals(new BaseRange(ordinal(base, "a.txt", 3), 1, LENGTH), r, "a4, the chunk x replaced");
    }

    @Test
    void shouldPairWithTheSamePathWhenSharedBytesTie() {
        Manifest base = file(file(builder(), "a.txt", "s", "p"), "b.txt", "s", "q").build();
        Manifest target = file(builder(), "b.txt", "s", "z").build();
        ReferencePlanner planner = new ReferencePlanner(base, target);
        assertEquals(new BaseRange(ordinal(base, "b.txt", 1), 1, LENGTH), planner.referenceFor(ordinal(target, "b.txt", 1)));
    }

    @Test
    void shouldPreferTheSameDirectoryWhenOnlyDigitsMatch() {
        Manifest base = file(file(builder(), "v1/data_20250101.txt", "p1"), "v2/data_20250101.txt", "q1").build();
        Manifest target = file(builder(), "v2/data_20250201.txt", "r1").build();
        ReferencePlanner planner = new ReferencePlanner(base, target);
        assertEquals(new BaseRange(ordinal(base, "v2/data_20250101.txt", 0), 1, LENGTH), planner.referenceFor(0));
        Manifest moved = file(builder(), "v3/data_20250201.txt", "r1").build();
        assertEquals(ordinal(base, "v1/data_20250101.txt", 0), new ReferencePlanner(base, moved).referenceFor(0).start(),
                "another directory: the lowest entry");
    }

    @Test
    void shouldAnchorRepeatedChunksInOrderAndUseNeighboursForInsertionsAndReorderings() {
        Manifest base = file(builder(), "f.txt", "a", "z", "z", "z", "b").build();
        // a z z [x] z b: x is inserted between base positions 2 and 3
        Manifest inserted = file(builder(), "f.txt", "a", "z", "z", "x", "z", "b").build();
        assertEquals(new BaseRange(2, 2, 2L * LENGTH), new ReferencePlanner(base, inserted).referenceFor(3));

        Manifest base2 = file(builder(), "f.txt", "a", "b", "c", "d").build();
        // c d [x] a b: after d (3) comes a (0); x gets d and what follows it, clipped to the file
        Manifest reordered = file(builder(), "f.txt", "c", "d", "x", "a", "b").build();
        ReferencePlanner planner = new ReferencePlanner(base2, reordered);
        assertEquals(new BaseRange(3, 1, LENGTH), planner.referenceFor(2));
        assertEquals(new BaseRange(2, 1, LENGTH), planner.referenceFor(0), "an anchor references itself");
        // [x] before everything, [y] after everything
        Manifest ends = file(builder(), "f.txt", "x", "a", "b", "c", "d", "y").build();
        ReferencePlanner atEnds = new ReferencePlanner(base2, ends);
        assertEquals(new BaseRange(0, 1, LENGTH), atEnds.referenceFor(0));
        assertEquals(new BaseRange(3, 1, LENGTH), atEnds.referenceFor(5));
    }

    @Test
    void shouldIgnoreEmptyFilesAndDirectories() {
        Manifest base = file(file(file(builder().addDirectory("d").addDirectory("d/empty-dir"),
                "d/empty.txt"), "d/x.txt", "x1", "x2", "x3"), "e.txt").build();
        Manifest target = file(file(file(file(builder().addDirectory("d").addDirectory("d/other-dir"),
                "d/empty.txt"), "d/x.txt", "x1", "n", "x3"), "e.txt", "e1"), "f.txt").build();
        ReferencePlanner planner = new ReferencePlanner(base, target);
        List<BaseRange> all = assertAllWellFormed(planner);
        assertEquals(new BaseRange(ordinal(base, "d/x.txt", 1), 1, LENGTH), planner.referenceFor(ordinal(target, "d/x.txt", 1)));
        assertNull(planner.referenceFor(ordinal(target, "e.txt", 0)), "the same path holds an empty file: nothing to use");
        assertEquals(4, all.size());

        Manifest nothing = builder().addDirectory("d").build();
        assertEquals(List.of(), assertAllWellFormed(new ReferencePlanner(nothing, target)).stream()
                .filter(r -> r != null).toList());
        assertEquals(List.of(), assertAllWellFormed(new ReferencePlanner(target, nothing)));
    }
}
