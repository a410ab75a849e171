package io.skiff.engine.audit;

/**
 * Where a trail stands: its last record's number and the SHA-256 (hex) of that record's line, and the
 * trail's name, the hash of its first record (null while it has none). A sender keeps the heads a
 * receiver tells it; a later trail must still hold those records with those hashes.
 */
public record AuditHead(String trail, long seq, String hash) {
    public static final AuditHead EMPTY = new AuditHead(null, 0, AuditTrail.GENESIS);

    AuditHead withTrail(String name) {
        return new AuditHead(name, seq, hash);
    }
}
