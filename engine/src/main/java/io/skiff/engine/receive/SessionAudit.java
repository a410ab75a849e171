package io.skiff.engine.receive;

import io.netty.channel.ChannelHandlerContext;
import io.skiff.engine.audit.Actor;
import io.skiff.engine.audit.AuditHead;
import io.skiff.engine.audit.AuditEvent;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.frame.AuditHeadFrame;
import io.skiff.protocol.frame.OfferFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a session's failure leaves in the audit trail: an offer refused (not authorized, untrusted, rolled
 * back, over quota, an invalid manifest, no room), or a transfer that failed (a chunk or file that did not
 * verify, the disk). Cuts and BUSY are not recorded: the sender retries them, and they change nothing. A
 * failed smoke test is recorded by {@link Activation} with its rollback.
 * Activations are recorded by the store, as part of the switch.
 */
final class SessionAudit {
    private static final Logger LOG = LoggerFactory.getLogger(ReceiveSession.class);

    private SessionAudit() {
    }

    /**
     * @param store     the tenant's store once the OFFER was admitted, else null (recorded untenanted)
     * @param admission who the peer is, null before HELLO
     * @param offer     the offer, null before one
     * @param receiving whether chunks were being taken (a failed transfer) or not yet (a refused offer)
     */
    static void failed(ChannelHandlerContext ctx, SessionContext context, ReleaseStore store, Admission admission, OfferFrame offer,
                       boolean receiving, ErrorCode code, String message) {
        if (code == ErrorCode.CONNECTION_LOST || code == ErrorCode.BUSY || code == ErrorCode.SMOKE_FAILED) {
            if (code == ErrorCode.SMOKE_FAILED) {
                sendHead(ctx, context, admission); // Activation recorded the failure and the rollback
            }
            return;
        }
        Actor actor = admission == null ? new Actor(Actor.PLAINTEXT, null) : admission.actor();
        AuditEvent event = AuditEvent.of(receiving ? "transfer-failed" : "offer-refused", actor,
                        offer == null ? null : offer.channel(), offer == null ? null : offer.version(),
                        offer == null ? null : offer.releaseId().hex())
                .withOutcome(receiving ? AuditEvent.FAILED : AuditEvent.REFUSED, code.label() + ": " + message);
        try {
            if (store != null) {
                store.record(event);
            } else {
                context.stores().untenanted().record(event);
            }
            sendHead(ctx, context, admission); // before the ERROR that ErrorReply flushes
        } catch (RuntimeException e) {
            LOG.error("could not record in the audit trail that {}: {}", event.reason(), e.getMessage());
        }
    }

    /**
     * Writes (without flushing) where the trail stands, to a peer that takes it: right before ACTIVATED,
     * and before a recorded refusal's ERROR. The sender keeps it as evidence against a rewritten trail.
     */
    static void sendHead(ChannelHandlerContext ctx, SessionContext context, Admission admission) {
        if (admission == null || !admission.takesAuditHead()) {
            return;
        }
        AuditHead head = context.stores().audit().head();
        if (head.seq() > 0 && head.trail() != null) {
            ctx.write(new AuditHeadFrame(Sha256.parseHex(head.trail()), head.seq(), Sha256.parseHex(head.hash())));
        }
    }
}
