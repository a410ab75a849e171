package io.skiff.cli;

import io.skiff.engine.api.TargetResult;
import io.skiff.engine.api.Topology;
import io.skiff.engine.manifest.ManifestBuilder;
import io.skiff.engine.testing.TestTrees;
import io.skiff.protocol.ChunkingParams;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the live view shows, from listener events alone (the drawing itself needs a terminal). */
class ProgressDisplayTest {
    @TempDir
    Path tmp;

    private static TargetResult result(String target, boolean activated, ErrorCode code) {
        return new TargetResult(target, activated, false, 0, 1, 10, 10, 0, code, activated ? null : "x", TargetResult.Delta.none());
    }

    @Test
    void shouldShowOneLinePerTargetWithItsState() {
        List<String> names = List.of("eu-1:7070", "eu-2:7070", "us-1:7070");
        try (ProgressDisplay view = new ProgressDisplay(new PrintWriter(new StringWriter()), false, names)) {
            view.planned("eu-1:7070", 10, 1_000_000);
            view.chunkSent("eu-1:7070", 500_000);
            view.planned("eu-2:7070", 10, 1_000_000);
            view.retrying("eu-2:7070", 1, Duration.ofSeconds(1), result("eu-2:7070", false, ErrorCode.CONNECTION_LOST));
            view.finished(result("us-1:7070", false, ErrorCode.CONNECT_FAILED));

            List<String> lines = view.lines(1.0);

            assertEquals(4, lines.size(), lines.toString());
            assertTrue(lines.get(0).contains("targets done 1/3"), lines.get(0));
            assertTrue(lines.get(0).contains("25.0%"), "500 kB of 2 MB: " + lines.get(0));
            assertTrue(lines.get(1).contains("eu-1:7070") && lines.get(1).contains("50.0%") && lines.get(1).endsWith("sending"), lines.get(1));
            assertTrue(lines.get(2).endsWith("retrying (attempt 2, connection_lost)"), lines.get(2));
            assertTrue(lines.get(3).endsWith("failed: connect_failed"), lines.get(3));
        }
    }

