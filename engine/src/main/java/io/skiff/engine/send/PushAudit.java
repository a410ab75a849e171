package io.skiff.engine.send;

import io.skiff.engine.api.TargetResult;
import io.skiff.engine.audit.Actor;
import io.skiff.engine.audit.AuditEvent;
import io.skiff.engine.audit.AuditHead;
import io.skiff.engine.audit.AuditTrail;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.SignedRelease;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;

/**
 * The sender's own audit trail, {@code <state dir>/audit} (the state directory being the push history's):
 * one {@code push} record per target, with what it answered and the head of its audit trail. Those heads
 * are what {@code skiff audit verify --against} checks a receiver's trail with, so a receiver's trail
 * rewritten after the fact no longer agrees with what its senders were told.
 */
final class PushAudit {
    static final String DIR = "audit";
    private static final Logger LOG = LoggerFactory.getLogger(PushAudit.class);

    private PushAudit() {
    }

    /** Records every one of {@code results}; a trail that cannot be written costs a warning, not the push (it is over). */
    static void record(Path stateDir, Manifest manifest, SignedRelease signed, List<TargetResult> results) {
        try {
            AuditTrail trail = AuditTrail.open(stateDir.resolve(DIR));
            List<String> signers = signed == null ? List.of() : signed.signatures().stream().map(s -> s.keyId().hex()).toList();
            for (TargetResult r : results) {
                AuditEvent event = AuditEvent.of("push", Actor.operator(), manifest.channel(), manifest.version(), manifest.releaseId().hex())
                        .withSigners(signers).withBytes(r.bytesWire())
                        .withTarget(r.target(), r.auditHead() == null ? null
                                : new AuditHead(r.auditHead().trail(), r.auditHead().seq(), r.auditHead().hash()));
                if (!r.activated()) {
                    event = event.withOutcome(AuditEvent.FAILED, (r.code() == null ? "" : r.code().label() + ": ") + r.error());
                }
                trail.append(event);
            }
        } catch (RuntimeException e) {
            LOG.warn("could not record the push of {} {} in the sender's audit trail under {}: {}", manifest.channel(), manifest.version(),
                    stateDir, e.getMessage());
        }
    }
}
