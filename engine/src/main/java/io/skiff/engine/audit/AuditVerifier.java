package io.skiff.engine.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.skiff.engine.api.AuditReport;
import io.skiff.protocol.StorageException;
import io.skiff.protocol.UsageException;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a trail end to end: every line a record, numbered 1, 2, 3, ... across files, each naming the
 * SHA-256 of the line before it ({@link AuditTrail#GENESIS} for the first); {@code HEAD} not beyond the
 * last record; and, given heads that senders recorded ({@code --against}), the records they name still
 * there with the same hashes (and at least one of them names this trail), which catches a trail rewritten and
 * re-chained after the fact. Reports the
 * first break only: everything after it is suspect.
 */
public final class AuditVerifier {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditVerifier() {
    }

    /** Verifies the trail in {@code dir}; {@code anchorsFile} (null: none) holds heads senders recorded. */
    public static AuditReport verify(Path dir, Path anchorsFile) {
        List<Anchor> anchors = anchorsFile == null ? List.of() : anchors(anchorsFile);
        Walk walk = new Walk(anchors);
        AuditRecords.forEach(dir, walk::check);
        List<String> warnings = new ArrayList<>(walk.notRecords);
        AuditReport.Broken broken = walk.broken;
        if (broken == null) {
            broken = checkHead(dir, walk, warnings);
        }
        int checked = 0;
        if (broken == null && !anchors.isEmpty()) {
            for (Anchor a : anchors) {
                if (!a.trail().equals(walk.trailId)) {
                    continue;
                }
                checked++;
                if (a.seq() > walk.lastSeq) {
                    broken = new AuditReport.Broken(dir.toString(), -1, a.seq(), "a sender recorded record " + a.seq() + " (" + a.hash()
                            + ") and the trail ends at record " + walk.lastSeq + ": records were removed from the end");
                    break;
                }
            }
            if (broken == null && walk.anchorMismatch != null) {
                broken = walk.anchorMismatch;
            }
            if (broken == null && checked == 0) { // a rewritten first record renames the trail: no head a sender kept names it then
                broken = new AuditReport.Broken(dir.toString(), -1, -1, "no head in " + anchorsFile + " names this trail (" + walk.trailId
                        + "): its first record was rewritten, or the heads are another receiver's");
            }
        }
        return new AuditReport(walk.records, walk.lastSeq, walk.lastHash, walk.trailId, broken, checked, warnings);
    }

    private static AuditReport.Broken checkHead(Path dir, Walk walk, List<String> warnings) {
        String head;
        try {
            head = Files.readString(dir.resolve(AuditTrail.HEAD_FILE), StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            if (walk.records > 0) {
                warnings.add("no " + AuditTrail.HEAD_FILE + " file: cannot tell whether records were cut off the end");
            }
            return null;
        } catch (IOException e) {
            throw new StorageException("read " + dir.resolve(AuditTrail.HEAD_FILE), e);
        }
        String[] parts = head.split(" ");
        long seq;
        try {
            seq = Long.parseLong(parts[0]);
        } catch (NumberFormatException e) {
            return new AuditReport.Broken(dir.resolve(AuditTrail.HEAD_FILE).toString(), 1, -1, "HEAD is not '<record> <hash>': " + head);
        }
        if (seq > walk.lastSeq) {
            return new AuditReport.Broken(dir.resolve(AuditTrail.HEAD_FILE).toString(), 1, seq, "HEAD names record " + seq
                    + " and the trail ends at record " + walk.lastSeq + ": records were removed from the end");
        }
        if (seq == walk.lastSeq && parts.length > 1 && !parts[1].equals(walk.lastHash)) {
            return new AuditReport.Broken(dir.resolve(AuditTrail.HEAD_FILE).toString(), 1, seq, "HEAD names record " + seq + " with hash "
                    + parts[1] + ", the trail's record " + seq + " hashes to " + walk.lastHash + ": the last record was changed");
        }
        if (seq < walk.lastSeq) {
            warnings.add("HEAD names record " + seq + ", the trail goes on to " + walk.lastSeq
                    + " (the writer stopped between a record and HEAD)");
        }
        return null;
    }

    /** The chain, one line at a time. */
    private static final class Walk {
        /** By trail and record number: a sender's file may hold heads of many receivers' trails. */
        private final Map<String, Anchor> anchorsBySeq = new HashMap<>();
        long records;
        long lastSeq;
        String lastHash = AuditTrail.GENESIS;
        String trailId;
        AuditReport.Broken broken;
        AuditReport.Broken anchorMismatch;
        final List<String> notRecords = new ArrayList<>();

        Walk(List<Anchor> anchors) {
            for (Anchor a : anchors) {
                anchorsBySeq.put(a.trail() + " " + a.seq(), a);
            }
        }

        void check(AuditRecords.Line line) {
            if (broken != null) {
                return;
            }
            String where = line.file().getFileName().toString();
            if (line.bytes() == null || line.json() == null) {
                // Not a record: what a write cut short by a crash leaves (the writer goes on on the next line). Any record
                // replaced by it, or removed with it, still breaks the chain at the record after, so it is noted, not a break.
                notRecords.add(where + " line " + line.number() + " is not a record" + (line.complete()
                        ? " (a write cut short by a crash, or an insertion); the chain goes on over it"
                        : " (the last line is incomplete: the writer stopped while writing it, or the file was cut)"));
                return;
            }
            long seq = line.seq();
            if (seq != lastSeq + 1) {
                broken = new AuditReport.Broken(where, line.number(), seq, "record " + seq + " where record " + (lastSeq + 1)
                        + " belongs: records were removed or reordered");
                return;
            }
            String prev = line.json().path("prev").asText(null);
            if (!lastHash.equals(prev)) {
                broken = new AuditReport.Broken(where, line.number(), seq, seq == 1 ? "the first record does not start the chain"
                        : "record " + seq + " does not follow record " + lastSeq + " (it names " + prev + ", record " + lastSeq
                        + " hashes to " + lastHash + "): record " + lastSeq + " was changed, or records were removed");
                return;
            }
            records++;
            lastSeq = seq;
            lastHash = line.hash();
            if (seq == 1) {
                trailId = lastHash;
            }
            Anchor anchor = anchorsBySeq.get(trailId + " " + seq);
            if (anchor != null && !anchor.hash().equals(lastHash) && anchorMismatch == null) {
                anchorMismatch = new AuditReport.Broken(where, line.number(), seq, "record " + seq + " hashes to " + lastHash
                        + ", a sender recorded " + anchor.hash() + ": the trail was rewritten");
            }
        }
    }

    /** A head a sender recorded: which trail (its first record's hash), the record's number and hash. */
    record Anchor(String trail, long seq, String hash) {
    }

    /** Every {@code audit_head} object ({@code trail}, {@code seq}, {@code hash}) in a file of JSON values (lines or one document). */
    private static List<Anchor> anchors(Path file) {
        List<Anchor> anchors = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            var values = JSON.readerFor(JsonNode.class).readValues(in);
            while (values.hasNext()) {
                collect((JsonNode) values.next(), anchors);
            }
        } catch (IOException | RuntimeException e) {
            throw new UsageException("cannot read the heads in " + file + ": " + e.getMessage(), e);
        }
        return anchors;
    }

    private static void collect(JsonNode node, List<Anchor> into) {
        JsonNode head = node.get("audit_head");
        if (head != null && head.isObject() && head.hasNonNull("trail") && head.path("seq").canConvertToLong() && head.hasNonNull("hash")) {
            into.add(new Anchor(head.get("trail").asText(), head.get("seq").asLong(), head.get("hash").asText()));
        }
        for (JsonNode child : node) {
            if (child.isContainerNode()) {
                collect(child, into);
            }
        }
    }
}
