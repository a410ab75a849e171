package io.skiff.bench.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The local copy floor of the full copies: the copy itself, its line under the table, its JSON and its method note. */
class CopyFloorTest {
    private static final String LINE = "local copy floor (the same bytes read and written to new files on the destinations' "
            + "file system, then fsynced): median 1.50 s (1,000 MB/s; write 0.90 s, fsync 0.60 s; CPU 1.00 s, of it sys 0.95 s); "
            + "wall time over it: skiff 2.00×, rsync 1.33× (rsync does not fsync; over the write alone 2.22×)";
    private static final long BYTES = 1_500_000_000L;

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

    private static ScenarioResult withFloor() {
        ScenarioResult r = result(Scenario.RANDOM);
        r.add(new CopyFloor.Run(1, BYTES, 1, 1.6, 0.9, 0.6, 1.0, 0.95));
        r.add(new CopyFloor.Run(2, BYTES, 1, 1.5, 1.0, 0.5, 1.1, 1.0));
        r.add(new CopyFloor.Run(3, BYTES, 1, 1.4, 0.8, 0.7, 0.9, 0.85));
        return r;
    }

    @Test
    void lineUnderTheTableLeavesTableAndRatiosAlone() {
        ScenarioResult r = withFloor();
        assertEquals(2.0, r.overCopyFloor(ScenarioResult.SKIFF), 1e-9);
        assertEquals(2.0 / 1.5, r.overCopyFloor(ScenarioResult.RSYNC), 1e-9);
        assertEquals(2.0 / 0.9, r.rsyncOverCopyFloorWrite(), 1e-9);

        String text = new ResultTable(r).toText();
        String plain = new ResultTable(result(Scenario.RANDOM)).toText();
        assertEquals(plain + LINE + "\n", text, "the table and the ratios as without the floor, the floor's line under them");
        String md = new ResultTable(r).toMarkdown();
        assertTrue(md.endsWith("\n\n" + LINE + "\n"), "a paragraph of its own:\n" + md);
        assertTrue(md.startsWith(new ResultTable(result(Scenario.RANDOM)).toMarkdown()), md);
    }

    @Test
    void notMeasuredCpuReadsNotAvailable() {
        ScenarioResult r = result(Scenario.CODESET);
        r.add(new CopyFloor.Run(1, BYTES, 6, 1.5, 0.9, 0.6, Double.NaN, Double.NaN));
        assertTrue(new ResultTable(r).toText().contains("; CPU n/a s, of it sys n/a s); wall time over it: skiff 2.00×"));
    }

    @Test
    void floorInTheJson() {
        ScenarioResult r = withFloor();
        Map<?, ?> json = (Map<?, ?>) JsonReader.parse(JsonWriter.write(r.toJson()));

        Map<?, ?> floor = (Map<?, ?>) json.get("copy_floor");
        assertEquals(CopyFloor.METHOD, floor.get("method"));
        Map<?, ?> median = (Map<?, ?>) floor.get("median");
        assertEquals(1.5, median.get("wall_seconds"));
        assertEquals(1_000L, median.get("throughput_mb_per_s")); // JsonWriter writes whole doubles as integers
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

        Map<?, ?> ratios = (Map<?, ?>) json.get("ratios");
        assertEquals(2L, ratios.get("wall_skiff_over_copy_floor"));
        assertEquals(2.0 / 1.5, (Double) ratios.get("wall_rsync_over_copy_floor"), 1e-4);
        assertEquals(2.0 / 0.9, (Double) ratios.get("wall_rsync_over_copy_floor_write"), 1e-4);
        assertEquals(500.0 / 750.0, (Double) ratios.get("throughput_skiff_over_rsync"), 1e-4, "the tools' own ratios stay");
    }

