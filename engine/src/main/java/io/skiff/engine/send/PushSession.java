package io.skiff.engine.send;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.skiff.engine.api.PushListener;
import io.skiff.engine.api.TargetResult;
import io.skiff.engine.encode.FileRegionChunk;
import io.skiff.engine.encode.ReleaseEncodings;
import io.skiff.engine.transport.ConnectFailures;
import io.skiff.engine.transport.WireByteCounter;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ProtocolLimits;
import io.skiff.protocol.SkiffException;
import io.skiff.protocol.frame.ActivatedFrame;
import io.skiff.protocol.frame.BaseFrame;
import io.skiff.protocol.frame.ChunkEncoding;
import io.skiff.protocol.frame.ChunkFrame;
import io.skiff.protocol.frame.CommitFrame;
import io.skiff.protocol.frame.DecodeFailure;
import io.skiff.protocol.frame.ErrorFrame;
import io.skiff.protocol.frame.FrameDescriptor;
import io.skiff.protocol.frame.HelloFrame;
import io.skiff.protocol.frame.JoinFrame;
import io.skiff.protocol.frame.ManifestPartFrame;
import io.skiff.protocol.frame.OfferFrame;
import io.skiff.protocol.frame.OfferReplyFrame;
import io.skiff.protocol.frame.RefetchFrame;
import io.skiff.protocol.frame.RelayFrame;
import io.skiff.protocol.frame.RelayStatusFrame;
import io.skiff.protocol.frame.WantFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The sender's side of one target: HELLO+OFFER, (MANIFEST), then stream the wanted chunks, COMMIT,
 * await ACTIVATED. Runs on the channel's event loop; chunks are read and compressed by a shared
 * encoder pool, at most {@code maxInFlight} at a time and only while the channel is writable, so a
 * slow target holds a bounded amount of memory and never slows the others.
 *
 * <p>When the target is its region's relay, RELAY goes before OFFER, and the session stays open after
 * ACTIVATED until the relay has reported every one of its targets. When this session runs on a relay,
 * a {@link ChunkGate} holds back chunks the relay has not verified yet.
 *
 * <p>Buffer ownership: a prepared {@link ChunkFrame} (or {@link FileRegionChunk}) belongs to this
 * session until written; the frame encoder or the transport releases it. Chunks prepared after the
 * session ended are released here.
 */
