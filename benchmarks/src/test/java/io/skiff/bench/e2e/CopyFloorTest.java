package io.skiff.bench.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static io.skiff.bench.e2e.CopyFloor.Mode.BUFFERED;
import static io.skiff.bench.e2e.CopyFloor.Mode.DIRECT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The local copy floors of the full copies, buffered and direct: the copies themselves, their lines under the
 * table, their JSON and their method note.
 */
class CopyFloorTest {
    private static final String BUFFERED_LINE = "local copy floor, buffered (the same bytes read and written to new files on "
            + "the destinations' file system through the page cache, then fsynced): median 1.50 s (1,000 MB/s; write 0.90 s, "
            + "fsync 0.60 s; CPU 1.00 s, of it sys 0.95 s); wall time over it: skiff 2.00×, rsync 1.33× (rsync does not "
            + "fsync; over the write alone 2.22×)";
    private static final String DIRECT_LINE = "local copy floor, direct (the same bytes written to new files there with "
            + "O_DIRECT in 4 MiB aligned blocks, bypassing the page cache, then fsynced): median 1.00 s (1,500 MB/s; write "
            + "0.70 s, fsync 0.30 s; CPU 0.40 s, of it sys 0.30 s); wall time over it: skiff 3.00×, rsync 2.00× (rsync does "
            + "not fsync; over the write alone 2.86×)";
    private static final String REFUSED = "O_DIRECT refused by the file system (tmpfs): java.nio.file.FileSystemException: "
            + "/work/copy-floor-direct-random-r1/big.bin: Invalid argument";
    private static final long BYTES = 1_500_000_000L;
    private static final int BLOCK = CopyFloor.MIN_DIRECT_ALIGN_BYTES;

    private static Workload workload(Scenario s) {
        TreeDigest digest = new TreeDigest(new TreeMap<>(Map.of("big.bin", new TreeDigest.FileDigest(BYTES, "00"))), List.of());
        return new Workload(s, Path.of("/corpus/random"), digest, Optional.empty());
    }

    private static RunMeasurement tool(String tool, int rep, double wall) {
        return new RunMeasurement(tool, rep, BYTES, wall, BYTES * 1.02, BYTES * 1.01, 1, 1, 1024, 1024, Map.of(), Optional.empty());
    }

    private static ScenarioResult result(Scenario s) {
        ScenarioResult r = new ScenarioResult(workload(s));
        double[] skiff = {3.0, 2.8, 3.2};
        for (int rep = 1; rep <= 3; rep++) {
            r.add(tool(ScenarioResult.SKIFF, rep, skiff[rep - 1]));
            r.add(tool(ScenarioResult.RSYNC, rep, 2.0));
        }
        return r;
    }

    /** Both floors, each repetition buffered then direct, as the runner measures them. */
    private static ScenarioResult withFloors() {
        ScenarioResult r = result(Scenario.RANDOM);
        r.add(new CopyFloor.Run(BUFFERED, 1, BYTES, 1, 1.6, 0.9, 0.6, 1.0, 0.95));
        r.add(new CopyFloor.Run(DIRECT, 1, BYTES, 1, 1.1, 0.7, 0.3, 0.4, 0.3));
        r.add(new CopyFloor.Run(BUFFERED, 2, BYTES, 1, 1.5, 1.0, 0.5, 1.1, 1.0));
        r.add(new CopyFloor.Run(DIRECT, 2, BYTES, 1, 1.0, 0.8, 0.2, 0.5, 0.35));
        r.add(new CopyFloor.Run(BUFFERED, 3, BYTES, 1, 1.4, 0.8, 0.7, 0.9, 0.85));
        r.add(new CopyFloor.Run(DIRECT, 3, BYTES, 1, 0.9, 0.6, 0.3, 0.3, 0.25));
        return r;
    }

