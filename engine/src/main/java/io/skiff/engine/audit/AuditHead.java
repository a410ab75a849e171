package io.skiff.engine.audit;

/**
 * Where a trail stands: its last record's number and the SHA-256 (hex) of that record's line. A sender
 * keeps the heads a receiver tells it; a later trail must still hold those records with those hashes.
 */
public record AuditHead(long seq, String hash) {
    public static final AuditHead EMPTY = new AuditHead(0, AuditTrail.GENESIS);
}