    @Test
    void failedFloorSaysWhyAndDropsItsRuns() {
        ScenarioResult r = withFloor();
        r.copyFloorSkipped("failed: java.io.IOException: No space left on device");
        assertTrue(r.copyFloor().isEmpty());
        assertTrue(r.copyFloorRuns().isEmpty(), "fewer repetitions than the tools' would not compare");
        assertTrue(Double.isNaN(r.overCopyFloor(ScenarioResult.SKIFF)));
        assertTrue(new ResultTable(r).toText().endsWith(
                "\nlocal copy floor: not measured (failed: java.io.IOException: No space left on device)\n"));
        assertEquals(Map.of("skipped", "failed: java.io.IOException: No space left on device"), r.toJson().get("copy_floor"));
        assertFalse(((Map<?, ?>) r.toJson().get("ratios")).containsKey("wall_skiff_over_copy_floor"));
    }

    @Test
    void noFloorNoLine() {
        ScenarioResult r = result(Scenario.CODESET); // --no-copy-floor, or the update
        assertFalse(new ResultTable(r).toText().contains("copy floor"));
        assertFalse(r.toJson().containsKey("copy_floor"));
        assertFalse(((Map<?, ?>) r.toJson().get("ratios")).containsKey("wall_rsync_over_copy_floor"));
    }

    @Test
    void methodNoteWhenAFullCopyRanWithTheFloor() {
        List<String> notes = Methodology.notes(true, "-Xmx256m", false, false, EnumSet.of(Scenario.RANDOM, Scenario.UPDATE),
                new FanoutLayout(2, 4), List.of("-Xmx1g"), true);
        assertTrue(notes.stream().anyMatch(n -> n.startsWith("local copy floor (random, codeset") && n.contains("force(true)")
                && n.contains("copy_file_range")), String.join("\n", notes));
        assertTrue(notes.get(0).contains("each repetition ends with the local copy floor"), notes.get(0));

        List<String> off = Methodology.notes(true, "-Xmx256m", false, false, EnumSet.of(Scenario.RANDOM, Scenario.CODESET),
                new FanoutLayout(2, 4), List.of("-Xmx1g"), false);
        assertFalse(off.stream().anyMatch(n -> n.contains("copy floor")), "--no-copy-floor");
        assertFalse(Methodology.notes(true, "-Xmx256m", false, false, EnumSet.of(Scenario.UPDATE)).stream()
                .anyMatch(n -> n.contains("copy floor")), "the update has no copy floor");
        assertTrue(Methodology.notes(true, "-Xmx256m", false, false, EnumSet.of(Scenario.CODESET)).stream()
                .anyMatch(n -> n.startsWith("local copy floor")), "on by default");
    }

    @Test
    void copiesEveryByteToANewTreeChecksItAndDeletesIt(@TempDir Path tmp) throws Exception {
        Path source = Files.createDirectories(tmp.resolve("release"));
        byte[] big = new byte[3 * CopyFloor.BUFFER_BYTES + 17]; // several buffers and a partial one
        new Random(1).nextBytes(big);
        Files.write(source.resolve("a.bin"), big);
        Files.createDirectories(source.resolve("dir/sub"));
        Files.write(source.resolve("dir/sub/empty.txt"), new byte[0]);
        Files.writeString(source.resolve("dir/c.txt"), "code\tterm\n");
        Workload w = new Workload(Scenario.CODESET, source, TreeDigest.of(source), Optional.empty());
        Path work = Files.createDirectories(tmp.resolve("work"));
        Files.createDirectories(work.resolve("copy-floor-codeset-r2/stale")); // left by an interrupted run

        CopyFloor floor = new CopyFloor(work);
        for (int rep = 1; rep <= 2; rep++) {
            CopyFloor.Run run = floor.run(w, rep); // verified against the digest inside, or it throws
            assertEquals(rep, run.rep());
            assertEquals(w.logicalBytes(), run.bytes());
            assertEquals(3, run.files());
            assertTrue(run.wallSeconds() > 0 && run.writeSeconds() >= 0 && run.fsyncSeconds() >= 0);
            assertFalse(Files.exists(work.resolve("copy-floor-codeset-r" + rep)), "the copy is deleted after the run");
        }
        assertEquals(List.of(), children(work), "a stale copy of an earlier run is replaced, then deleted too");
        assertEquals(TreeDigest.of(source), w.digest(), "the source is untouched");
    }

    private static List<Path> children(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