    @Test
    void shouldPutBothFloorsUnderTheTableBufferedFirstAndLeaveTableAndRatiosAlone() {
        ScenarioResult r = withFloors();
        assertEquals(2.0, r.overCopyFloor(BUFFERED, ScenarioResult.SKIFF), 1e-9);
        assertEquals(2.0 / 1.5, r.overCopyFloor(BUFFERED, ScenarioResult.RSYNC), 1e-9);
        assertEquals(2.0 / 0.9, r.rsyncOverCopyFloorWrite(BUFFERED), 1e-9);
        assertEquals(3.0, r.overCopyFloor(DIRECT, ScenarioResult.SKIFF), 1e-9);
        assertEquals(2.0, r.overCopyFloor(DIRECT, ScenarioResult.RSYNC), 1e-9);
        assertEquals(2.0 / 0.7, r.rsyncOverCopyFloorWrite(DIRECT), 1e-9);
        assertEquals(3, r.copyFloorRuns(BUFFERED).size());
        assertEquals(3, r.copyFloorRuns(DIRECT).size(), "each floor keeps its own runs");

        String text = new ResultTable(r).toText();
        String plain = new ResultTable(result(Scenario.RANDOM)).toText();
        assertEquals(plain + BUFFERED_LINE + "\n" + DIRECT_LINE + "\n", text,
                "the table and the ratios as without the floors, the floors' lines under them");
        String md = new ResultTable(r).toMarkdown();
        assertTrue(md.endsWith("\n\n" + BUFFERED_LINE + "\n\n" + DIRECT_LINE + "\n"), "a paragraph each:\n" + md);
        assertTrue(md.startsWith(new ResultTable(result(Scenario.RANDOM)).toMarkdown()), md);
    }

    /** With --rsync-fsync rsync is as durable as skiff: no ratio over the floor's writes alone, the notes say --fsync. */
    @Test
    void shouldSetAnRsyncWithFsyncAgainstTheWholeFloorOnly() {
        ScenarioResult r = new ScenarioResult(workload(Scenario.RANDOM), true);
        for (int rep = 1; rep <= 3; rep++) {
            r.add(tool(ScenarioResult.SKIFF, rep, 3.0));
            r.add(tool(ScenarioResult.RSYNC, rep, 2.0));
            r.add(new CopyFloor.Run(DIRECT, rep, BYTES, 1, 1.0, 0.8, 0.2, 0.5, 0.35));
        }
        String text = new ResultTable(r).toText();
        assertTrue(text.contains("wall time over it: skiff 3.00×, rsync 2.00× (rsync with --fsync)"), text);
        assertFalse(text.contains("over the write alone"), text);
        Map<?, ?> json = (Map<?, ?>) PlainJson.parse(RunnerJson.write(r.toJson()));
        assertEquals(Boolean.TRUE, json.get("rsync_fsync"));
        Map<?, ?> ratios = (Map<?, ?>) json.get("ratios");
        assertTrue(ratios.containsKey("wall_rsync_over_copy_floor_direct"), ratios.toString());
        assertFalse(ratios.containsKey("wall_rsync_over_copy_floor_direct_write"), ratios.toString());

        List<String> notes = Methodology.notes(true, "-Xmx256m", false, false, EnumSet.of(Scenario.RANDOM, Scenario.UPDATE),
                new FanoutLayout(2, 4), List.of("-Xmx1g"), true, true);
        assertTrue(notes.stream().anyMatch(n -> n.contains("full copies `rsync -a --fsync --whole-file --stats`")
                && n.contains("update `rsync -a --fsync -z --no-whole-file --delete --ignore-times --stats`")), notes.toString());
        assertTrue(notes.stream().anyMatch(n -> n.contains("The receiver fsyncs before activating; rsync too (--rsync-fsync")), notes.toString());
        assertFalse(notes.stream().anyMatch(n -> n.contains("does not fsync") || n.contains("(no --fsync) does not")), notes.toString());
        assertEquals(Boolean.FALSE, ((Map<?, ?>) PlainJson.parse(RunnerJson.write(withFloors().toJson()))).get("rsync_fsync"));
    }

    @Test
    void shouldReadNotMeasuredCpuAsNotAvailable() {
        ScenarioResult r = result(Scenario.CODESET);
        r.add(new CopyFloor.Run(DIRECT, 1, BYTES, 6, 1.5, 0.9, 0.6, Double.NaN, Double.NaN));
        assertTrue(new ResultTable(r).toText().contains("; CPU n/a s, of it sys n/a s); wall time over it: skiff 2.00×"));
    }

