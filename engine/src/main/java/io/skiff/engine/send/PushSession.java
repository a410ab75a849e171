package io.skiff.engine.send;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.skiff.engine.api.AuditAnchor;
import io.skiff.engine.api.PushListener;
import io.skiff.engine.api.TargetResult;
import io.skiff.engine.encode.ReleaseEncodings;
import io.skiff.engine.transport.WireByteCounter;
import io.skiff.protocol.AccessException;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.frame.ActivatedFrame;
import io.skiff.protocol.frame.AuditHeadFrame;
import io.skiff.protocol.frame.BaseFrame;
import io.skiff.protocol.frame.CommitFrame;
import io.skiff.protocol.frame.DecodeFailure;
import io.skiff.protocol.frame.ErrorFrame;
import io.skiff.protocol.frame.FrameDescriptor;
import io.skiff.protocol.frame.HelloFrame;
import io.skiff.protocol.frame.ManifestPartFrame;
import io.skiff.protocol.frame.OfferFrame;
import io.skiff.protocol.frame.OfferReplyFrame;
import io.skiff.protocol.frame.RefetchFrame;
import io.skiff.protocol.frame.RelayFrame;
import io.skiff.protocol.frame.RelayStatusFrame;
import io.skiff.protocol.frame.WantFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The sender's side of one target, as a state machine on the channel's event loop:
 *
 * <pre>
 * OFFERED        --OFFER_REPLY(already active)--------------------------> DONE (or AWAIT_RELAYED)
 * OFFERED        --OFFER_REPLY(send manifest | manifest known)----------> CHOOSING_BASE
 * CHOOSING_BASE  --base chosen on an encoder: BASE, MANIFEST_PART...-----> AWAIT_WANT
 * AWAIT_WANT     --WANT: extra streams open, chunks flow----------------> STREAMING
 * STREAMING      --every wanted chunk written: COMMIT-------------------> COMMITTED
 * STREAMING, COMMITTED --REFETCH: those chunks again--------------------> (same)
 * COMMITTED      --ACTIVATED------------------------------------------> DONE (or AWAIT_RELAYED)
 * AWAIT_RELAYED  --the last target's RELAY_STATUS outcome-----------------> DONE
 * AWAIT_RELAYED  --any failure: the relay's own (held) result, activated--> DONE
 * any other      --ERROR, bad bytes, wrong frame, close, idle, exception--> DONE (failed)
 * </pre>
 *
 * What goes out when is the {@link ChunkPump}'s (in order, at most {@code maxInFlight} on the shared
 * encoder pool, only while a connection is writable, so a slow target holds a bounded amount of memory
 * and never slows the others); over which connection, {@link ParallelStreams}'; a relay's reports on
 * its targets, {@link RelayReports}'; what the result counts, {@link TransferCounters}'.
 *
 * <p>When the target is its region's relay, RELAY goes before OFFER, and the session stays open after
 * ACTIVATED until the relay has reported every one of its targets. When this session runs on a relay,
 * a {@link ChunkGate} holds back chunks the relay has not verified yet.
 *
 * <p>Buffer ownership: every frame read is released here; prepared chunks are the {@link ChunkPump}'s.
 */
