package io.skiff.bench.e2e;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The update scenario's extra lines (patch-from floor, skiff's wire breakdown) in the table, markdown and JSON. */
class ScenarioReportTest {
    private static final String FLOOR_LINE = "zstd --patch-from floor: 100 bytes (zstd -3 --long=27 --patch-from=v1.tar v2.tar "
            + "of the tarred trees, 1.50 s); tool wire bytes over it: skiff 2.50×, rsync 10.00×";

    private static Workload workload(Scenario s) {
        TreeDigest digest = new TreeDigest(new TreeMap<>(Map.of("a.txt", new TreeDigest.FileDigest(5_000, "00"))), List.of());
        return new Workload(s, Path.of("/corpus/v2"), digest,
                s == Scenario.UPDATE ? Optional.of(Path.of("/corpus/v1")) : Optional.empty());
    }

    private static RunMeasurement skiff(int rep, double wire) {
        SkiffPushResult.WireBreakdown b = new SkiffPushResult.WireBreakdown(rep, Map.of("zstd_ref",
                new SkiffPushResult.EncodingCount(10L * rep, (long) wire - rep)));
        return new RunMeasurement(ScenarioResult.SKIFF, rep, 5_000, 1.0, wire + 10, wire, 1, 1, 1024, 1024, Map.of(), Optional.of(b));
    }

    private static RunMeasurement rsync(int rep) {
        return new RunMeasurement(ScenarioResult.RSYNC, rep, 5_000, 2.0, 1_010, 1_000, 1, 1, 1024, 1024, Map.of(), Optional.empty());
    }

    private static ScenarioResult result(Scenario s) {
        ScenarioResult r = new ScenarioResult(workload(s));
        r.add(skiff(1, 300));
        r.add(rsync(1));
        r.add(skiff(2, 200));
        r.add(rsync(2));
        r.add(skiff(3, 250));
        r.add(rsync(3));
        return r;
    }

    @Test
    void medianRunIsTheRunAtTheMedianWireBytes() {
        ScenarioResult r = result(Scenario.UPDATE);
        assertEquals(3, r.medianRun(ScenarioResult.SKIFF).orElseThrow().rep());
        r.add(skiff(4, 100)); // even count: the lower middle one, 200
        assertEquals(2, r.medianRun(ScenarioResult.SKIFF).orElseThrow().rep());
    }

    @Test
    void floorAndBreakdownUnderTheTable() {
        ScenarioResult r = result(Scenario.UPDATE);
        r.patchFrom(new PatchFromFloor.Result(100, 1.5, 5_000, 5_100, Path.of("/w/v2.patch.zst")));
        assertEquals(2.5, r.overFloor(ScenarioResult.SKIFF));
        assertEquals(10.0, r.overFloor(ScenarioResult.RSYNC));

        String text = new ResultTable(r).toText();
        assertTrue(text.contains("\n" + FLOOR_LINE + "\n"), text);
        assertTrue(text.contains("\nskiff wire bytes of its median run (rep 3, 250): manifest 3 bytes; zstd_ref 30 chunks 247 bytes\n"),
                text);
        String md = new ResultTable(r).toMarkdown();
        assertTrue(md.contains("\n\n" + FLOOR_LINE + "\n"), "a paragraph of its own:\n" + md);
    }

    @Test
    void floorAndBreakdownInTheJson() {
        ScenarioResult r = result(Scenario.UPDATE);
        r.patchFrom(new PatchFromFloor.Result(100, 1.5, 5_000, 5_100, Path.of("/w/v2.patch.zst")));
        Map<?, ?> json = (Map<?, ?>) PlainJson.parse(RunnerJson.write(r.toJson()));

        Map<?, ?> floor = (Map<?, ?>) json.get("patch_from");
        assertEquals(100L, floor.get("bytes"));
        assertEquals(1.5, floor.get("seconds"));
        assertEquals(5_100L, floor.get("v2_tar_bytes"));
        Map<?, ?> ratios = (Map<?, ?>) json.get("ratios");
        assertEquals(2.5, ratios.get("tool_wire_skiff_over_patch_from"));
        assertEquals(10L, ratios.get("tool_wire_rsync_over_patch_from")); // RunnerJson writes whole doubles as integers

        Map<?, ?> wire = (Map<?, ?>) json.get("skiff_median_run_wire");
        assertEquals(3L, wire.get("rep"));
        assertEquals(3L, wire.get("manifest_bytes"));
        assertEquals(Map.of("chunks", 30L, "bytes", 247L), ((Map<?, ?>) wire.get("encodings")).get("zstd_ref"));
        Map<?, ?> firstRun = (Map<?, ?>) ((List<?>) ((Map<?, ?>) json.get("skiff")).get("runs")).get(0);
        assertEquals(1L, firstRun.get("manifest_bytes"), "every skiff run carries its breakdown");
    }

    @Test
    void skippedFloorSaysWhy() {
        ScenarioResult r = result(Scenario.UPDATE);
        r.patchFromSkipped("zstd not found: " + PatchFromFloor.INSTALL_HINT);
        assertTrue(new ResultTable(r).toText().contains(
                "zstd --patch-from floor: not measured (zstd not found: install it with `apt-get install zstd`)"));
        assertEquals(Map.of("skipped", "zstd not found: install it with `apt-get install zstd`"), r.toJson().get("patch_from"));
        assertFalse(((Map<?, ?>) r.toJson().get("ratios")).containsKey("tool_wire_skiff_over_patch_from"));
    }

    @Test
    void fullCopyHasNoFloor() {
        ScenarioResult r = result(Scenario.CODESET);
        assertFalse(new ResultTable(r).toText().contains("patch-from"));
        assertFalse(r.toJson().containsKey("patch_from"));
    }

    @Test
    void methodologyDescribesTheFloorWhenTheUpdateRan() {
        assertTrue(Methodology.notes(true, "-Xmx256m", false, false, EnumSet.of(Scenario.UPDATE)).stream()
                .anyMatch(n -> n.contains("--patch-from") && n.contains("--sort=name --mtime=@0")));
        assertFalse(Methodology.notes(true, "-Xmx256m", false, false, EnumSet.of(Scenario.CODESET)).stream().anyMatch(n -> n.contains("--patch-from")));
        assertTrue(Methodology.notes(true, "-Xmx256m", false, false, EnumSet.of(Scenario.CODESET)).stream().anyMatch(n -> n.contains("--history")));
    }
}