    @Test
    void shouldKeepCopyFloorForTheBufferedFloorAndAddCopyFloorDirectToTheJson() {
        ScenarioResult r = withFloors();
        Map<?, ?> json = (Map<?, ?>) PlainJson.parse(RunnerJson.write(r.toJson()));

        Map<?, ?> floor = (Map<?, ?>) json.get("copy_floor");
        assertEquals(BUFFERED.method(), floor.get("method"));
        Map<?, ?> median = (Map<?, ?>) floor.get("median");
        assertEquals(1.5, median.get("wall_seconds"));
        assertEquals(1_000L, median.get("throughput_mb_per_s")); // RunnerJson writes whole doubles as integers
        assertEquals(0.9, median.get("write_seconds"));
        assertEquals(0.6, median.get("fsync_seconds"));
        assertEquals(1L, median.get("cpu_seconds"));
        assertEquals(0.95, median.get("sys_seconds"));
        List<?> runs = (List<?>) floor.get("runs");
        assertEquals(3, runs.size());
        Map<?, ?> first = (Map<?, ?>) runs.get(0);
        assertEquals(1L, first.get("rep"));
        assertEquals(1.6, first.get("wall_seconds"));
        assertEquals(BYTES, first.get("bytes"));
        assertEquals(1L, first.get("files"));

        Map<?, ?> direct = (Map<?, ?>) json.get("copy_floor_direct");
        assertEquals(DIRECT.method(), direct.get("method"));
        assertEquals(floor.keySet(), direct.keySet(), "the same fields");
        Map<?, ?> directMedian = (Map<?, ?>) direct.get("median");
        assertEquals(median.keySet(), directMedian.keySet());
        assertEquals(1L, directMedian.get("wall_seconds"));
        assertEquals(1_500L, directMedian.get("throughput_mb_per_s"));
        assertEquals(0.7, directMedian.get("write_seconds"));
        assertEquals(0.3, directMedian.get("fsync_seconds"));
        assertEquals(0.4, directMedian.get("cpu_seconds"));
        assertEquals(0.3, directMedian.get("sys_seconds"));
        List<?> directRuns = (List<?>) direct.get("runs");
        assertEquals(3, directRuns.size());
        assertEquals(first.keySet(), ((Map<?, ?>) directRuns.get(0)).keySet());
        assertEquals(1.1, ((Map<?, ?>) directRuns.get(0)).get("wall_seconds"));

        Map<?, ?> ratios = (Map<?, ?>) json.get("ratios");
        assertEquals(2L, ratios.get("wall_skiff_over_copy_floor"));
        assertEquals(2.0 / 1.5, (Double) ratios.get("wall_rsync_over_copy_floor"), 1e-4);
        assertEquals(2.0 / 0.9, (Double) ratios.get("wall_rsync_over_copy_floor_write"), 1e-4);
        assertEquals(3L, ratios.get("wall_skiff_over_copy_floor_direct"));
        assertEquals(2L, ratios.get("wall_rsync_over_copy_floor_direct"));
        assertEquals(2.0 / 0.7, (Double) ratios.get("wall_rsync_over_copy_floor_direct_write"), 1e-4);
        assertEquals(500.0 / 750.0, (Double) ratios.get("throughput_skiff_over_rsync"), 1e-4, "the tools' own ratios stay");
    }

    @Test
    void shouldSayWhyAFailedFloorIsMissingAndDropItsRuns() {
        ScenarioResult r = withFloors();
        r.copyFloorSkipped(BUFFERED, "failed: java.io.IOException: No space left on device");
        assertTrue(r.copyFloor(BUFFERED).isEmpty());
        assertTrue(r.copyFloorRuns(BUFFERED).isEmpty(), "fewer repetitions than the tools' would not compare");
        assertTrue(Double.isNaN(r.overCopyFloor(BUFFERED, ScenarioResult.SKIFF)));
        assertTrue(new ResultTable(r).toText().endsWith("\nlocal copy floor, buffered: not measured (failed: "
                + "java.io.IOException: No space left on device)\n" + DIRECT_LINE + "\n"), "the direct floor stays");
        assertEquals(Map.of("skipped", "failed: java.io.IOException: No space left on device"), r.toJson().get("copy_floor"));
        Map<?, ?> ratios = (Map<?, ?>) r.toJson().get("ratios");
        assertFalse(ratios.containsKey("wall_skiff_over_copy_floor"));
        assertTrue(ratios.containsKey("wall_skiff_over_copy_floor_direct"));
    }

    @Test
    void shouldReportARefusedDirectFloorAsNotMeasuredBesideTheBufferedOne() {
        ScenarioResult r = withFloors();
        r.copyFloorSkipped(DIRECT, REFUSED);
        assertTrue(r.copyFloor(DIRECT).isEmpty());
        assertEquals(3, r.copyFloorRuns(BUFFERED).size());
        assertTrue(new ResultTable(r).toText().endsWith("\n" + BUFFERED_LINE + "\nlocal copy floor, direct: not measured ("
                + REFUSED + ")\n"), new ResultTable(r).toText());
        Map<String, Object> json = r.toJson();
        assertEquals(Map.of("skipped", REFUSED), json.get("copy_floor_direct"));
        assertEquals(BUFFERED.method(), ((Map<?, ?>) json.get("copy_floor")).get("method"));
        assertFalse(((Map<?, ?>) json.get("ratios")).containsKey("wall_skiff_over_copy_floor_direct"));
    }

