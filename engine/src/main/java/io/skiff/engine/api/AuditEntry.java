package io.skiff.engine.api;

import java.util.List;

/**
 * One record of an audit trail, as {@code skiff audit show} prints it (fields as in docs/operations.md,
 * "Audit trail"); {@code line} is the record exactly as stored, for JSON output.
 */
public record AuditEntry(long seq, String time, String actor, String peer, String action, String channel, String tenant,
                         String version, String releaseId, List<String> signers, Long bytes, String outcome, String reason,
                         String line) {
    public AuditEntry {
        signers = List.copyOf(signers);
    }
}