public final class PushSession extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(PushSession.class);

    private enum State { OFFERED, CHOOSING_BASE, AWAIT_WANT, STREAMING, COMMITTED, AWAIT_RELAYED, DONE }

    /** Bytes of one RAW_RUN at most ({@link ChunkPump#MAX_RUN_BYTES}, why that much). */
    public static final int MAX_RUN_BYTES = ChunkPump.MAX_RUN_BYTES;

    private final String target;
    private final Manifest manifest;
    private final Executor encoders;
    private final DeltaBaseChoice baseChoice;
    private final int maxInFlight;
    private final String senderName;
    private final PushListener listener;
    private final ChunkGate gate;
    private final RelayReports.Role relayRole;
    /** The relay's reports; null when the target does not relay. */
    private final RelayReports relayReports;
    private final ParallelStreams streams;
    private final TransferCounters counters;
    private final CompletableFuture<TargetResult> result = new CompletableFuture<>();
    private final Collaborators collaborators = new Collaborators();

    private State state = State.OFFERED;
    /** Where the target's audit trail stood as it answered (AUDIT_HEAD, protocol 4); null until it says. */
    private AuditAnchor auditHead;
    /** The protocol said in HELLO; RAW_RUN only from {@link FrameDescriptor#RAW_RUN_SINCE}. */
    private int protocol = FrameDescriptor.PROTOCOL_VERSION;
    private Channel channel;
    private ReleaseEncodings.Delta delta;
    private TrustFrames trust = TrustFrames.NONE;
    /** From WANT on: what goes out next. */
    private ChunkPump pump;

    /**
     * @param gate      chunks this sender may send yet (on a relay); null: all
     * @param relayRole the target relays to these targets; null: it does not
     * @param streams   connections to spread the chunks over, this one included
     * @param streamOpener opens the extra ones; null when {@code streams} is 1
     */
    public PushSession(String target, Manifest manifest, Executor encoders, ReleaseEncodings encodings, int maxInFlight,
                String senderName, PushListener listener, WireByteCounter counter, ChunkGate gate, RelayReports.Role relayRole,
                int streams, ParallelStreams.Opener streamOpener) {
        this.target = target;
        this.manifest = manifest;
        this.encoders = encoders;
        this.baseChoice = new DeltaBaseChoice(encodings, encoders);
        this.maxInFlight = maxInFlight;
        this.senderName = senderName;
        this.listener = listener;
        this.gate = gate;
        this.relayRole = relayRole;
        this.relayReports = relayRole == null ? null : new RelayReports(relayRole);
        this.streams = new ParallelStreams(target, manifest, senderName, streams, streamOpener, collaborators);
        this.counters = new TransferCounters(target, manifest.chunks().count(), counter);
    }

    public CompletableFuture<TargetResult> result() {
        return result;
    }

    /**
     * Speaks protocol {@code version} (said in HELLO) instead of this side's own: an origin answers a
     * follower in the protocol the follower said, so an older follower gets no RAW_RUN. Before {@link #start}.
     */
    public PushSession speaking(int version) {
        this.protocol = version;
        return this;
    }

    /** Sends {@code frames} (key rotations, the publisher's signatures) before the OFFER. Before {@link #start}. */
    public PushSession signedWith(TrustFrames frames) {
        this.trust = frames;
        return this;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    /** HELLO and OFFER: from channelActive, or by an origin that installs this session on a follower's connection. */
    public void start(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        ctx.write(new HelloFrame(protocol, senderName));
        if (relayRole != null) {
            ctx.write(new RelayFrame(relayRole.targets()));
        }
        trust.writeTo(ctx);
        ctx.writeAndFlush(new OfferFrame(manifest.releaseId(), manifest.canonicalLength(), manifest.channel(), manifest.version()));
        LOG.info("{} connected, offered {} {} ({})", target, manifest.channel(), manifest.version(), manifest.releaseId().shortHex());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (state == State.DONE) {
                return;
            }
            if (msg instanceof DecodeFailure failure) {
                fail(failure.code(), "bad bytes from target: " + failure.message());
            } else if (msg instanceof ErrorFrame error) {
                fail(error.code(), error.message());
            } else if (msg instanceof AuditHeadFrame head) {
                auditHead = new AuditAnchor(head.trail().hex(), head.seq(), head.hash().hex()); // the ACTIVATED or ERROR follows
            } else if (relayReports != null && msg instanceof RelayStatusFrame status) {
                onRelayStatus(status);
            } else if (state == State.OFFERED && msg instanceof OfferReplyFrame reply) {
                onOfferReply(ctx, reply);
            } else if (state == State.AWAIT_WANT && msg instanceof WantFrame want) {
                onWant(want);
            } else if ((state == State.STREAMING || state == State.COMMITTED) && msg instanceof RefetchFrame r) {
                onRefetch(r);
            } else if (state == State.COMMITTED && msg instanceof ActivatedFrame activated) {
                onActivated(activated);
            } else {
                fail(ErrorCode.UNEXPECTED_FRAME, "unexpected " + msg.getClass().getSimpleName() + " in state " + state);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** OFFERED: the target has the release already, or wants it (then a base is chosen on an encoder). */
    private void onOfferReply(ChannelHandlerContext ctx, OfferReplyFrame reply) {
        if (reply.decision() == OfferReplyFrame.Decision.ALREADY_ACTIVE) {
            activated(true, 0); // a relay still forwards it
            return;
        }
        state = State.CHOOSING_BASE;
        baseChoice.choose(reply.bases(), channel.eventLoop(), chosen -> sendBase(ctx, reply, chosen), this::fail);
    }

    /** CHOOSING_BASE, on the event loop: BASE, and the manifest encoded against that base unless the target knows it. */
    private void sendBase(ChannelHandlerContext ctx, OfferReplyFrame reply, ReleaseEncodings.Delta chosen) {
        if (state != State.CHOOSING_BASE) {
            return; // failed or closed meanwhile
        }
        delta = chosen;
        if (reply.decision() == OfferReplyFrame.Decision.MANIFEST_KNOWN) {
            ctx.writeAndFlush(new BaseFrame(delta.baseId(), BaseFrame.ManifestEncoding.PLAIN, 0));
        } else {
            byte[] bytes = delta.encodedManifest();
            ctx.write(new BaseFrame(delta.baseId(), delta.manifestEncoding(), bytes.length));
            for (int from = 0; from < bytes.length; from += FrameDescriptor.MANIFEST_PART_BYTES) {
                int to = Math.min(bytes.length, from + FrameDescriptor.MANIFEST_PART_BYTES);
                ctx.write(new ManifestPartFrame(Arrays.copyOfRange(bytes, from, to)));
            }
            ctx.flush();
            counters.manifestSent(bytes.length);
        }
        LOG.info("{} holds {} base(s); delta base {}, manifest {} bytes as {}", target, reply.bases().size(),
                delta.baseId() == null ? "none" : delta.baseId().shortHex(), counters.manifestBytes(), delta.manifestEncoding());
        state = State.AWAIT_WANT;
    }

    /** AWAIT_WANT: the chunks the target lacks start flowing, over as many streams as they are worth. */
    private void onWant(WantFrame want) {
        if (want.chunkCount() != manifest.chunks().count()) {
            fail(ErrorCode.UNEXPECTED_FRAME, "WANT for " + want.chunkCount() + " chunks, manifest has " + manifest.chunks().count());
            return;
        }
        BitSet wanted = want.wanted();
        long bytesWanted = 0;
        for (int o = wanted.nextSetBit(0); o >= 0; o = wanted.nextSetBit(o + 1)) {
            bytesWanted += manifest.chunks().length(o);
        }
        listener.planned(target, wanted.cardinality(), bytesWanted);
        state = State.STREAMING;
        pump = new ChunkPump(target, manifest, delta, wanted, gate, encoders, maxInFlight, protocol, streams, counters, listener,
                channel.eventLoop(), collaborators);
        streams.open(channel, wanted.cardinality(), protocol);
        pump.pump();
    }

    /** STREAMING or COMMITTED: chunks whose reference did not decode go again, without one. */
    private void onRefetch(RefetchFrame r) {
        for (int ordinal : r.ordinals()) {
            if (!pump.wanted(ordinal)) {
                fail(ErrorCode.UNEXPECTED_FRAME, "target asked again for chunk ordinal=" + ordinal + ", which it did not want");
                return;
            }
            pump.sendAgain(ordinal);
        }
        counters.refetched(r.ordinals().length);
        LOG.debug("{} could not use the reference of {} chunk(s); sending them without", target, r.ordinals().length);
        pump.pump();
    }

    /** STREAMING, every wanted chunk written: COMMIT on the first connection; the extra streams are done. */
    private void commit() {
        state = State.COMMITTED;
        channel.writeAndFlush(new CommitFrame(manifest.releaseId()));
        streams.closeWhenWritten();
    }

    /** COMMITTED: the target swapped the release in. */
    private void onActivated(ActivatedFrame activated) {
        if (!activated.releaseId().equals(manifest.releaseId())) {
            fail(ErrorCode.UNEXPECTED_FRAME, "target activated " + activated.releaseId().shortHex());
        } else {
            activated(false, activated.chunksCopiedLocally());
        }
    }

    /** The target activated; a relay's push ends when it has also reported on every one of its targets. */
    private void activated(boolean alreadyActive, int copiedLocally) {
        if (relayReports == null || relayReports.allReported()) {
            succeed(alreadyActive, copiedLocally);
            return;
        }
        relayReports.holdOutcome(alreadyActive, copiedLocally);
        state = State.AWAIT_RELAYED;
    }

    /** Any state but DONE: a relay's report on one of its targets; the last outcome ends AWAIT_RELAYED. */
    private void onRelayStatus(RelayStatusFrame status) {
        if (!relayReports.accept(status)) {
            fail(ErrorCode.UNEXPECTED_FRAME, relayReports.rejection(status));
            return;
        }
        if (state == State.AWAIT_RELAYED && relayReports.allReported()) {
            succeed(relayReports.heldAlreadyActive(), relayReports.heldCopiedLocally());
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (channel.isWritable()) {
            collaborators.pump();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            fail(ErrorCode.CONNECTION_LOST, "no traffic from target in state " + state + " within the idle timeout");
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof AccessException refused) { // TLS failed: say why, not just that the connection went
            fail(refused.code(), refused.getMessage());
            return;
        }
        fail(ErrorCode.CONNECTION_LOST, "connection error: " + cause.getMessage());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(ErrorCode.CONNECTION_LOST, "connection closed by target during " + state.name().toLowerCase(Locale.ROOT));
        ctx.fireChannelInactive();
    }

    private void succeed(boolean alreadyActive, int copiedLocally) {
        finish(counters.activated(alreadyActive, copiedLocally, baseId()).withAuditHead(auditHead));
    }

    private void fail(ErrorCode code, String message) {
        if (state == State.DONE) {
            return;
        }
        if (state == State.AWAIT_RELAYED) { // the relay itself activated; its unreported targets are the caller's to retry
            LOG.warn("{} activated but stopped reporting on its targets: {} {}", target, code.label(), message);
            succeed(relayReports.heldAlreadyActive(), relayReports.heldCopiedLocally());
            return;
        }
        finish(counters.failed(code, message, baseId()).withAuditHead(auditHead));
    }

    private Sha256 baseId() {
        return delta == null ? null : delta.baseId();
    }

    private void finish(TargetResult r) {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        streams.closeAll();
        if (r.activated()) {
            int refetched = counters.chunksRefetched();
            LOG.info("{} activated {} ({}) in {}s, {} bytes on wire{}", target, manifest.version(), manifest.releaseId().shortHex(),
                    String.format(Locale.ROOT, "%.2f", r.seconds()), r.bytesWire(),
                    refetched == 0 ? "" : ", " + refetched + " chunk(s) sent again: the target's base did not verify");
        } else {
            LOG.warn("{} failed: {} {}", target, r.code().label(), r.error());
        }
        if (channel != null) {
            // completes after the socket is closed, so a caller that moves on finds no I/O left running
            channel.close().addListener((ChannelFutureListener) f -> result.complete(r));
        } else {
            result.complete(r);
        }
    }

    /** What the pump and the streams may ask of this session; kept off its public face. */
    private final class Collaborators implements ChunkPump.Owner, ParallelStreams.Owner {
        @Override
        public boolean pumping() {
            return state == State.STREAMING || state == State.COMMITTED;
        }

        @Override
        public boolean streaming() {
            return state == State.STREAMING;
        }

        @Override
        public void pump() {
            if (pump != null) {
                pump.pump();
            }
        }

        @Override
        public void allWritten() {
            commit();
        }

        @Override
        public void fail(ErrorCode code, String message) {
            PushSession.this.fail(code, message);
        }
    }
}
