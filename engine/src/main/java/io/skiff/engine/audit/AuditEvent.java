package io.skiff.engine.audit;

import java.util.List;
import java.util.Objects;

/**
 * What happened, as the part of the system that saw it reports it; the trail adds the record number,
 * the time and the link to the record before. Fields a kind of event does not have are null.
 *
 * @param action    what was done or tried: {@code activate}, {@code prune}, {@code offer-refused}, {@code remove-staging}, ...
 * @param actor     who asked (see {@link Actor})
 * @param channel   the channel; {@code tenant} its tenant (null: untenanted)
 * @param version   the release's version label; {@code releaseId} its id (hex)
 * @param signers   key ids (hex) of the publisher signatures the release was accepted with
 * @param bytes     bytes involved (a release's size, what a removal freed)
 * @param outcome   {@code ok}, {@code refused} or {@code failed}
 * @param reason    why, for anything but {@code ok}: the error code's label and its message
 * @param target    a sender's record: the receiver pushed to; null otherwise
 * @param targetHead a sender's record: where the target's audit trail stood as it answered; null when it did not say
 */
public record AuditEvent(String action, Actor actor, String channel, String tenant, String version, String releaseId,
                         List<String> signers, Long bytes, String outcome, String reason, String target, AuditHead targetHead) {
    public static final String OK = "ok";
    public static final String REFUSED = "refused";
    public static final String FAILED = "failed";

    public AuditEvent {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(outcome, "outcome");
        signers = signers == null ? List.of() : List.copyOf(signers);
    }

    /** An event about a release of a channel, outcome ok; the withers fill in the rest. */
    public static AuditEvent of(String action, Actor actor, String channel, String version, String releaseId) {
        return new AuditEvent(action, actor, channel, null, version, releaseId, List.of(), null, OK, null, null, null);
    }

    public AuditEvent withTenant(String name) {
        return new AuditEvent(action, actor, channel, name, version, releaseId, signers, bytes, outcome, reason, target, targetHead);
    }

    public AuditEvent withSigners(List<String> keyIds) {
        return new AuditEvent(action, actor, channel, tenant, version, releaseId, keyIds, bytes, outcome, reason, target, targetHead);
    }

    public AuditEvent withBytes(long count) {
        return new AuditEvent(action, actor, channel, tenant, version, releaseId, signers, count, outcome, reason, target, targetHead);
    }

    /** A sender's record of one target: its address, and the head its trail said (null: none). */
    public AuditEvent withTarget(String address, AuditHead head) {
        return new AuditEvent(action, actor, channel, tenant, version, releaseId, signers, bytes, outcome, reason, address, head);
    }

    /** Outcome {@code outcome} (refused, failed) for {@code why}. */
    public AuditEvent withOutcome(String result, String why) {
        return new AuditEvent(action, actor, channel, tenant, version, releaseId, signers, bytes, result, why, target, targetHead);
    }
}
