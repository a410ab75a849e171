package io.skiff.bench.e2e;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The resume scenario's table, target line, JSON and method notes. */
class ResumeReportTest {
    private static final long FULL = 1_000_000;

    private static Workload workload() {
        TreeDigest digest = new TreeDigest(new TreeMap<>(Map.of("a.txt", new TreeDigest.FileDigest(5_000_000, "00"))), List.of());
        return new Workload(Scenario.RESUME, Path.of("/corpus/v1"), digest, Optional.empty());
    }

    private static ResumeRun full(ResumeResult.Variant v, long bytes) {
        return new ResumeRun(v, 0, 2.0, 1, List.of(new LoopbackProxy.Connection(bytes, 5_000, false)), LoopbackProxy.NO_CUT, bytes,
                bytes + 100, Map.of());
    }

    /** Cut at half of FULL, then {@code after} bytes over {@code more} further connections. */
    private static ResumeRun cut(ResumeResult.Variant v, int rep, long after, double wall, int attempts) {
        List<LoopbackProxy.Connection> c = new java.util.ArrayList<>();
        c.add(new LoopbackProxy.Connection(FULL / 2, 1_000, true));
        for (int k = 1; k < attempts; k++) {
            c.add(new LoopbackProxy.Connection(k == 1 ? after : 0, 2_000, false));
        }
        return new ResumeRun(v, rep, wall, attempts, c, FULL / 2, FULL, FULL + after, Map.of("rep_detail", rep));
    }

    private static ResumeResult result(long... retryingAfter) {
        ResumeResult r = new ResumeResult(workload());
        r.add(full(ResumeResult.Variant.SKIFF_FULL, FULL));
        r.add(full(ResumeResult.Variant.RSYNC_FULL, 5_000_000));
        for (int rep = 1; rep <= retryingAfter.length; rep++) {
            r.add(cut(ResumeResult.Variant.SKIFF_RETRYING, rep, retryingAfter[rep - 1], 2.0 + rep, 2));
            r.add(cut(ResumeResult.Variant.SKIFF_NEW_PUSH, rep, 540_000, 4.0, 2));
            r.add(new ResumeRun(ResumeResult.Variant.RSYNC_PARTIAL_RERUN, rep, 3.0, 2,
                    List.of(new LoopbackProxy.Connection(2_500_000, 10, true), new LoopbackProxy.Connection(2_600_000, 50_000, false)),
                    2_500_000, 5_000_000, Double.NaN, Map.of()));
        }
        return r;
    }

    @Test
    void runCountsTheBytesAfterTheCut() {
        ResumeRun run = cut(ResumeResult.Variant.SKIFF_RETRYING, 1, 520_000, 3.0, 3);
        assertEquals(1_020_000, run.clientToServer());
        assertEquals(520_000.0, run.afterCut(), "the connections after the cut one, whatever their number");
        assertEquals(0.52, run.afterCutOverFull(), 1e-12);
        assertTrue(Double.isNaN(full(ResumeResult.Variant.SKIFF_FULL, FULL).afterCut()));
        assertEquals(500_000, ResumeResult.cutAt(FULL));
        assertEquals(500_000, ResumeResult.cutAt(FULL + 1), "rounded down");
    }

    @Test
    void tableShowsReferencesAndMediansAndTheTarget() {
        String text = result(530_000, 510_000, 520_000).toText();
        String[] lines = text.split("\n");
        assertTrue(lines[0].startsWith("run ") && lines[0].contains("client→server bytes") && lines[0].endsWith("after / full"), text);
        assertEquals(List.of("skiff, uncut (reference, 1 run)", "2.00", "1", "1,000,000", "—", "—", "—"), cells(lines[1]));
        assertEquals(List.of("skiff, cut, same push reconnects", "4.00", "2", "1,020,000", "500,000", "520,000", "0.52×"),
                cells(lines[2]), "medians: wall of 3, 5, 4 s; after the cut of 530, 510, 520 kB");
        assertEquals(List.of("skiff, cut, sender exits, new push", "4.00", "2", "1,040,000", "500,000", "540,000", "0.54×"),
                cells(lines[3]));
        assertEquals(List.of("rsync, uncut (reference, 1 run)", "2.00", "1", "5,000,000", "—", "—", "—"), cells(lines[4]));
        assertEquals(List.of("rsync --partial, cut, re-run", "3.00", "2", "5,100,000", "2,500,000", "2,600,000", "0.52×"),
                cells(lines[5]));
        assertEquals("issue 6 target, bytes after the cut ≤ 0.55 × the full transfer's (median): skiff, cut, same push "
                + "reconnects 0.52× (met); skiff, cut, sender exits, new push 0.54× (met); rsync --partial, cut, re-run 0.52× "
                + "(baseline)", lines[6]);
        assertEquals(7, lines.length, text);
    }

    @Test
    void aMedianAboveTheTargetIsNotMet() {
        ResumeResult r = result(560_000);
        assertTrue(r.targetLine().orElseThrow().contains("same push reconnects 0.56× (not met)"), r.targetLine().orElseThrow());
        assertEquals(false, ((Map<?, ?>) r.toJson().get("skiff_retrying")).get("target_met"));
    }

    @Test
    void rsyncRowsLeftOutWhenItsBaselineFailed() {
        ResumeResult r = result(520_000);
        r.rsyncSkipped("failed: rsync exited with 0 although the proxy cut its connection");
        String text = r.toText();
        assertFalse(text.contains("rsync, uncut"), text);
        assertFalse(text.contains("(baseline)"), text);
        assertTrue(text.endsWith("\nrsync --partial baseline: not measured (failed: rsync exited with 0 although the proxy cut "
                + "its connection)\n"), text);
        assertEquals("failed: rsync exited with 0 although the proxy cut its connection", r.toJson().get("rsync_skipped"));
    }

