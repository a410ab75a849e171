package io.skiff.engine.receive;

import io.netty.channel.ChannelHandlerContext;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.SkiffException;
import io.skiff.protocol.frame.RelayFrame;

import java.util.BitSet;
import java.util.List;

/**
 * The relaying a RELAY frame asked of this receiver: the targets to forward the release to, checked when
 * the frame arrives (REFUSED on a receiver that does not relay, MALFORMED for a bad target address), and
 * the {@link RelayForwarding} once it started (when the session knows what it already holds). Used on
 * the session's thread.
 */
final class RelayRequest {
    private final List<RelayFrame.Target> targets;
    /** What the sender sent before its OFFER (filled after this request, read when relaying starts). */
    private final ReceivedTrust rotations;
    /** Null until started. */
    private RelayForwarding forwarding;

    /** Whether the sender takes RELAY_STATUS with audit heads (it said protocol 4). */
    private final boolean senderTakesAuditHeads;

    private RelayRequest(List<RelayFrame.Target> targets, ReceivedTrust rotations, boolean senderTakesAuditHeads) {
        this.senderTakesAuditHeads = senderTakesAuditHeads;
        this.targets = targets;
        this.rotations = rotations;
    }

    /** {@code rotations}: the session's, forwarded to the targets as they are when relaying starts. */
    static RelayRequest of(RelayFrame r, ReceiverConfig config, Admission admission, ReceivedTrust rotations) {
        if (!config.relay()) {
            throw new SkiffException(ErrorCode.REFUSED, "this receiver does not relay (started with --no-relay)");
        }
        for (RelayFrame.Target t : r.targets()) {
            try {
                HostPort.parse(t.address());
            } catch (SkiffException e) {
                throw new ProtocolException(ErrorCode.MALFORMED, "RELAY target: " + e.getMessage());
            }
        }
        admission.admitRelayTargets(r.targets()); // relay_targets: a relay is no scanner of the networks it reaches
        return new RelayRequest(r.targets(), rotations, admission.takesAuditHead());
    }

    /** Starts relaying {@code manifest}'s release; {@code ready}: chunks already verified here. RELAY_STATUS goes to {@code ctx}. */
    RelayForwarding start(SessionContext.RelayStart relays, ReleaseStore store, ChannelHandlerContext ctx, Manifest manifest,
                          BitSet ready) {
        forwarding = relays.start(store, manifest, targets, ready,
                status -> ctx.writeAndFlush(senderTakesAuditHeads ? status : status.withoutAuditHead()), rotations.list());
        return forwarding;
    }

    /** Starts relaying the release active here: every chunk is ready, and it is activated. */
    void startActive(SessionContext.RelayStart relays, ReleaseStore store, ChannelHandlerContext ctx, Manifest active) {
        BitSet all = new BitSet();
        all.set(0, active.chunks().count());
        start(relays, store, ctx, active, all).activated();
    }

    /** The forwarding, or null when it has not started. */
    RelayForwarding forwarding() {
        return forwarding;
    }

    /** The release is activated here: the relay has every chunk. */
    void activated() {
        if (forwarding != null) {
            forwarding.activated();
        }
    }

    /** This receiver's own transfer ended: a no-op once activated, then the relay carries on by itself. */
    void abandon() {
        if (forwarding != null) {
            forwarding.abandon();
        }
    }
}