    @Test
    void shouldSummarizeManyTargetsAndNameTheSlowest() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            names.add("host-" + i + ":7070");
        }
        try (ProgressDisplay view = new ProgressDisplay(new PrintWriter(new StringWriter()), false, names)) {
            for (int i = 0; i < 40; i++) {
                view.planned(names.get(i), 10, 1000);
                view.chunkSent(names.get(i), i < 3 ? 10 * i : 900);
                if (i >= 30) {
                    view.finished(result(names.get(i), i != 39, ErrorCode.CONNECTION_LOST));
                }
            }
            view.chunkSent("not-a-target:1", 5); // ignored, never fails the push

            List<String> lines = view.lines(2.0);

            assertEquals(2 + 5, lines.size(), lines.toString());
            assertEquals("  30 sending, 9 activated, 1 failed", lines.get(1));
            assertTrue(lines.get(2).contains("host-0:7070") && lines.get(2).endsWith("(slowest)"), lines.get(2));
            assertTrue(lines.get(3).contains("host-1:7070"), lines.get(3));
        }
    }

    /** A release of exactly 1,000,000 bytes. */
    private Manifest release() {
        Path src = tmp.resolve("src");
        TestTrees.randomFile(src.resolve("a.bin"), 1_000_000, 1);
        return ManifestBuilder.build(src, "c", "v1", ChunkingParams.DEFAULT, 1);
    }

    private static TargetResult relayed(String target, String relay, boolean activated, ErrorCode code) {
        return result(target, activated, code).routed("eu", TargetResult.Route.RELAYED, relay);
    }

    @Test
    void shouldShowRelayedTargetsAndLetTheLastFinishWin() {
        Topology topology = Topology.parseTo("eu=eu-1:7070,eu-2:7070,eu-3:7070,eu-4:7070");
        try (ProgressDisplay view = new ProgressDisplay(new PrintWriter(new StringWriter()), false, topology, true)) {
            view.manifestBuilt(release(), 0.1);
            // eu-1 relays; it dies after 300 kB, and the sender falls back to pushing to it directly
            view.planned("eu-1:7070", 16, 1_000_000);
            view.chunkSent("eu-1:7070", 300_000);
            view.chunkSent("eu-2:7070", 200_000); // relayed: no plan from the sender
            view.chunkSent("eu-3:7070", 1_000_000);
            view.finished(relayed("eu-3:7070", "eu-1:7070", true, null));
            view.finished(result("eu-1:7070", false, ErrorCode.CONNECTION_LOST));

            List<String> failed = view.lines(1.0);

            assertEquals(5, failed.size(), failed.toString());
            assertTrue(failed.get(0).contains("targets done 2/4"), failed.get(0));
            assertTrue(failed.get(1).endsWith("failed: connection_lost"), failed.get(1));
            assertTrue(failed.get(1).contains(" 30.0%"), "300 kB of the 1 MB it wanted: " + failed.get(1));
            assertTrue(failed.get(2).contains(" 20.0%") && failed.get(2).contains("/ ~976.6 KiB"),
                    "the release size stands in for what a relayed target wants: " + failed.get(2));
            assertTrue(failed.get(2).endsWith("sending via relay"), failed.get(2));
            assertTrue(failed.get(3).contains("100.0%") && failed.get(3).endsWith("activated via eu-1:7070"), failed.get(3));
            assertTrue(failed.get(4).endsWith("waiting for relay"), failed.get(4));

            view.plannedByRelay("eu-2:7070", "eu-1:7070", 400_000); // the relay's report says what eu-2 asked for
            List<String> reported = view.lines(1.5);
            assertTrue(reported.get(2).contains(" 50.0%") && reported.get(2).contains("/ 390.6 KiB") && !reported.get(2).contains("~"),
                    "what the relay reported replaces the estimate: " + reported.get(2));
            assertTrue(reported.get(2).endsWith("sending via relay"), reported.get(2));

            view.planned("eu-1:7070", 11, 700_000); // the direct push resumes
            view.chunkSent("eu-1:7070", 350_000);

            List<String> again = view.lines(2.0);

            assertTrue(again.get(0).contains("targets done 1/4"), "eu-1 runs again: " + again.get(0));
            assertTrue(again.get(1).contains(" 65.0%") && again.get(1).contains("634.8 KiB / 976.6 KiB"), again.get(1));
            assertTrue(again.get(1).endsWith("sending"), again.get(1));

            view.chunkSent("eu-1:7070", 350_000);
            view.finished(result("eu-1:7070", true, null).routed("eu", TargetResult.Route.FALLBACK, "eu-1:7070"));
            view.finished(relayed("eu-4:7070", "eu-1:7070", false, ErrorCode.CONNECTION_LOST));

            List<String> done = view.lines(3.0);

            assertTrue(done.get(0).contains("targets done 3/4"), done.get(0));
            assertTrue(done.get(1).contains("100.0%") && done.get(1).endsWith("  activated"), "the last finish wins: " + done.get(1));
            assertTrue(done.get(4).endsWith("failed via eu-1:7070: connection_lost"), done.get(4));
        }
    }

    @Test
    void shouldShowOneLinePerRegionWhenManyTargetsAreInNamedRegions() {
        StringBuilder to = new StringBuilder("eu=");
        for (int i = 1; i <= 6; i++) {
            to.append(i > 1 ? "," : "").append("eu-").append(i).append(":7070");
        }
        to.append(";us=");
        for (int i = 1; i <= 5; i++) {
            to.append(i > 1 ? "," : "").append("us-").append(i).append(":7070");
        }
        to.append(";lab:7070");
        try (ProgressDisplay view = new ProgressDisplay(new PrintWriter(new StringWriter()), false, Topology.parseTo(to.toString()), true)) {
            view.manifestBuilt(release(), 0.1);
            view.planned("eu-1:7070", 16, 1_000_000); // the relay, half way
            view.chunkSent("eu-1:7070", 500_000);
            view.chunkSent("eu-2:7070", 1_000_000);
            view.finished(relayed("eu-2:7070", "eu-1:7070", true, null));
            view.chunkSent("eu-3:7070", 100_000);
            view.finished(relayed("eu-3:7070", "eu-1:7070", false, ErrorCode.STORAGE_FAILURE));
            view.chunkSent("eu-4:7070", 400_000);
            for (int i = 1; i <= 5; i++) { // us: done, relay and relayed alike
                String us = "us-" + i + ":7070";
                if (i == 1) {
                    view.planned(us, 16, 1_000_000);
                }
                view.chunkSent(us, 1_000_000);
                view.finished(i == 1 ? result(us, true, null) : relayed(us, "us-1:7070", true, null));
            }
            view.finished(result("lab:7070", false, ErrorCode.CONNECT_FAILED));

            List<String> lines = view.lines(2.0);

            assertEquals(1 + 3, lines.size(), lines.toString());
            assertTrue(lines.get(0).contains("targets done 8/12"), lines.get(0));
            String eu = lines.get(1);
            assertTrue(eu.startsWith("  eu  64.5%"), eu);
            assertTrue(eu.endsWith("done 2/6: 1 activated, 1 failed; 4 sending"), eu);
            // eu-1 500 kB of 1 MB, eu-2 1 MB of 1 MB, eu-3 100 kB (failed: what it got), eu-4 400 kB of ~1 MB (the release)
            assertTrue(eu.contains(" 64.5%    1.9 MiB / ~3.0 MiB "), "2.0 MB of 3.1 MB: " + eu);
            assertTrue(eu.contains("1.0 MB/s"), "2 MB in 2 s: " + eu);
            String us = lines.get(2);
            assertTrue(us.startsWith("  us 100.0%") && us.contains("100.0%") && us.endsWith("done 5/5: 5 activated, 0 failed; 0 sending"), us);
            String lab = lines.get(3);
            assertTrue(lab.startsWith("  -     - ") && lab.endsWith("done 1/1: 0 activated, 1 failed; 0 sending"), lab);
        }
    }

    @Test
    void shouldNotWaitForARelayWithoutRelays() {
        Topology topology = Topology.parseTo("eu=eu-1:7070,eu-2:7070");
        try (ProgressDisplay view = new ProgressDisplay(new PrintWriter(new StringWriter()), false, topology, false)) {
            List<String> lines = view.lines(0.5);

            assertTrue(lines.get(1).endsWith("connecting") && lines.get(2).endsWith("connecting"), lines.toString());
        }
    }
}
