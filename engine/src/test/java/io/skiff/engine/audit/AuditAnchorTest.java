package io.skiff.engine.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.skiff.engine.Skiff;
import io.skiff.engine.api.AuditAnchor;
import io.skiff.engine.api.AuditReport;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.PushListener;
import io.skiff.engine.api.PushOptions;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.api.TargetResult;
import io.skiff.engine.receive.Receiver;
import io.skiff.engine.testing.RawClient;
import io.skiff.engine.testing.TestTrees;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.frame.AuditHeadFrame;
import io.skiff.protocol.frame.ErrorFrame;
import io.skiff.protocol.frame.HelloFrame;
import io.skiff.protocol.frame.OfferFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Heads travel back: a receiver answers with where its trail stands (AUDIT_HEAD), the sender keeps it in
 * its own trail, and a receiver trail rewritten and re-chained afterwards is caught against it.
 */
class AuditAnchorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    private Receiver receiver;
    private Path root;
    private Path state;

    @BeforeEach
    void start() {
        root = tmp.resolve("root");
        state = tmp.resolve("sender-state");
        receiver = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), root));
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    private TargetResult push(String version, long seed) {
        Path src = TestTrees.textFile(tmp.resolve("src-" + seed + "/codes.txt"), 100_000, seed).getParent();
        return Skiff.push(src, "icd10cm", version, List.of(new HostPort("127.0.0.1", receiver.port())),
                PushOptions.defaults().withHistory(state).withRetries(0, Duration.ZERO), PushListener.NONE).targets().get(0);
    }

    @Test
    void shouldGiveTheSenderTheHeadOfTheTrailThatRecordedItsActivation() throws IOException {
        TargetResult first = push("2027-01", 1);
        TargetResult second = push("2027-02", 2);

        AuditReport receiverTrail = AuditVerifier.verify(root.resolve("audit"), null);
        AuditAnchor head = second.auditHead();
        assertNotNull(head);
        assertEquals(receiverTrail.trailId(), head.trail());
        assertEquals(receiverTrail.headSeq(), head.seq(), "the activation (and the prune) recorded before ACTIVATED");
        assertEquals(receiverTrail.headHash(), head.hash());
        assertEquals(1, first.auditHead().seq());
        List<JsonNode> sent = records(state.resolve("audit"));
        assertEquals(2, sent.size());
        assertEquals("push", sent.get(1).get("action").asText());
        assertEquals(second.target(), sent.get(1).get("target").asText());
        assertEquals(head.hash(), sent.get(1).get("audit_head").get("hash").asText());
        assertTrue(AuditVerifier.verify(state.resolve("audit"), null).intact(), "the sender's trail is a chain too");
    }

    @Test
    void shouldCatchAReceiverTrailRewrittenAfterTheSenderKeptItsHead() throws IOException {
        push("2027-01", 3);
        push("2027-02", 4);
        Path senderTrail = state.resolve("audit").resolve(AuditTrail.name(1));
        assertTrue(AuditVerifier.verify(root.resolve("audit"), senderTrail).intact());
        assertEquals(2, AuditVerifier.verify(root.resolve("audit"), senderTrail).anchors());

        // whoever can write the receiver's files: the first activation says another version, and the chain is rebuilt
        rewriteAndRechain(0, "\"version\":\"2027-01\"", "\"version\":\"2026-12\"");
        assertTrue(AuditVerifier.verify(root.resolve("audit"), null).intact(), "re-chained: the chain alone holds");

        AuditReport against = AuditVerifier.verify(root.resolve("audit"), senderTrail);

        assertFalse(against.intact());
        assertTrue(against.broken().reason().contains("no head in " + senderTrail + " names this trail"), against.broken().reason());
    }

    @Test
    void shouldCatchARewrittenLaterRecordByTheHashASenderKept() throws IOException {
        push("2027-01", 6);
        push("2027-02", 7);
        Path senderTrail = state.resolve("audit").resolve(AuditTrail.name(1));
        rewriteAndRechain(1, "\"version\":\"2027-02\"", "\"version\":\"2027-99\""); // record 1 kept: the trail keeps its name
        assertTrue(AuditVerifier.verify(root.resolve("audit"), null).intact(), "re-chained: the chain alone holds");

        AuditReport against = AuditVerifier.verify(root.resolve("audit"), senderTrail);

        assertFalse(against.intact());
        assertTrue(against.broken().reason().contains("a sender recorded"), against.broken().reason());
    }

    /** An activation counts only once the trail shows it: a trail that cannot be written sends the channel back. */
    @Test
    void shouldNotActivateWhatTheTrailCannotRecord() throws IOException {
        assertTrue(push("2027-01", 8).activated());
        Sha256 v1 = receiver.store().current("icd10cm").orElseThrow();
        Path file = root.resolve("audit").resolve(AuditTrail.name(1));
        Files.delete(file);
        Files.createDirectory(file); // the trail's file cannot be appended to

        TargetResult refused = push("2027-02", 9);

        assertEquals(ErrorCode.STORAGE_FAILURE, refused.code(), refused.error());
        assertTrue(refused.error().contains("icd10cm 2027-02 was not activated: the audit trail could not record it"), refused.error());
        assertEquals(v1, receiver.store().current("icd10cm").orElseThrow(), "switched back to what the trail shows");
    }

    /** A sender that said protocol 3 gets no AUDIT_HEAD (it would not know the frame); one that said 4 gets it before the ERROR. */
    @Test
    void shouldSendTheHeadOnlyToSendersThatSpeakProtocol4() throws IOException {
        push("2027-01", 5);
        OfferFrame refused = new OfferFrame(Sha256.digest(new byte[]{1}), 100, "audit", "v"); // a reserved channel name: refused, recorded

        List<Object> old;
        try (RawClient v3 = new RawClient(receiver.port())) {
            old = v3.send(new HelloFrame(3, "old-sender")).send(refused).readUntilClosed();
        }
        List<Object> current;
        try (RawClient v4 = new RawClient(receiver.port())) {
            current = v4.send(new HelloFrame(4, "sender")).send(refused).readUntilClosed();
        }

        assertEquals(1, old.size(), old.toString());
        assertEquals(ErrorCode.MANIFEST_INVALID, assertInstanceOf(ErrorFrame.class, old.get(0)).code());
        assertEquals(2, current.size(), current.toString());
        AuditHeadFrame head = assertInstanceOf(AuditHeadFrame.class, current.get(0));
        assertInstanceOf(ErrorFrame.class, current.get(1));
        AuditReport trail = AuditVerifier.verify(root.resolve("audit"), null);
        assertEquals(trail.headSeq(), head.seq(), "the refusal just recorded");
        assertEquals(trail.headHash(), head.hash().hex());
    }

    /**
     * What whoever can write the receiver's files can do: replace {@code from} with {@code to} in every record
     * from index {@code first} on, and rebuild the chain and HEAD after them, so the chain alone holds.
     */
    private void rewriteAndRechain(int first, String from, String to) throws IOException {
        Path file = root.resolve("audit").resolve(AuditTrail.name(1));
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String> forged = new ArrayList<>(lines.subList(0, first));
        String prev = first == 0 ? AuditTrail.GENESIS : Sha256.digest(lines.get(first - 1).getBytes(StandardCharsets.UTF_8)).hex();
        for (String line : lines.subList(first, lines.size())) {
            String edited = line.replace(from, to).replaceAll("\"prev\":\"[0-9a-f]{64}\"", "\"prev\":\"" + prev + "\"");
            forged.add(edited);
            prev = Sha256.digest(edited.getBytes(StandardCharsets.UTF_8)).hex();
        }
        Files.write(file, forged, StandardCharsets.UTF_8);
        Files.writeString(root.resolve("audit").resolve(AuditTrail.HEAD_FILE), forged.size() + " " + prev + "\n");
    }

    private static List<JsonNode> records(Path dir) {
        List<JsonNode> records = new ArrayList<>();
        AuditRecords.forEach(dir, line -> records.add(line.json()));
        return records;
    }
}