    @Test
    void markdownHasTheTableAndEachLineAsAParagraph() {
        ResumeResult r = result(520_000);
        String md = r.toMarkdown();
        assertTrue(md.startsWith("| run | wall s | attempts | client→server bytes | cut at | after the cut | after / full |\n"
                + "|------|-----:|-----:|-----:|-----:|-----:|-----:|\n"
                + "| skiff, uncut (reference, 1 run) | 2.00 | 1 | 1,000,000 | — | — | — |\n"), md);
        assertTrue(md.contains("|\n\nissue 6 target, bytes after the cut"), md);

        String section = MarkdownReport.section(LocalDate.of(2026, 11, 24), new MachineInfo("2 CPUs", "AMD", "24 GB", "Linux", "openjdk 17", "rsync 3"),
                "benchmarks/run-e2e.sh --scenarios resume", 1, List.<ScenarioReport>of(r), List.of("a note"));
        assertTrue(section.contains("\n**resume: code-set release v1 to an empty destination through a proxy that cuts the "
                + "connection at 50 % of the full transfer's bytes, then resumed; 5,000,000 bytes in 1 file; median of 1 rep "
                + "(references: 1 run).**\n\n| run |"), section);
    }

    @Test
    void jsonHasEveryVariantWithMediansAndRuns() {
        Map<?, ?> json = (Map<?, ?>) PlainJson.parse(RunnerJson.write(result(530_000, 510_000, 520_000).toJson()));
        assertEquals("resume", json.get("scenario"));
        assertEquals(0.5, json.get("cut_fraction"));
        assertEquals(0.55, json.get("target_after_cut_over_full"));

        Map<?, ?> retrying = (Map<?, ?>) json.get("skiff_retrying");
        Map<?, ?> median = (Map<?, ?>) retrying.get("median");
        assertEquals(520_000L, median.get("after_cut_bytes"));
        assertEquals(0.52, median.get("after_cut_over_full"));
        assertEquals(2L, median.get("attempts"));
        assertEquals(true, retrying.get("target_met"));
        Map<?, ?> run = (Map<?, ?>) ((List<?>) retrying.get("runs")).get(0);
        assertEquals(1L, run.get("rep"));
        assertEquals(500_000L, run.get("cut_at_bytes"));
        assertEquals(530_000L, run.get("after_cut_bytes"));
        assertEquals(1_000_000L, run.get("full_transfer_bytes"));
        assertEquals(2L, run.get("connections"));
        assertEquals(1L, run.get("rep_detail"));
        assertEquals(Map.of("client_to_server_bytes", 500_000L, "server_to_client_bytes", 1_000L, "cut", true),
                ((List<?>) run.get("per_connection")).get(0));

        Map<?, ?> reference = (Map<?, ?>) ((List<?>) ((Map<?, ?>) json.get("skiff_full")).get("runs")).get(0);
        assertFalse(reference.containsKey("after_cut_bytes"), "nothing was cut");
        assertEquals(1_000_000L, reference.get("client_to_server_bytes"));

        Map<?, ?> rsync = (Map<?, ?>) json.get("rsync_partial_rerun");
        assertNull(rsync.get("target_met"), "the target is skiff's");
        assertNull(((Map<?, ?>) ((List<?>) rsync.get("runs")).get(0)).get("tool_wire_bytes"), "rsync's cut run prints no --stats");
        assertFalse(json.containsKey("rsync_skipped"));
    }

    @Test
    void methodologyDescribesTheResumeScenarioWhenItRan() {
        List<String> notes = Methodology.notes(true, "-Xmx256m", true, true, EnumSet.of(Scenario.RESUME));
        assertTrue(notes.stream().anyMatch(n -> n.contains("LoopbackProxy") && n.contains("one connection at a time")
                && n.contains("exactly N = F × 0.5")), String.join("\n", notes));
        assertTrue(notes.stream().anyMatch(n -> n.contains("`skiff push --retries 3 --retry-wait 0.2 --json`")
                && n.contains("--retries 0")), String.join("\n", notes));
        assertTrue(notes.stream().anyMatch(n -> n.contains("`rsync -a --partial --no-whole-file --stats SRC/ "
                + "rsync://127.0.0.1:PROXY/bench/`")), String.join("\n", notes));
        assertTrue(notes.stream().anyMatch(n -> n.contains("--cold-receiver does not apply") && n.contains("manifest saved beforehand")),
                String.join("\n", notes));
        assertFalse(notes.stream().anyMatch(n -> n.contains("lo wire bytes") || n.contains("receiver RSS")),
                "the other scenarios' columns are not described when only resume ran");
        assertTrue(notes.get(notes.size() - 1).startsWith("Every destination is checked"));
        List<String> both = Methodology.notes(true, "-Xmx256m", false, false, EnumSet.of(Scenario.CODESET, Scenario.RESUME));
        assertTrue(both.stream().anyMatch(n -> n.contains("lo wire bytes")) && both.stream().anyMatch(n -> n.contains("LoopbackProxy")));
        assertFalse(Methodology.notes(true, "-Xmx256m", false, false, EnumSet.of(Scenario.CODESET)).stream()
                .anyMatch(n -> n.contains("LoopbackProxy")));
    }

    /** A text-table line split into its cells (two or more spaces apart). */
    private static List<String> cells(String line) {
        return List.of(line.trim().split(" {2,}"));
    }
}
