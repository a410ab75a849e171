package io.skiff.protocol.frame;

import io.skiff.protocol.Sha256;

import java.util.Objects;

/**
 * Where the receiver's audit trail stands as it answers (protocol 4): sent right before ACTIVATED, and
 * before the ERROR of a refusal it recorded, to a sender that said protocol 4 or later. The sender keeps
 * it; a trail rewritten later no longer holds record {@code seq} with hash {@code hash} ({@code skiff
 * audit verify --against}).
 *
 * @param trail the hash of the trail's first record, which names the trail
 * @param seq   the number of its last record
 * @param hash  the SHA-256 of that record's line
 */
public record AuditHeadFrame(Sha256 trail, long seq, Sha256 hash) implements Frame {
    public AuditHeadFrame {
        Objects.requireNonNull(trail, "trail");
        Objects.requireNonNull(hash, "hash");
        if (seq < 1) {
            throw new IllegalArgumentException("seq=" + seq);
        }
    }

    @Override
    public FrameType type() {
        return FrameType.AUDIT_HEAD;
    }
}