    @Test
    void shouldShowNoFloorWhenNoneWasMeasured() {
        ScenarioResult r = result(Scenario.CODESET); // --no-copy-floor, or the update
        assertFalse(new ResultTable(r).toText().contains("copy floor"));
        assertFalse(r.toJson().containsKey("copy_floor"));
        assertFalse(r.toJson().containsKey("copy_floor_direct"));
        Map<?, ?> ratios = (Map<?, ?>) r.toJson().get("ratios");
        assertFalse(ratios.containsKey("wall_rsync_over_copy_floor"));
        assertFalse(ratios.containsKey("wall_rsync_over_copy_floor_direct"));
    }

    @Test
    void shouldDescribeBothFloorsWhenAFullCopyRanWithThem() {
        List<String> notes = Methodology.notes(true, "-Xmx256m", false, false, EnumSet.of(Scenario.RANDOM, Scenario.UPDATE),
                new FanoutLayout(2, 4), List.of("-Xmx1g"), true);
        String note = notes.stream().filter(n -> n.startsWith("local copy floors (random, codeset")).findFirst()
                .orElseThrow(() -> new AssertionError(String.join("\n", notes)));
        assertTrue(note.contains("force(true)") && note.contains("copy_file_range"), note);
        assertTrue(note.contains("buffered is how rsync and a plain cp write, through the page cache"), note);
        assertTrue(note.contains("direct is how skiff's receiver writes, with O_DIRECT"), note);
        assertTrue(note.contains(BUFFERED.method()) && note.contains(DIRECT.method()), note);
        assertTrue(note.contains("refuses O_DIRECT"), note);
        assertTrue(notes.get(0).contains("each repetition ends with the local copy floors, buffered then direct"), notes.get(0));

        List<String> off = Methodology.notes(true, "-Xmx256m", false, false, EnumSet.of(Scenario.RANDOM, Scenario.CODESET),
                new FanoutLayout(2, 4), List.of("-Xmx1g"), false);
        assertFalse(off.stream().anyMatch(n -> n.contains("copy floor")), "--no-copy-floor");
        assertFalse(Methodology.notes(true, "-Xmx256m", false, false, EnumSet.of(Scenario.UPDATE)).stream()
                .anyMatch(n -> n.contains("copy floor")), "the update has no copy floor");
        assertTrue(Methodology.notes(true, "-Xmx256m", false, false, EnumSet.of(Scenario.CODESET)).stream()
                .anyMatch(n -> n.startsWith("local copy floors")), "on by default");
    }

    @ParameterizedTest
    @EnumSource(CopyFloor.Mode.class)
    void shouldCopyEveryByteToANewTreeCheckItAndDeleteIt(CopyFloor.Mode mode, @TempDir Path tmp) throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work"));
        assumeDirectIo(mode, work);
        Path source = Files.createDirectories(tmp.resolve("release"));
        byte[] big = new byte[3 * CopyFloor.BUFFER_BYTES + 17]; // several buffers and a partial one
        new Random(1).nextBytes(big);
        Files.write(source.resolve("a.bin"), big);
        Files.createDirectories(source.resolve("dir/sub"));
        Files.write(source.resolve("dir/sub/empty.txt"), new byte[0]);
        Files.writeString(source.resolve("dir/c.txt"), "code\tterm\n");
        Workload w = new Workload(Scenario.CODESET, source, TreeDigest.of(source), Optional.empty());
        String copy = "copy-floor-" + mode.label() + "-codeset-r";
        Files.createDirectories(work.resolve(copy + "2/stale")); // left by an interrupted run

