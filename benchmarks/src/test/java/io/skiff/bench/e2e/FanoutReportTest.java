package io.skiff.bench.e2e;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fan-out scenario's table, issue 7 check lines, JSON and method notes. */
class FanoutReportTest {
    private static final FanoutLayout LAYOUT = new FanoutLayout(2, 4);
    private static final long ONE = 90_000_000;

    private static Workload workload() {
        TreeDigest digest = new TreeDigest(new TreeMap<>(Map.of("a.txt", new TreeDigest.FileDigest(500_000_000, "00"))), List.of());
        return new Workload(Scenario.FANOUT, Path.of("/corpus/v1"), digest, Optional.empty());
    }

    /** A run whose sender bytes are split evenly over {@code proxies} proxies. */
    private static FanoutRun run(FanoutResult.Kind kind, int rep, double wall, long senderBytes, int proxies, int targets,
                                 Map<String, Integer> routes) {
        List<FanoutRun.Proxied> p = new ArrayList<>();
        for (int i = 0; i < proxies; i++) {
            p.add(new FanoutRun.Proxied("127.0.0.1:" + (9000 + i), 1, senderBytes / proxies, 100));
        }
        return new FanoutRun(kind, rep, wall, p, senderBytes + 10, targets, targets, routes, 3.0, 200 * 1024, 2.0, 400 * 1024,
                Map.of("release_id", "ab"));
    }

    private static FanoutResult result(boolean regions, long relaySenderBytes, double relayWall) {
        FanoutResult r = new FanoutResult(workload(), LAYOUT, regions, "a topology file", List.of("-Xmx1g"));
        for (int rep = 1; rep <= 3; rep++) {
            r.add(run(FanoutResult.Kind.SINGLE, rep, 4.0 + rep, ONE, 1, 1, Map.of("direct", 1)));
            r.add(run(FanoutResult.Kind.NO_RELAY, rep, 20.0, 8 * ONE, 8, 8, Map.of("direct", 8)));
            if (regions) {
                Map<String, Integer> routes = new java.util.LinkedHashMap<>();
                routes.put("relay", 2);
                routes.put("relayed", 6);
                r.add(run(FanoutResult.Kind.RELAY, rep, relayWall, relaySenderBytes, 2, 8, routes)); // one proxy per region carries the data
            }
        }
        return r;
    }

    private static List<String> cells(String line) {
        return List.of(line.trim().split("\\s{2,}"));
    }

    @Test
    void tableShowsEachKindAgainstTheSinglePush() {
        FanoutResult r = result(true, 184_500_000, 9.0);
        String text = r.toText();
        String[] lines = text.split("\n");
        assertTrue(lines[0].startsWith("run ") && lines[0].contains("sender bytes") && lines[0].endsWith("receivers RSS MiB"), text);
        assertEquals(List.of("single target (1 receiver)", "6.00", "90,000,000", "90,000,010", "1.00×", "1.00×", "1/1", "1 direct",
                "3.00", "200", "2.00", "400"), cells(lines[1]), "medians: wall of 5, 6, 7 s");
        assertEquals(List.of("8 targets in 2 regions, --no-relay", "20.00", "720,000,000", "720,000,010", "8.00×", "3.33×", "8/8",
                "8 direct", "3.00", "200", "2.00", "400"), cells(lines[2]));
        assertEquals(List.of("8 targets in 2 regions, relays", "9.00", "184,500,000", "184,500,010", "2.05×", "1.50×", "8/8",
                "2 relay, 6 relayed", "3.00", "200", "2.00", "400"), cells(lines[3]));
        assertEquals("issue 7 check (medians), bytes leaving the sender ≤ 2.2 × one target's (the single-target push's sender bytes): "
                + "relays 2.05× (met); --no-relay 8.00× (for comparison)", lines[4]);
        assertEquals("issue 7 check (medians), wall time ≤ 2 × the single-target push's: relays 1.50× (met); --no-relay 3.33× "
                + "(for comparison)", lines[5]);
        assertEquals("targets named by a topology file; receivers: one JVM with -Xmx1g", lines[6]);
        assertEquals(7, lines.length, text);
        assertEquals(Optional.of(true), r.bytesMet());
        assertEquals(Optional.of(true), r.timeMet());
    }

    @Test
    void overTheLimitsIsNotMet() {
        FanoutResult r = result(true, 207_000_000, 12.5);
        String text = r.toText();
        assertTrue(text.contains("relays 2.30× (not met)"), text);
        assertTrue(text.contains("relays 2.08× (not met)"), text);
        Map<?, ?> checks = (Map<?, ?>) r.toJson().get("checks");
        assertEquals(false, ((Map<?, ?>) checks.get("sender_bytes_over_single")).get("met"));
        assertEquals(2.2, ((Map<?, ?>) checks.get("sender_bytes_over_single")).get("limit"));
        assertEquals(false, ((Map<?, ?>) checks.get("wall_over_single")).get("met"));
    }

