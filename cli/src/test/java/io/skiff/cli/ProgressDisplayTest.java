package io.skiff.cli;

import io.skiff.engine.transfer.TargetResult;
import io.skiff.protocol.ErrorCode;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the live view shows, from listener events alone (the drawing itself needs a terminal). */
class ProgressDisplayTest {
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
}