        CopyFloor floor = new CopyFloor(work, mode);
        for (int rep = 1; rep <= 2; rep++) {
            CopyFloor.Run run = measured(floor.measure(w, rep)); // verified against the digest inside, or it throws
            assertEquals(mode, run.mode());
            assertEquals(rep, run.rep());
            assertEquals(w.logicalBytes(), run.bytes());
            assertEquals(3, run.files());
            assertTrue(run.wallSeconds() > 0 && run.writeSeconds() >= 0 && run.fsyncSeconds() >= 0);
            assertFalse(Files.exists(work.resolve(copy + rep)), "the copy is deleted after the run");
        }
        assertEquals(List.of(), children(work), "a stale copy of an earlier run is replaced, then deleted too");
        assertEquals(TreeDigest.of(source), w.digest(), "the source is untouched");
    }

    @Test
    void shouldWriteWholeBlocksWithODirectAndTheLastPartialBlockBuffered(@TempDir Path tmp) throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work"));
        assumeDirectIo(DIRECT, work);
        Path source = Files.createDirectories(tmp.resolve("release"));
        Random random = new Random(2);
        // A full 4 MiB buffer, then 3 blocks and 123 bytes: the partial block goes through the ordinary channel.
        byte[] ragged = new byte[CopyFloor.DIRECT_BUFFER_BYTES + 3 * BLOCK + 123];
        random.nextBytes(ragged);
        Files.write(source.resolve("ragged.bin"), ragged);
        byte[] aligned = new byte[5 * BLOCK]; // whole blocks only, all with O_DIRECT
        random.nextBytes(aligned);
        Files.createDirectories(source.resolve("dir"));
        Files.write(source.resolve("dir/aligned.bin"), aligned);
        byte[] small = new byte[BLOCK - 1]; // no whole block at all: only the tail
        random.nextBytes(small);
        Files.write(source.resolve("dir/small.bin"), small);
        Files.write(source.resolve("empty.bin"), new byte[0]);
        Workload w = new Workload(Scenario.RANDOM, source, TreeDigest.of(source), Optional.empty());

        AtomicInteger directOpens = new AtomicInteger();
        CopyFloor floor = new CopyFloor(work, DIRECT, file -> {
            directOpens.incrementAndGet();
            return CopyFloor.O_DIRECT.open(file);
        });
        CopyFloor.Run run = measured(floor.measure(w, 1)); // byte-identical, or TreeComparator throws
        assertEquals(DIRECT, run.mode());
        assertEquals((long) ragged.length + aligned.length + small.length, run.bytes());
        assertEquals(4, run.files());
        assertEquals(4, directOpens.get(), "every destination opened with O_DIRECT, the empty one too");
        assertEquals(List.of(), children(work), "the copy is deleted after the run");
    }

    @Test
    void shouldReportRefusedODirectAsNotMeasuredAndStillMeasureTheBufferedFloor(@TempDir Path tmp) throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path source = Files.createDirectories(tmp.resolve("release"));
        Files.writeString(source.resolve("a.txt"), "alpha\n");
        Workload w = new Workload(Scenario.RANDOM, source, TreeDigest.of(source), Optional.empty());
        // What Linux answers a file system without O_DIRECT support: open(2) fails with EINVAL.
        CopyFloor refusing = new CopyFloor(work, DIRECT, file -> {
            throw new FileSystemException(file.toString(), null, "Invalid argument");
        });

        CopyFloor.Outcome outcome = refusing.measure(w, 1);

        String why = assertInstanceOf(CopyFloor.NotMeasured.class, outcome).why();
        String type = Files.getFileStore(work).type();
        assertEquals("O_DIRECT refused by the file system (" + type + "): java.nio.file.FileSystemException: "
                + work.resolve("copy-floor-direct-random-r1/a.txt") + ": Invalid argument", why);
        assertEquals(1, why.lines().count(), "one line for the report");
        assertEquals(List.of(), children(work), "the partial copy is deleted");
        CopyFloor.Run buffered = measured(new CopyFloor(work, BUFFERED).measure(w, 1));
        assertEquals(6, buffered.bytes(), "the buffered floor does not need O_DIRECT");
    }

    @Test
    void shouldReportAnIoErrorAsNotMeasured(@TempDir Path tmp) throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work"));
        Workload w = new Workload(Scenario.RANDOM, tmp.resolve("gone"), new TreeDigest(new TreeMap<>(
                Map.of("a.txt", new TreeDigest.FileDigest(6, "00"))), List.of()), Optional.empty());

        CopyFloor.Outcome outcome = new CopyFloor(work, BUFFERED).measure(w, 1);

        String why = assertInstanceOf(CopyFloor.NotMeasured.class, outcome).why();
        assertTrue(why.startsWith("failed: java.nio.file.NoSuchFileException: "), why);
        assertEquals(List.of(), children(work));
    }

    private static CopyFloor.Run measured(CopyFloor.Outcome outcome) {
        return assertInstanceOf(CopyFloor.Measured.class, outcome, () -> "not measured: " + outcome).run();
    }

    /** O_DIRECT needs a file system that takes it: ext4 and XFS do, tmpfs before Linux 6.6 does not. */
    private static void assumeDirectIo(CopyFloor.Mode mode, Path dir) throws IOException {
        if (mode != DIRECT) {
            return;
        }
        Path probe = dir.resolve("o-direct-probe");
        boolean accepted;
        try (FileChannel ignored = CopyFloor.O_DIRECT.open(probe)) {
            accepted = true;
        } catch (IOException e) {
            accepted = false;
        } finally {
            Files.deleteIfExists(probe);
        }
        assumeTrue(accepted, "O_DIRECT refused by the file system of " + dir);
    }

    private static List<Path> children(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
