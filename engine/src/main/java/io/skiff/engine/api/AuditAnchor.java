package io.skiff.engine.api;

/**
 * Where a target's audit trail stood when it answered a push: the trail's name (the hash of its first
 * record), its last record's number and that record's hash. Kept by the sender (its trail, {@code push
 * --json}), it is what {@code skiff audit verify --against} checks a receiver's trail with later.
 */
public record AuditAnchor(String trail, long seq, String hash) {
}