    @Test
    void withoutRelaysTheRelayRunIsNotMeasured() {
        FanoutResult r = result(false, 0, 0);
        r.skipped(FanoutResult.Kind.RELAY, "this skiff's push has no --topology");
        String text = r.toText();
        assertTrue(text.contains("\n8 targets, plain --to "), text);
        assertFalse(text.contains("\n8 targets in 2 regions, relays  "), "no row: " + text);
        assertTrue(text.contains("sender bytes): relays not measured; plain --to 8.00× (for comparison)\n"), text);
        assertTrue(text.contains("\n8 targets in 2 regions, relays: not measured (this skiff's push has no --topology)\n"), text);
        assertEquals(Optional.empty(), r.bytesMet());
        Map<String, Object> json = r.toJson();
        assertEquals(false, json.get("regions_named"));
        Map<?, ?> relays = (Map<?, ?>) json.get("relays");
        assertEquals("this skiff's push has no --topology", relays.get("skipped"));
        assertFalse(relays.containsKey("runs"));
        assertNull(((Map<?, ?>) ((Map<?, ?>) json.get("checks")).get("sender_bytes_over_single")).get("met"));
    }

    @Test
    void aRelayRunWithoutRelayedTargetsIsFlagged() {
        FanoutResult r = new FanoutResult(workload(), LAYOUT, true, "a topology file", List.of("-Xmx1g"));
        r.add(run(FanoutResult.Kind.SINGLE, 1, 5, ONE, 1, 1, Map.of("direct", 1)));
        r.add(run(FanoutResult.Kind.RELAY, 1, 9, 8 * ONE, 8, 8, Map.of("direct", 8)));
        assertEquals("warning: 8 targets in 2 regions, relays: push --json reports no relayed target in rep 1 (routes: 8 direct): "
                + "this skiff did not relay", r.noRelayUsed().orElseThrow());
        assertTrue(r.toText().contains("this skiff did not relay"));
        assertTrue(r.toJson().containsKey("warning"));
        assertTrue(result(true, 180_000_000, 9).noRelayUsed().isEmpty());
    }

    @Test
    void jsonHasEveryRunWithItsProxies() {
        Map<String, Object> json = result(true, 184_500_000, 9.0).toJson();
        assertEquals("fanout", json.get("scenario"));
        assertEquals(8, json.get("receivers"));
        assertEquals(List.of("-Xmx1g"), json.get("receiver_host_java_opts"));
        Map<?, ?> relays = (Map<?, ?>) json.get("relays");
        assertEquals(2.05, (Double) relays.get("sender_bytes_over_single"), 1e-9);
        List<?> runs = (List<?>) relays.get("runs");
        assertEquals(3, runs.size());
        Map<?, ?> first = (Map<?, ?>) runs.get(0);
        assertEquals(184_500_000L, first.get("sender_bytes"));
        assertEquals(200L, first.get("sender_bytes_in"));
        assertEquals(2, ((List<?>) first.get("proxies")).size());
        assertEquals("ab", first.get("release_id"));
        assertEquals(Map.of("relay", 2, "relayed", 6), first.get("routes"));
    }

    @Test
    void markdownSectionAndNotes() {
        FanoutResult r = result(true, 184_500_000, 9.0);
        String md = r.toMarkdown();
        assertTrue(md.startsWith("| run | wall s | sender bytes | skiff bytes_wire | bytes × single | time × single | activated | routes |"), md);
        assertTrue(md.contains("|\n\nissue 7 check (medians), bytes leaving the sender"), md);
        String section = MarkdownReport.section(LocalDate.of(2026, 11, 24), new MachineInfo("2 CPUs", "AMD", "24 GB", "Linux", "openjdk 17", "rsync 3"),
                "benchmarks/run-e2e.sh --scenarios fanout", 3, List.<ScenarioReport>of(r), List.of("a note"));
        assertTrue(section.contains("\n**fanout: code-set release v1 to 8 targets in 2 regions (8 receivers in one JVM), each run to new, "
                + "empty channels; 500,000,000 bytes in 1 file; median of 3 reps.**\n\n| run |"), section);

        List<String> notes = Methodology.notes(true, "-Xmx256m", false, false, EnumSet.of(Scenario.FANOUT), LAYOUT, List.of("-Xmx1g"));
        assertTrue(notes.stream().anyMatch(n -> n.startsWith("fanout (issue 7") && n.contains("8 receivers, 2 regions × 4")
                && n.contains("JVM options -Xmx1g") && n.contains("--topology FILE --no-relay")), String.join("\n", notes));
        assertTrue(notes.stream().anyMatch(n -> n.contains("LoopbackProxy") && n.contains("internal address")));
        assertFalse(notes.stream().anyMatch(n -> n.startsWith("rsync:")), "no rsync in the fanout scenario");
        assertFalse(Methodology.notes(true, "-Xmx256m", false, false, EnumSet.of(Scenario.CODESET)).stream()
                .anyMatch(n -> n.startsWith("fanout")));
    }

    @Test
    void relaysNeedBothOptionsInPushHelp() {
        assertTrue(FanoutBench.Support.of("  --topology=FILE  ...\n  --no-relay  ...").relays());
        assertFalse(FanoutBench.Support.of("  --topology=FILE  ...").relays());
        assertFalse(FanoutBench.Support.of("Usage: skiff push [-h] [--json] --to=HOST:PORT").relays());
    }
}
