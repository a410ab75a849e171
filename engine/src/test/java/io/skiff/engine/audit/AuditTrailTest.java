package io.skiff.engine.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.skiff.engine.api.AuditReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trail on real files: written, read back, and every way of tampering with it caught. */
class AuditTrailTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static AuditEvent activation(int n) {
        return AuditEvent.of("activate", Actor.peer("pipeline-us", "10.0.0." + n), "icd10cm", "2027-0" + n, "ab".repeat(32))
                .withSigners(List.of("cd".repeat(32))).withBytes(1000L * n);
    }

    private Path trailOf(int records) {
        Path dir = tmp.resolve("audit");
        AuditTrail trail = AuditTrail.open(dir);
        for (int i = 1; i <= records; i++) {
            trail.append(activation(i));
        }
        return dir;
    }

    private static List<String> lines(Path dir) throws IOException {
        return Files.readAllLines(dir.resolve(AuditTrail.name(1)), StandardCharsets.UTF_8);
    }

    private static void rewrite(Path dir, List<String> lines) throws IOException {
        Files.write(dir.resolve(AuditTrail.name(1)), lines, StandardCharsets.UTF_8);
    }

    @Test
    void shouldWriteNumberedChainedRecordsWithEveryFieldAndVerifyThem() throws IOException {
        Path dir = trailOf(3);

        List<String> lines = lines(dir);
        assertEquals(3, lines.size());
        JsonNode first = JSON.readTree(lines.get(0));
        assertEquals(1, first.get("seq").asLong());
        assertEquals(AuditTrail.GENESIS, first.get("prev").asText());
        assertEquals("pipeline-us", first.get("actor").asText());
        assertEquals("10.0.0.1", first.get("peer").asText());
        assertEquals("activate", first.get("action").asText());
        assertEquals("icd10cm", first.get("channel").asText());
        assertEquals("2027-01", first.get("version").asText());
        assertEquals("cd".repeat(32), first.get("signers").get(0).asText());
        assertEquals(1000, first.get("bytes").asLong());
        assertEquals("ok", first.get("outcome").asText());
        assertTrue(first.get("tenant").isNull());
        JsonNode second = JSON.readTree(lines.get(1));
        assertEquals(io.skiff.protocol.Sha256.digest(lines.get(0).getBytes(StandardCharsets.UTF_8)).hex(), second.get("prev").asText());

        AuditReport report = AuditVerifier.verify(dir, null);
        assertTrue(report.intact(), String.valueOf(report.broken()));
        assertEquals(3, report.records());
        assertEquals(3, report.headSeq());
        assertEquals(AuditTrail.open(dir).head().hash(), report.headHash());
        assertEquals(List.of(), report.warnings());
    }

    @Test
    void shouldCatchAnEditedRecordAtTheNextOne() throws IOException {
        Path dir = trailOf(4);
        List<String> lines = new ArrayList<>(lines(dir));
        lines.set(1, lines.get(1).replace("\"outcome\":\"ok\"", "\"outcome\":\"refused\""));
        rewrite(dir, lines);

        AuditReport.Broken broken = AuditVerifier.verify(dir, null).broken();

        assertNotNull(broken);
        assertEquals(3, broken.line());
        assertTrue(broken.reason().contains("record 2 was changed"), broken.reason());
    }

    @Test
    void shouldCatchADeletedAndAReorderedRecord() throws IOException {
        Path dir = trailOf(4);
        List<String> original = lines(dir);
        List<String> deleted = new ArrayList<>(original);
        deleted.remove(1);
        rewrite(dir, deleted);
        AuditReport.Broken gap = AuditVerifier.verify(dir, null).broken();
        assertEquals(2, gap.line());
        assertTrue(gap.reason().contains("record 3 where record 2 belongs"), gap.reason());

        List<String> reordered = new ArrayList<>(original);
        reordered.set(1, original.get(2));
        reordered.set(2, original.get(1));
        rewrite(dir, reordered);
        AuditReport.Broken swapped = AuditVerifier.verify(dir, null).broken();
        assertEquals(2, swapped.line());
        assertTrue(swapped.reason().contains("removed or reordered"), swapped.reason());
    }

    @Test
    void shouldCatchRecordsCutOffTheEndByTheHead() throws IOException {
        Path dir = trailOf(4);
        List<String> lines = lines(dir);
        rewrite(dir, lines.subList(0, 3));

        AuditReport.Broken broken = AuditVerifier.verify(dir, null).broken();

        assertNotNull(broken);
        assertTrue(broken.reason().contains("HEAD names record 4 and the trail ends at record 3"), broken.reason());
    }

    /** A crash mid-write leaves half a line: the writer goes on after it, and verify notes it (records around it still chain). */
    @Test
    void shouldNoteAnIncompleteLineAndGoOnAfterIt() throws IOException {
        Path dir = trailOf(2);
        Files.writeString(dir.resolve(AuditTrail.name(1)), "{\"seq\":3,\"ti", java.nio.file.StandardOpenOption.APPEND);
        AuditReport torn = AuditVerifier.verify(dir, null);
        assertTrue(torn.intact(), String.valueOf(torn.broken()));
        assertTrue(torn.warnings().get(0).contains("line 3 is not a record (the last line is incomplete"), torn.warnings().toString());

        AuditHead head = AuditTrail.open(dir).append(activation(3));

        assertEquals(3, head.seq(), "numbered on from the last complete record");
        List<String> lines = lines(dir);
        assertEquals(4, lines.size(), "the incomplete line stays, on a line of its own");
        assertEquals("{\"seq\":3,\"ti", lines.get(2));
        AuditReport after = AuditVerifier.verify(dir, null);
        assertTrue(after.intact(), String.valueOf(after.broken()));
        assertEquals(3, after.records());
        assertTrue(after.warnings().get(0).contains("line 3 is not a record (a write cut short by a crash"), "an auditor still sees it");
    }

    /** A record replaced by a line that is not one: the record after it no longer follows. */
    @Test
    void shouldCatchARecordReplacedByGarbage() throws IOException {
        Path dir = trailOf(4);
        List<String> lines = new ArrayList<>(lines(dir));
        lines.set(1, "not a record");
        rewrite(dir, lines);

        AuditReport.Broken broken = AuditVerifier.verify(dir, null).broken();

        assertNotNull(broken);
        assertEquals(3, broken.line());
        assertTrue(broken.reason().contains("record 3 where record 2 belongs"), broken.reason());
    }

    /**
     * Whoever can write the files can delete a record and re-chain everything after it, HEAD included:
     * the chain alone then holds. Heads a sender recorded before catch it.
     */
    @Test
    void shouldCatchARechainedTrailAgainstHeadsSendersRecorded() throws IOException {
        Path dir = trailOf(4);
        AuditReport before = AuditVerifier.verify(dir, null);
        Path anchors = tmp.resolve("sender-trail.jsonl");
        Files.writeString(anchors, "{\"action\":\"push\",\"audit_head\":{\"trail\":\"" + before.trailId() + "\",\"seq\":4,\"hash\":\""
                + before.headHash() + "\"}}\n" + "{\"action\":\"push\",\"audit_head\":{\"trail\":\"" + "ee".repeat(32)
                + "\",\"seq\":1,\"hash\":\"" + "ff".repeat(32) + "\"}}\n");
        Path forged = tmp.resolve("forged");
        AuditTrail rewritten = AuditTrail.open(forged);
        List<String> lines = lines(dir);
        // the first record kept as it was (the trail keeps its name), then records 3 and 4 re-chained, numbered on
        Files.createDirectories(forged);
        Files.writeString(forged.resolve(AuditTrail.name(1)), lines.get(0) + "\n");
        rewritten.append(activation(3));
        rewritten.append(activation(4));
        rewritten.append(activation(5));
        AuditReport alone = AuditVerifier.verify(forged, null);
        assertTrue(alone.intact(), "re-chained: the chain alone holds, " + alone.broken());

        AuditReport against = AuditVerifier.verify(forged, anchors);

        assertFalse(against.intact());
        assertEquals(1, against.anchors(), "only the head that names this trail");
        assertTrue(against.broken().reason().contains("a sender recorded " + before.headHash()), against.broken().reason());
        assertTrue(AuditVerifier.verify(dir, anchors).intact(), "the original agrees with what the sender recorded");
    }

    @Test
    void shouldGoOnAcrossFilesAndVerifyTheWholeChain() {
        Path dir = tmp.resolve("small-files");
        AuditTrail trail = AuditTrail.open(dir, 1024);
        for (int i = 1; i <= 9; i++) {
            trail.append(activation(i));
        }

        assertTrue(AuditRecords.files(dir).size() >= 3, "rotated: " + AuditRecords.files(dir));
        AuditReport report = AuditVerifier.verify(dir, null);
        assertTrue(report.intact(), String.valueOf(report.broken()));
        assertEquals(9, report.records());
    }

    @Test
    void shouldKeepOneChainWhenTwoTrailsOnOneDirectoryAppendAtOnce() throws Exception {
        Path dir = tmp.resolve("shared");
        AuditTrail a = AuditTrail.open(dir);
        AuditTrail b = AuditTrail.open(dir);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        try {
            for (int t = 0; t < 4; t++) {
                AuditTrail trail = t % 2 == 0 ? a : b;
                pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 25; i++) {
                        trail.append(activation(i % 9 + 1));
                    }
                    return null;
                });
            }
            start.countDown();
        } finally {
            pool.shutdown();
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
        }
        AuditReport report = AuditVerifier.verify(dir, null);
        assertNull(report.broken());
        assertEquals(100, report.records());
    }
}
