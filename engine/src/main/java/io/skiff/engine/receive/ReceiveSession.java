package io.skiff.engine.receive;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.frame.BaseFrame;
import io.skiff.protocol.frame.ChunkFrame;
import io.skiff.protocol.frame.CommitFrame;
import io.skiff.protocol.frame.DecodeFailure;
import io.skiff.protocol.frame.ErrorFrame;
import io.skiff.protocol.frame.Frame;
import io.skiff.protocol.frame.HelloFrame;
import io.skiff.protocol.frame.JoinFrame;
import io.skiff.protocol.frame.ManifestPartFrame;
import io.skiff.protocol.frame.OfferFrame;
import io.skiff.protocol.frame.RefetchFrame;
import io.skiff.protocol.frame.RelayFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiver's side of one connection, as a state machine: HELLO, OFFER, (MANIFEST), WANT, CHUNK...,
 * COMMIT, ACTIVATED. The work of each step is a collaborator's: {@link OfferAnswer} (OFFER_REPLY, BUSY),
 * {@link ChosenBase}, {@link ManifestReception} (MANIFEST_PART frames to a manifest), {@link StagedTransfer}
 * (staging, resume, local copies, WANT, journal), {@link ChunkVerification} (verifier hand-off, REFETCH),
 * {@link RelayRequest}, {@link StreamJoin}, {@link ErrorReply}; what they share comes in a {@link SessionContext}.
 *
 * <pre>
 * state      frame            next       answer
 * HELLO      HELLO            OFFER
 * OFFER      RELAY, JOIN      OFFER, STREAM   (RELAY and JOIN at most once, before OFFER)
 * OFFER      OFFER            COMMITTED  OFFER_REPLY already active
 *                             BASE       OFFER_REPLY send manifest / manifest known (+ bases)
 * BASE       BASE             MANIFEST, or RECEIVING with WANT when the manifest is known
 * MANIFEST   MANIFEST_PART    MANIFEST, or RECEIVING with WANT after the last part
 * RECEIVING  CHUNK            RECEIVING  REFETCH of a chunk the local base could not decode
 * RECEIVING  COMMIT           COMMITTED  ACTIVATED (once every wanted chunk is written, and the smoke test passed)
 * STREAM     CHUNK            STREAM     (to the joined session; closes when that one is over)
 * any        ERROR            CLOSED     (the sender aborted: close)
 * any        anything else    CLOSED     ERROR (unexpected_frame, or the failure's code)
 * </pre>
 *
 * <p>Runs on a disk executor, not the event loop. It reports every message it is done with to the
 * {@link ReadAheadLimiter} in front of it, which pauses socket reads while too much is queued, so a
 * slow disk pushes back on the sender through TCP instead of queueing frames in memory.
 *
 * <p>Any failure becomes an ERROR frame and closes only this connection; staging is left for a retry
 * and {@code current} is untouched. Every received message is released here, in a {@code finally}.
 */
final class ReceiveSession extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ReceiveSession.class);

    /** STREAM: an extra stream of another session's transfer (JOIN), passing its chunks on. */
    private enum State { HELLO, OFFER, BASE, MANIFEST, RECEIVING, COMMITTED, STREAM, CLOSED }

    private final SessionContext context;
    private final ReadAheadLimiter readAhead;
    /** Written on this session's thread; volatile because an extra stream's thread reads it. */
    private volatile State state = State.HELLO;
    private String peer = "?";
    private OfferFrame offer;
    /** SIGNED and ROTATION frames before the OFFER, checked with it. */
    private final ReceivedTrust trustFrames = new ReceivedTrust();
    /** What this receiver answered the offer: the bases it offered, the manifest it knows. */
    private OfferAnswer answer;
    /** The transfer's key in the registry while this session holds it; null otherwise. */
    private String busyKey;
    /** The base the sender encodes against; null for none. */
    private ChosenBase base;
    private ManifestReception manifestReception;
    private StagedTransfer transfer;
    private ChunkVerification verification;
    /** When this session last read a frame or finished planning (the sender waits for WANT meanwhile). */
    private long lastActivityNanos = System.nanoTime();
    /** A COMMIT that arrived while chunks were still being verified; run when the last one is done. */
    private CommitFrame deferredCommit;
    /** The RELAY frame's request; null: this receiver is not a relay for this push. */
    private RelayRequest relayRequest;
    /** The transfer this connection joined as an extra stream (state STREAM). */
    private StreamJoin joined;
    /** This session's own context, for work handed to it by its extra streams. */
    private ChannelHandlerContext ownCtx;
    /** Who the peer is and what it may do; set at HELLO. */
    private Admission admission;
    /** The store of the admitted push's tenant; set at OFFER. */
    private ReleaseStore store;

    ReceiveSession(SessionContext context, ReadAheadLimiter readAhead) {
        this.context = context;
        this.readAhead = readAhead;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ownCtx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        peer = String.valueOf(ctx.channel().remoteAddress());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ChunkBatcher.ChunkBatch batch) {
            batch.forEach(chunk -> channelRead(ctx, chunk)); // each released there
            return;
        }
        if (verification != null && verification.hasOutcomes()) {
            verification.drain(); // chunks verified since the last wake-up: recorded in order, before what arrives now
        }
        boolean handedOff = false;
        lastActivityNanos = System.nanoTime();
        try {
            if (state == State.CLOSED) {
                return;
            }
            if (state == State.RECEIVING && msg instanceof ChunkFrame chunk) {
                verification.accept(ctx, chunk, readAhead);
                handedOff = true;
            } else if (state == State.STREAM && msg instanceof ChunkFrame chunk) {
                handedOff = joined.pass(chunk, readAhead);
                if (!handedOff || joined.over()) {
                    close(ctx); // the transfer it joined is over
                }
            } else if (msg instanceof DecodeFailure failure) {
                fail(ctx, failure.code(), failure.message());
            } else if (msg instanceof ErrorFrame error) {
                LOG.info("peer {} aborted: {} {}", peer, error.code().label(), error.message());
                close(ctx);
            } else {
                dispatch(ctx, msg);
            }
        } catch (RuntimeException e) {
            fail(ctx, e);
        } finally {
            if (!handedOff) {
                readAhead.processed(ReadAheadLimiter.sizeOf(msg)); // before release: the size reads the payload
            }
            ReferenceCountUtil.release(msg);
        }
    }

    private void dispatch(ChannelHandlerContext ctx, Object msg) {
        if (state == State.HELLO && msg instanceof HelloFrame hello) {
            admission = Admission.at(hello, ctx.pipeline(), context);
            peer = hello.peerName() + "@" + ctx.channel().remoteAddress() + (admission.identity() == null ? "" : "[" + admission.identity() + "]");
            state = State.OFFER;
        } else if (state == State.OFFER && relayRequest == null && msg instanceof RelayFrame r) {
            relayRequest = RelayRequest.of(r, context.config(), admission, trustFrames);
        } else if (state == State.OFFER && trustFrames.take(msg)) {
            LOG.debug("{} sent {}", peer, ((Frame) msg).type()); // kept for the OFFER
        } else if (state == State.OFFER && relayRequest == null && msg instanceof JoinFrame j) {
            joined = StreamJoin.of(context.transfers(), j, admission);
            state = State.STREAM;
            LOG.debug("{} joined the transfer of {} {} as an extra stream", peer, j.channel(), j.releaseId().shortHex());
        } else if (state == State.OFFER && msg instanceof OfferFrame o) {
            onOffer(ctx, o);
        } else if (state == State.BASE && msg instanceof BaseFrame b) {
            onBase(ctx, b);
        } else if (state == State.MANIFEST && msg instanceof ManifestPartFrame part) {
            Manifest manifest = manifestReception.accept(part);
            if (manifest != null) {
                manifestReception = null;
                startReceiving(ctx, manifest);
            }
        } else if (state == State.RECEIVING && msg instanceof CommitFrame commit) {
            onCommit(ctx, commit);
        } else {
            String what = msg instanceof Frame f ? f.type() + " frame" : msg.getClass().getSimpleName();
            throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME, "unexpected " + what + " in state " + state);
        }
    }

    /** The executor this session runs on: where its extra streams hand their chunks. */
    EventExecutor executor() {
        return ownCtx.executor();
    }

    /** On this session's thread: a chunk from an extra stream; returns whether the verifiers took it. */
    boolean takeFromStream(ChunkFrame chunk, ReadAheadLimiter streamReadAhead) {
        try {
            if (state == State.RECEIVING) {
                lastActivityNanos = System.nanoTime();
                verification.accept(ownCtx, chunk, streamReadAhead);
                return true;
            }
        } catch (RuntimeException e) {
            fail(ownCtx, e);
        }
        return false;
    }

    /** This transfer no longer takes chunks: streams that joined it can close. */
    boolean over() {
        State s = state;
        return s == State.CLOSED || s == State.COMMITTED;
    }

    private void onOffer(ChannelHandlerContext ctx, OfferFrame o) {
        offer = o; // first: a refusal below is audited with what was offered
        store = admission.admitPush(o.channel(), relayRequest != null);
        OfferTrust.check(context.trust(), store, o, trustFrames);
        answer = OfferAnswer.to(o, store, admission.tenant(), context.transfers(), context.manifests(), admission.address());
        if (answer.alreadyActive()) {
            LOG.info("{} offered {} {} ({}): already current", peer, o.channel(), o.version(), o.releaseId().shortHex());
            ctx.writeAndFlush(answer.reply());
            state = State.COMMITTED;
            if (relayRequest != null) { // the sender relies on this receiver for the rest of its region
                relayRequest.startActive(context.relays(), store, ctx, OfferAnswer.activeManifest(store, o));
            }
            return;
        }
        busyKey = answer.busyKey();
        ctx.writeAndFlush(answer.reply());
        state = State.BASE;
    }

    private void onBase(ChannelHandlerContext ctx, BaseFrame b) {
        base = ChosenBase.chosen(b, answer.bases(), store, offer.channel());
        Manifest known = answer.knownManifest(b);
        if (known != null) {
            startReceiving(ctx, known);
            return;
        }
        manifestReception = ManifestReception.expect(offer, b, base);
        state = State.MANIFEST;
    }

    /** Stages the release, plans it (resume, local copies) and sends WANT; from now on chunks are taken. */
    private void startReceiving(ChannelHandlerContext ctx, Manifest manifest) {
        admission.checkQuota(store, manifest);
        transfer = StagedTransfer.begin(context, store, admission.tenant(), busyKey, manifest, relayRequest != null, ctx.alloc(), peer);
        verification = new ChunkVerification(context.verifiers(), transfer, base, peer, this::chunkVerified);
        state = State.RECEIVING;
        lastActivityNanos = System.nanoTime();
        if (relayRequest != null) {
            verification.relayTo(relayRequest.start(context.relays(), store, ctx, manifest, transfer.readyBeforeTransfer()));
        }
        context.transfers().joinable(busyKey, this);
        ctx.writeAndFlush(transfer.wantFrame());
    }

    /**
     * On the session's thread: one chunk is done; a failure ends the session, a chunk whose reference
     * this receiver could not supply is asked for again, and the last one may run a deferred commit.
     */
    private void chunkVerified(ChunkVerification.Verified v) {
        if (state == State.CLOSED) {
            transfer.journalLater(v.verifiedOrdinal()); // verified and written before the connection ended: keep it for the resume
            if (verification.inVerification() == 0) {
                releaseTransfer();
            }
            return;
        }
        try {
            if (v.failure() != null) {
                throw v.failure();
            }
            if (v.refetchOrdinal() >= 0) {
                transfer.plan().refetch(v.refetchOrdinal());
                ownCtx.writeAndFlush(new RefetchFrame(new int[]{v.refetchOrdinal()}));
            } else if (v.verifiedOrdinal() >= 0) {
                transfer.written(v.verifiedOrdinal(), relayRequest == null ? null : relayRequest.forwarding());
            }
            if (verification.inVerification() == 0 && transfer.plan().outstanding() == 0 && deferredCommit != null) {
                CommitFrame commit = deferredCommit;
                deferredCommit = null;
                commit(ownCtx, commit);
            }
        } catch (RuntimeException e) {
            fail(ownCtx, e);
        }
    }

    private void onCommit(ChannelHandlerContext ctx, CommitFrame commit) {
        transfer.checkCommit(commit);
        // Wanted chunks may still be missing: refetched ones, and those on the push's other streams (whose
        // JOIN may not even be read yet). The commit waits for them; the idle timeout ends a wait nothing feeds.
        if (verification.inVerification() > 0 || transfer.plan().outstanding() > 0) {
            deferredCommit = commit; // runs when the last chunk (refetched ones, other streams' ones) is verified and written
            return;
        }
        commit(ctx, commit);
    }

    private void commit(ChannelHandlerContext ctx, CommitFrame commit) {
        state = State.COMMITTED; // no idle timeout from here: a smoke test runs for its own
        Activation.commit(context, store, transfer, admission, peer, ctx.executor(), smokeFailed -> {
            if (smokeFailed != null) {
                fail(ctx, smokeFailed); // switched back already: a relay forwards nothing of it
            } else if (state == State.COMMITTED) { // not cut meanwhile
                if (relayRequest != null) {
                    relayRequest.activated();
                }
                SessionAudit.sendHead(ctx, context, admission);
                ctx.writeAndFlush(transfer.activatedFrame());
                endTransfer();
            }
        });
    }

    /** An expected failure keeps its code; anything else is a bug (see {@link ErrorReply#of}). */
    private void fail(ChannelHandlerContext ctx, RuntimeException e) {
        ErrorFrame reply = ErrorReply.of(e, peer);
        fail(ctx, reply.code(), reply.message());
    }

    /** Ends this session with ERROR {@code code} (see {@link ErrorReply}); a closed session stays as it is. */
    private void fail(ChannelHandlerContext ctx, ErrorCode code, String message) {
        LOG.warn("{} failed: {} {}", peer, code.label(), message);
        if (state == State.CLOSED) {
            return;
        }
        SessionAudit.failed(ctx, context, store, admission, offer, transfer != null, code, message);
        state = State.CLOSED;
        endTransfer();
        ErrorReply.send(ctx, code, message);
    }

    private void close(ChannelHandlerContext ctx) {
        state = State.CLOSED;
        ctx.close();
        endTransfer();
    }

    /**
     * Nothing read for the idle timeout: a dead or stuck sender (or one that connected and never
     * said HELLO) is dropped, its staging and journal kept for a resume. An event that queued up while
     * this session was busy planning does not count.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && state != State.CLOSED && state != State.COMMITTED
                && System.nanoTime() - lastActivityNanos >= context.config().idleTimeout().toNanos()) {
            fail(ctx, ErrorCode.CONNECTION_LOST, "nothing from the sender in state " + state + " for "
                    + context.config().idleTimeout().toSeconds() + " s");
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.info("{} connection error: {}", peer, cause.toString());
        close(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (state != State.COMMITTED && state != State.CLOSED && offer != null) {
            LOG.info("{} disconnected during {} of {} ({})", peer, state, offer.channel(), offer.releaseId().shortHex());
        }
        state = State.CLOSED;
        endTransfer();
        ctx.fireChannelInactive();
    }

    /**
     * The transfer is over (activated, failed or cut). Chunks still in the verifier pool finish first:
     * they are verified and written, so they go into the journal before it and the staging files are
     * closed, and the release stays busy until then, so a resume never shares the staging tree with
     * this session.
     */
    private void endTransfer() {
        if (verification == null || verification.inVerification() == 0) {
            releaseTransfer();
        }
    }

    private void releaseTransfer() {
        if (relayRequest != null) {
            relayRequest.abandon(); // a no-op once this receiver activated: then the relay carries on by itself
        }
        if (transfer != null) {
            transfer.close(peer);
        }
        if (base != null) {
            base.close();
        }
        if (answer != null) {
            answer.end();
        }
        if (busyKey != null) {
            context.transfers().notJoinable(busyKey, this);
            context.transfers().end(busyKey);
            busyKey = null;
        }
    }
}
