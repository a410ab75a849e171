package io.skiff.engine.api;

import java.util.List;

/**
 * What {@code skiff audit verify} found in a trail.
 *
 * @param records  records read
 * @param headSeq  the last record's number; {@code headHash} its hash (hex); {@code trailId} the first record's hash, which names the trail
 * @param broken   the first record that breaks the chain, or null when it holds
 * @param anchors  heads recorded elsewhere (by senders) that name this trail and were checked
 * @param warnings what is worth knowing but breaks nothing (HEAD behind the last record after a crash)
 */
public record AuditReport(long records, long headSeq, String headHash, String trailId, Broken broken, int anchors, List<String> warnings) {
    public AuditReport {
        warnings = List.copyOf(warnings);
    }

    public boolean intact() {
        return broken == null;
    }

    /** Where the chain breaks: file, line (1-based), the record's number if it has one (else -1), and why. */
    public record Broken(String file, long line, long seq, String reason) {
    }
}