public final class PushSession extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(PushSession.class);

    private enum State { OFFERED, CHOOSING_BASE, AWAIT_WANT, STREAMING, COMMITTED, AWAIT_RELAYED, DONE }

    /** Hears a relay's reports on its targets (on the event loop). */
    interface RelayObserver {
        void status(RelayStatusFrame status);
    }

    /** Opens one more connection to the target, on {@code loop}, with {@code handler} last in its pipeline. */
    interface StreamOpener {
        ChannelFuture open(EventLoop loop, ChannelHandler handler);
    }

    /** Fewest wanted chunks per stream for an extra stream to be worth its handshake. */
    private static final int MIN_CHUNKS_PER_STREAM = 4;
    /**
     * Bytes of one RAW_RUN at most: enough that a run's own cost (a header, a region, a write) is small
     * against its bytes, well inside a frame's limit, and no more than the outbound bound's half (the
     * compressibility probes, every 32nd chunk of an incompressible file, cut runs at ~31 chunks anyway).
     */
    public static final int MAX_RUN_BYTES = 2 << 20;

    /** What a relay is asked to do, and who hears its reports. */
    record RelayRole(List<RelayFrame.Target> targets, RelayObserver observer) {
    }

    private final String target;
    private final Manifest manifest;
    private final Executor encoders;
    private final ReleaseEncodings encodings;
    private final int maxInFlight;
    private final String senderName;
    private final PushListener listener;
    private final WireByteCounter counter;
    private final ChunkGate gate;
    private final RelayRole relayRole;
    private final int streams;
    private final StreamOpener streamOpener;
    /** Extra streams that joined the transfer and still carry chunks (all on this session's event loop). */
    private final List<Channel> extraStreams = new ArrayList<>();
    /** Round-robin position over this connection and the extra streams. */
    private int nextStream;
    /** Extra streams still connecting: chunks wait for them, so every stream gets its share from the start. */
    private int streamsConnecting;
    private final CompletableFuture<TargetResult> result = new CompletableFuture<>();
    private final long startNanos = System.nanoTime();

    private State state = State.OFFERED;
    /** The protocol said in HELLO; RAW_RUN only from {@link FrameDescriptor#RAW_RUN_SINCE}. */
    private int protocol = FrameDescriptor.PROTOCOL_VERSION;
    private Channel channel;
    private ReleaseEncodings.Delta delta;
    private BitSet wanted;
    /** Chunks the target could not decode with their reference: sent again without one, before the rest. */
    private final BitSet refetch = new BitSet();
    private int cursor;
    private int inFlight;
    private int chunksSent;
    private int chunksRefetched;
    private long manifestBytes;
    private final long[] chunksByEncoding = new long[ChunkEncoding.values().length];
    private final long[] bytesByEncoding = new long[ChunkEncoding.values().length];
    /** Waiting for the gate to open on the next wanted chunk. */
    private boolean awaitingGate;
    /** Relay targets reported finished. */
    private final BitSet relayedFinished = new BitSet();
    /** This relay's own outcome, held until it has reported every target. */
    private boolean relayAlreadyActive;
    private int relayCopiedLocally;

    /**
     * @param gate      chunks this sender may send yet (on a relay); null: all
     * @param relayRole the target relays to these targets; null: it does not
     * @param streams   connections to spread the chunks over, this one included
     * @param streamOpener opens the extra ones; null when {@code streams} is 1
     */
    public PushSession(String target, Manifest manifest, Executor encoders, ReleaseEncodings encodings, int maxInFlight,
                String senderName, PushListener listener, WireByteCounter counter, ChunkGate gate, RelayRole relayRole,
                int streams, StreamOpener streamOpener) {
        this.target = target;
        this.manifest = manifest;
        this.encoders = encoders;
        this.encodings = encodings;
        this.maxInFlight = maxInFlight;
        this.senderName = senderName;
        this.listener = listener;
        this.counter = counter;
        this.gate = gate;
        this.relayRole = relayRole;
        this.streams = streams;
        this.streamOpener = streamOpener;
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
            } else if (relayRole != null && msg instanceof RelayStatusFrame status) {
                onRelayStatus(status);
            } else if (state == State.OFFERED && msg instanceof OfferReplyFrame reply) {
                onOfferReply(ctx, reply);
            } else if (state == State.AWAIT_WANT && msg instanceof WantFrame want) {
                onWant(want);
            } else if ((state == State.STREAMING || state == State.COMMITTED) && msg instanceof RefetchFrame r) {
                onRefetch(r);
            } else if (state == State.COMMITTED && msg instanceof ActivatedFrame activated) {
                if (!activated.releaseId().equals(manifest.releaseId())) {
                    fail(ErrorCode.UNEXPECTED_FRAME, "target activated " + activated.releaseId().shortHex());
                } else {
                    activated(false, activated.chunksCopiedLocally());
                }
            } else {
                fail(ErrorCode.UNEXPECTED_FRAME, "unexpected " + msg.getClass().getSimpleName() + " in state " + state);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onOfferReply(ChannelHandlerContext ctx, OfferReplyFrame reply) {
        if (reply.decision() == OfferReplyFrame.Decision.ALREADY_ACTIVE) {
            activated(true, 0); // a relay still forwards it
            return;
        }
        // choosing a base may plan references and compress the manifest against it (the first time for
        // that base): encoder work, kept off the event loop that other targets share
        state = State.CHOOSING_BASE;
        try {
            encoders.execute(() -> {
                ReleaseEncodings.Delta chosen;
                try {
                    chosen = encodings.forBases(reply.bases());
                } catch (RuntimeException e) {
                    channel.eventLoop().execute(() -> fail(e instanceof SkiffException s ? s.code() : ErrorCode.INTERNAL,
                            "choosing a delta base: " + e.getMessage()));
                    return;
                }
                channel.eventLoop().execute(() -> sendBase(ctx, reply, chosen));
            });
        } catch (RejectedExecutionException e) {
            fail(ErrorCode.INTERNAL, "encoder pool shut down");
        }
    }

    /** On the event loop: BASE, and the manifest encoded against that base unless the target knows it. */
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
            manifestBytes = bytes.length;
        }
        LOG.info("{} holds {} base(s); delta base {}, manifest {} bytes as {}", target, reply.bases().size(),
                delta.baseId() == null ? "none" : delta.baseId().shortHex(), manifestBytes, delta.manifestEncoding());
        state = State.AWAIT_WANT;
    }

    /** The target activated; a relay's push ends when it has also reported on every one of its targets. */
    private void activated(boolean alreadyActive, int copiedLocally) {
        if (relayRole == null || relayedFinished.cardinality() == relayRole.targets().size()) {
            succeed(alreadyActive, copiedLocally);
            return;
        }
        relayAlreadyActive = alreadyActive;
        relayCopiedLocally = copiedLocally;
        state = State.AWAIT_RELAYED;
    }

    private void onRelayStatus(RelayStatusFrame status) {
        if (status.index() >= relayRole.targets().size() || relayedFinished.get(status.index())) {
            fail(ErrorCode.UNEXPECTED_FRAME, "relay reported on target index=" + status.index() + " after its outcome or beyond "
                    + relayRole.targets().size() + " targets");
            return;
        }
        if (status.state().finished()) {
            relayedFinished.set(status.index());
        }
        relayRole.observer().status(status);
        if (state == State.AWAIT_RELAYED && relayedFinished.cardinality() == relayRole.targets().size()) {
            succeed(relayAlreadyActive, relayCopiedLocally);
        }
    }

    private void onRefetch(RefetchFrame r) {
        for (int ordinal : r.ordinals()) {
            if (ordinal >= manifest.chunks().count() || !wanted.get(ordinal)) {
                fail(ErrorCode.UNEXPECTED_FRAME, "target asked again for chunk ordinal=" + ordinal + ", which it did not want");
                return;
            }
            refetch.set(ordinal);
        }
        chunksRefetched += r.ordinals().length;
        LOG.debug("{} could not use the reference of {} chunk(s); sending them without", target, r.ordinals().length);
        pump();
    }

    private void onWant(WantFrame want) {
        if (want.chunkCount() != manifest.chunks().count()) {
            fail(ErrorCode.UNEXPECTED_FRAME, "WANT for " + want.chunkCount() + " chunks, manifest has " + manifest.chunks().count());
            return;
        }
        wanted = want.wanted();
        long bytesWanted = 0;
        for (int o = wanted.nextSetBit(0); o >= 0; o = wanted.nextSetBit(o + 1)) {
            bytesWanted += manifest.chunks().length(o);
        }
        listener.planned(target, wanted.cardinality(), bytesWanted);
        state = State.STREAMING;
        openExtraStreams();
        pump();
    }

    /** Parallel streams: up to streams - 1 more connections, each joining this transfer to carry chunks. */
    private void openExtraStreams() {
        if (streamOpener == null) {
            return;
        }
        int extra = Math.min(streams - 1, wanted.cardinality() / MIN_CHUNKS_PER_STREAM - 1);
        streamsConnecting = Math.max(0, extra);
        for (int i = 1; i <= extra; i++) {
            int index = i;
            streamOpener.open(channel.eventLoop(), new ExtraStream(index)).addListener(f -> {
                if (!f.isSuccess()) {
                    LOG.info("{} extra stream {} did not connect ({}); going on with fewer", target, index,
                            ConnectFailures.reason(f.cause()));
                    streamConnected();
                }
            });
        }
    }

    /** One extra stream is connected (and has sent JOIN) or failed to: chunks flow once none is pending. */
    private void streamConnected() {
        streamsConnecting--;
        pump();
    }

    /**
     * The next connection in turn that the socket accepts more on (else the next in turn): chunks are
     * dealt round the streams, skipping one whose window is full.
     */
    private Channel nextConnection() {
        int count = extraStreams.size() + 1;
        for (int i = 0; i < count; i++) {
            Channel candidate = connection(nextStream++ % count);
            if (candidate.isWritable()) {
                return candidate;
            }
        }
        return connection(nextStream++ % count);
    }

    private Channel connection(int index) {
        return index == 0 ? channel : extraStreams.get(index - 1);
    }

    private boolean anyWritable() {
        if (channel.isWritable()) {
            return true;
        }
        for (Channel stream : extraStreams) {
            if (stream.isWritable()) {
                return true;
            }
        }
        return false;
    }

    /** Streams close once everything they carry is written; refetched chunks then go on the first connection. */
    private void closeExtraStreams() {
        for (Channel stream : extraStreams) {
            stream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        extraStreams.clear();
    }

    /**
     * An extra stream: HELLO and JOIN, then only chunks from this session. The receiver never writes on
     * it except an ERROR; losing it while chunks are due fails the attempt (a retry resumes).
     */
    private final class ExtraStream extends ChannelInboundHandlerAdapter {
        private final int index;

        ExtraStream(int index) {
            this.index = index;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (state != State.STREAMING) {
                streamsConnecting--;
                ctx.close();
                return;
            }
            ctx.write(new HelloFrame(protocol, senderName));
            ctx.writeAndFlush(new JoinFrame(manifest.channel(), manifest.releaseId()));
            extraStreams.add(ctx.channel());
            streamConnected();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof ErrorFrame error) {
                    fail(error.code(), "stream " + index + ": " + error.message());
                } else if (msg instanceof DecodeFailure failure) {
                    fail(failure.code(), "stream " + index + ": bad bytes from target: " + failure.message());
                } else {
                    fail(ErrorCode.UNEXPECTED_FRAME, "stream " + index + ": unexpected " + msg.getClass().getSimpleName());
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                pump();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (extraStreams.remove(ctx.channel()) && state == State.STREAMING) {
                fail(ErrorCode.CONNECTION_LOST, "stream " + index + " closed by target during streaming");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(ErrorCode.CONNECTION_LOST, "stream " + index + " error: " + cause.getMessage());
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            // idle: the first connection watches the target
        }
    }

    /**
     * Keeps up to maxInFlight chunks being prepared while the socket accepts more; commits at the end.
     * Refetched chunks go first, and may follow COMMIT: the receiver commits once they have arrived.
     */
    private void pump() {
        boolean unflushed = false; // chunks written here go out with one flush when the loop stops
        while ((state == State.STREAMING || state == State.COMMITTED) && streamsConnecting == 0 && inFlight < maxInFlight && anyWritable()) {
            int ordinal = refetch.nextSetBit(0);
            boolean allowReference = ordinal < 0;
            if (ordinal >= 0) {
                refetch.clear(ordinal);
            } else if (state == State.STREAMING) {
                ordinal = wanted.nextSetBit(cursor);
                if (ordinal >= 0 && gate != null && !gate.ready(ordinal)) {
                    awaitGate(ordinal);
                    break;
                }
            }
            if (ordinal < 0) {
                break;
            }
            if (allowReference) {
                cursor = ordinal + 1;
            }
            FileRegionChunk zeroCopy;
            try {
                zeroCopy = allowReference ? rawRun(ordinal) : null;
                if (zeroCopy != null) {
                    cursor = ordinal + zeroCopy.chunks();
                } else {
                    zeroCopy = delta.prepareZeroCopy(ordinal, allowReference);
                }
            } catch (RuntimeException e) {
                fail(e instanceof SkiffException s ? s.code() : ErrorCode.INTERNAL, e.getMessage());
                return;
            }
            if (zeroCopy != null) { // raw from the file: written here, with no round trip through an encoder thread
                write(zeroCopy);
                unflushed = true;
                continue;
            }
            int next = ordinal;
            inFlight++;
            try {
                encoders.execute(() -> prepareOnEncoder(next, allowReference));
            } catch (RejectedExecutionException e) {
                inFlight--;
                fail(ErrorCode.INTERNAL, "encoder pool shut down");
                return;
            }
        }
        if (unflushed) {
            flushAll();
        }
        if (state == State.STREAMING && streamsConnecting == 0 && inFlight == 0 && wanted.nextSetBit(cursor) < 0 && refetch.isEmpty()) {
            state = State.COMMITTED;
            channel.writeAndFlush(new CommitFrame(manifest.releaseId()));
            closeExtraStreams();
        }
    }

    /**
     * The wanted chunks from {@code first} on that go raw from the same file, up to {@value #MAX_RUN_BYTES}
     * bytes, as one RAW_RUN (header, then one {@code sendfile} of their bytes); null for fewer than two, or
     * a target that speaks a protocol without RAW_RUN. Per chunk, a header and a region of its own cost
     * the sender as much as the bytes did: 1 MiB chunks instead of 64 KiB ones took a 1.5 GB push from
     * 1.75 to 1.2 CPU-s on the sender, measured by hand.
     */
    private FileRegionChunk rawRun(int first) {
        if (protocol < FrameDescriptor.RAW_RUN_SINCE || !delta.rawFromFile(first)) {
            return null;
        }
        int entry = manifest.chunks().entryIndex(first);
        long bytes = manifest.chunks().length(first);
        int limit = Math.min(ProtocolLimits.MAX_RUN_CHUNKS, manifest.chunks().count() - first);
        int count = 1;
        while (count < limit) {
            int next = first + count;
            long length = manifest.chunks().length(next);
            if (!wanted.get(next) || manifest.chunks().entryIndex(next) != entry || bytes + length > MAX_RUN_BYTES
                    || (gate != null && !gate.ready(next)) || !delta.rawFromFile(next)) {
                break;
            }
            bytes += length;
            count++;
        }
        return count < 2 ? null : delta.prepareRawRun(first, count);
    }

    /** Cut-through: the relay has not verified chunk {@code ordinal} yet; pump again when it has. */
    private void awaitGate(int ordinal) {
        if (awaitingGate) {
            return;
        }
        if (gate.abandoned()) {
            fail(ErrorCode.CONNECTION_LOST, "the relay's own transfer of the release failed");
            return;
        }
        awaitingGate = true;
        gate.whenReady(ordinal, () -> {
            try {
                channel.eventLoop().execute(() -> {
                    awaitingGate = false;
                    pump();
                });
            } catch (RejectedExecutionException shutDown) {
                // the relay is closing: nothing left to pump, and the receiving session that woke us must not fail for it
            }
        });
    }

    private void prepareOnEncoder(int ordinal, boolean allowReference) {
        Object frame;
        try {
            frame = delta.prepare(ordinal, allowReference);
        } catch (RuntimeException e) {
            channel.eventLoop().execute(() -> {
                inFlight--;
                fail(e instanceof SkiffException s ? s.code() : ErrorCode.INTERNAL, e.getMessage());
            });
            return;
        } catch (OutOfMemoryError e) { // direct memory: this target fails with a reason instead of stalling
            channel.eventLoop().execute(() -> {
                inFlight--;
                fail(ErrorCode.INTERNAL, "out of memory preparing chunk " + ordinal + " (" + e.getMessage()
                        + "); raise -XX:MaxDirectMemorySize or push to fewer targets at once");
            });
            return;
        }
        try {
            channel.eventLoop().execute(() -> send(frame));
        } catch (RejectedExecutionException shutDown) {
            release(frame); // the push is over and its event loops are gone: nobody will send it
        }
    }

    /** On the event loop: a prepared chunk goes out on the next connection in turn, unless the session ended meanwhile. */
    private void send(Object frame) {
        inFlight--;
        if (state != State.STREAMING && state != State.COMMITTED) {
            release(frame);
            return;
        }
        write(frame).flush();
        pump();
    }

    /** Writes a prepared chunk on the next connection in turn, unflushed; returns that connection. */
    private Channel write(Object frame) {
        int rawBytes;
        Channel out = nextConnection();
        int chunks = 1;
        if (frame instanceof FileRegionChunk zeroCopy) {
            rawBytes = zeroCopy.rawLength();
            chunks = zeroCopy.chunks();
            count(ChunkEncoding.RAW, chunks, rawBytes);
            out.write(zeroCopy.header(), out.voidPromise());
            out.write(zeroCopy.region(), out.voidPromise());
        } else {
            ChunkFrame chunk = (ChunkFrame) frame;
            rawBytes = chunk.rawLength();
            count(chunk.encoding(), 1, chunk.payload().readableBytes());
            out.write(frame, out.voidPromise());
        }
        chunksSent += chunks;
        listener.chunkSent(target, rawBytes);
        return out;
    }

    private void flushAll() {
        channel.flush();
        for (Channel stream : extraStreams) {
            stream.flush();
        }
    }

    private void count(ChunkEncoding encoding, int chunks, long payloadBytes) {
        chunksByEncoding[encoding.ordinal()] += chunks;
        bytesByEncoding[encoding.ordinal()] += payloadBytes;
    }

    private static void release(Object prepared) {
        if (prepared instanceof FileRegionChunk zeroCopy) {
            zeroCopy.release();
        } else {
            ReferenceCountUtil.release(prepared);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (channel.isWritable()) {
            pump();
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
        fail(ErrorCode.CONNECTION_LOST, "connection error: " + cause.getMessage());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(ErrorCode.CONNECTION_LOST, "connection closed by target during " + state.name().toLowerCase(Locale.ROOT));
        ctx.fireChannelInactive();
    }

    private void succeed(boolean alreadyActive, int copiedLocally) {
        finish(new TargetResult(target, true, alreadyActive, counter.bytesWritten(), elapsedSeconds(),
                manifest.chunks().count(), chunksSent, copiedLocally, null, null, details()));
    }

    private TargetResult.Delta details() {
        java.util.EnumMap<ChunkEncoding, TargetResult.EncodingCount> byEncoding = new java.util.EnumMap<>(ChunkEncoding.class);
        for (ChunkEncoding e : ChunkEncoding.values()) {
            byEncoding.put(e, new TargetResult.EncodingCount(chunksByEncoding[e.ordinal()], bytesByEncoding[e.ordinal()]));
        }
        return new TargetResult.Delta(delta == null ? null : delta.baseId(), manifestBytes, chunksRefetched, byEncoding);
    }

    private void fail(ErrorCode code, String message) {
        if (state == State.DONE) {
            return;
        }
        if (state == State.AWAIT_RELAYED) { // the relay itself activated; its unreported targets are the caller's to retry
            LOG.warn("{} activated but stopped reporting on its targets: {} {}", target, code.label(), message);
            succeed(relayAlreadyActive, relayCopiedLocally);
            return;
        }
        finish(new TargetResult(target, false, false, counter.bytesWritten(), elapsedSeconds(),
                manifest.chunks().count(), chunksSent, 0, code, message, details()));
    }

    private void finish(TargetResult r) {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        for (Channel stream : extraStreams) {
            stream.close();
        }
        extraStreams.clear();
        if (r.activated()) {
            LOG.info("{} activated {} ({}) in {}s, {} bytes on wire{}", target, manifest.version(), manifest.releaseId().shortHex(),
                    String.format(Locale.ROOT, "%.2f", r.seconds()), r.bytesWire(),
                    chunksRefetched == 0 ? "" : ", " + chunksRefetched + " chunk(s) sent again: the target's base did not verify");
        } else {
            LOG.warn("{} failed: {} {}", target, r.code().label(), r.error());
        }
        if (channel != null) {
            channel.close().addListener((ChannelFutureListener) f -> complete(r));
        } else {
            complete(r);
        }
    }

    private void complete(TargetResult r) {
        // completes after the socket is closed, so a caller that moves on finds no I/O left running
        result.complete(r);
    }

    private double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
