package io.skiff.engine.send;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.traffic.ChannelTrafficShapingHandler;
import io.netty.handler.traffic.GlobalTrafficShapingHandler;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.PushListener;
import io.skiff.engine.api.PushOptions;
import io.skiff.engine.api.TargetResult;
import io.skiff.engine.encode.ReleaseEncodings;
import io.skiff.engine.security.TlsMaterial;
import io.skiff.engine.transport.Allocators;
import io.skiff.engine.transport.ConnectFailures;
import io.skiff.engine.transport.TlsPipelines;
import io.skiff.engine.transport.Transport;
import io.skiff.engine.transport.WireByteCounter;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.frame.FrameDecoder;
import io.skiff.protocol.frame.FrameEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * What every target of one fan-out shares (the sender's push, or a relay's forwarding), and the
 * connections and retries to each of its targets ({@link #pushWithRetries}, {@link #pushToRelay}).
 * {@link Pusher} builds one per push, a relay one per release it forwards.
 *
 * @param shaper the sender's total bandwidth limit; null for none
 * @param gate   chunks that may be sent yet (a relay's verified chunks); null: all
 * @param waterMark each connection's outbound buffer bounds ({@link #waterMark(int)})
 * @param tls    this side's key material: every connection is mutual TLS; null: plaintext
 * @param trust  key rotations and the publisher's signatures on the release, sent before each OFFER
 */
public record FanOut(Transport transport, EventLoopGroup group, Manifest manifest, PushOptions options, PushListener listener,
                     ExecutorService encoders, ReleaseEncodings encodings, GlobalTrafficShapingHandler shaper, ChunkGate gate,
                     WriteBufferWaterMark waterMark, TlsMaterial tls, TrustFrames trust) {
    private static final Logger LOG = LoggerFactory.getLogger(FanOut.class);
    /** How often a bandwidth limit's accounting is refreshed. */
    static final long SHAPER_CHECK_MILLIS = 100;

    /** What all targets' outbound buffers may hold together before their sessions stop preparing chunks. */
    static final int OUTBOUND_BUDGET_BYTES = 64 * 1024 * 1024;

    /**
     * Outbound buffer bounds for each of {@code connections}: 4 MiB each for a few targets, shrinking so
     * that many stay within {@link #OUTBOUND_BUDGET_BYTES} of direct memory, but at least 256 KiB.
     */
    public static WriteBufferWaterMark waterMark(int connections) {
        int high = Math.max(256 * 1024, Math.min(4 * 1024 * 1024, OUTBOUND_BUDGET_BYTES / Math.max(1, connections)));
        return new WriteBufferWaterMark(high / 2, high);
    }

    /**
     * One connection to {@code target}: a push, or with {@code relayRole} a push to a relay.
     *
     * @param bandwidthLimit bytes per second to this target; 0 for none
     */
    private CompletableFuture<TargetResult> connect(HostPort target, long bandwidthLimit, RelayReports.Role relayRole) {
        WireByteCounter counter = new WireByteCounter();
        // a target's limit is shared out over its streams
        long perConnectionLimit = bandwidthLimit > 0 ? Math.max(1, bandwidthLimit / options.streams()) : 0;
        ParallelStreams.Opener streams = options.streams() == 1 ? null : (loop, handler) ->
                bootstrap(loop, target, counter, perConnectionLimit, handler).connect(target.host(), target.port());
        PushSession session = new PushSession(target.toString(), manifest, encoders, encodings, options.maxInFlight(),
                options.senderName(), listener, counter, gate, relayRole, options.streams(), streams).signedWith(trust);
        Bootstrap bootstrap = bootstrap(group, target, counter, perConnectionLimit, session);
        ChannelFuture connect = bootstrap.connect(target.host(), target.port());
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                String reason = ConnectFailures.reason(f.cause());
                TargetResult failed = new TargetResult(target.toString(), false, false, 0, 0, manifest.chunks().count(),
                        0, 0, ErrorCode.CONNECT_FAILED, "cannot connect to " + target + ": " + reason, TargetResult.Delta.none());
                session.result().complete(failed);
            }
        });
        return session.result();
    }

    /**
     * A connection to a target: TLS (when configured), counted, shaped, idle-checked, framed, then
     * {@code last} (a session, or an extra stream). The counter sees frames before encryption.
     */
    private Bootstrap bootstrap(EventLoopGroup group, HostPort target, WireByteCounter counter, long bandwidthLimit,
                                ChannelHandler last) {
        return new Bootstrap()
                .group(group)
                .channel(transport.clientChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, Allocators.sending())
                .option(ChannelOption.SO_SNDBUF, 4 * 1024 * 1024)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
                .option(ChannelOption.MESSAGE_SIZE_ESTIMATOR, OutboundSizeEstimator.INSTANCE)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        long idle = options.idleTimeout().toMillis();
                        ch.pipeline().addLast("wireCounter", counter);
                        if (shaper != null) {
                            ch.pipeline().addLast("bandwidthLimit", shaper);
                        }
                        if (bandwidthLimit > 0) {
                            ch.pipeline().addLast("targetBandwidthLimit", new ChannelTrafficShapingHandler(bandwidthLimit, 0, SHAPER_CHECK_MILLIS));
                        }
                        ch.pipeline()
                                .addLast("idle", new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS))
                                .addLast("frameDecoder", new FrameDecoder())
                                .addLast("frameEncoder", FrameEncoder.INSTANCE)
                                .addLast("session", last);
                        if (tls != null) {
                            TlsPipelines.addClient(ch.pipeline(), tls.client(), target.host(), target.port(), "receiver");
                        }
                    }
                });
    }

    /**
     * Pushes to one target, reconnecting after a cut (or a refused connection, or BUSY while the target
     * still holds the cut connection) up to {@code options.retries()} times with exponential backoff and
     * jitter. Each attempt resumes: the target's journal keeps what already arrived. The result counts
     * every attempt's wire bytes and how many attempts it took.
     */
    public CompletableFuture<TargetResult> pushWithRetries(HostPort target, long bandwidthLimit, int retries,
                                                          UnaryOperator<TargetResult> routing) {
        CompletableFuture<TargetResult> overall = new CompletableFuture<>();
        attempt(new Attempts(this, target, bandwidthLimit, retries, RETRYABLE, null, routing), 1, 0, System.nanoTime(), overall);
        return overall;
    }

    /**
     * Pushes to a region's relay. Only BUSY is retried (the relay still holds an earlier connection of
     * this release); any other failure is left to the caller's fallback, which resumes from what the
     * region's targets journaled, so a quick fallback loses nothing.
     */
    CompletableFuture<TargetResult> pushToRelay(HostPort relay, long bandwidthLimit, RelayReports.Role role,
                                                UnaryOperator<TargetResult> routing) {
        CompletableFuture<TargetResult> overall = new CompletableFuture<>();
        attempt(new Attempts(this, relay, bandwidthLimit, options.retries(), EnumSet.of(ErrorCode.BUSY), role, routing), 1, 0,
                System.nanoTime(), overall);
        return overall;
    }

    /**
     * The attempts at one target: what every one of them connects with, which failures another may fix,
     * and how the outcome is labelled (route, region) before listeners hear of it.
     */
    private record Attempts(FanOut fanOut, HostPort target, long bandwidthLimit, int retries, Set<ErrorCode> retryOn,
                            RelayReports.Role relayRole, UnaryOperator<TargetResult> routing) {
    }

    private static void attempt(Attempts attempts, int attempt, long wireSoFar, long startNanos, CompletableFuture<TargetResult> overall) {
        FanOut fanOut = attempts.fanOut();
        HostPort target = attempts.target();
        Manifest manifest = fanOut.manifest();
        EventLoopGroup group = fanOut.group();
        PushListener listener = fanOut.listener();
        fanOut.connect(target, attempts.bandwidthLimit(), attempts.relayRole()).whenComplete((r, e) -> {
            TargetResult result = e != null ? new TargetResult(target.toString(), false, false, 0, 0, manifest.chunks().count(), 0, 0,
                    ErrorCode.INTERNAL, e.toString(), TargetResult.Delta.none()) : r;
            long wire = wireSoFar + result.bytesWire();
            boolean sourceGone = fanOut.gate() != null && fanOut.gate().abandoned(); // a relay whose own transfer failed
            if (!result.activated() && attempts.retryOn().contains(result.code()) && attempt <= attempts.retries() && !group.isShuttingDown()
                    && !sourceGone) {
                Duration wait = backoff(fanOut.options().retryWait(), attempt);
                LOG.info("{} attempt {} failed ({} {}); retrying in {} ms", target, attempt, result.code().label(), result.error(),
                        wait.toMillis());
                listener.retrying(target.toString(), attempt, wait, result);
                try {
                    group.schedule(() -> attempt(attempts, attempt + 1, wire, startNanos, overall), wait.toMillis(), TimeUnit.MILLISECONDS);
                    return;
                } catch (RejectedExecutionException shuttingDown) {
                    // fall through: report this attempt's failure
                }
            }
            TargetResult last = attempts.routing().apply(result.afterAttempts(attempt, wire, (System.nanoTime() - startNanos) / 1e9));
            listener.finished(last);
            overall.complete(last);
        });
    }

    /** Failures a new connection may fix; a protocol or storage error would only repeat. */
    private static final Set<ErrorCode> RETRYABLE = EnumSet.of(ErrorCode.CONNECTION_LOST, ErrorCode.CONNECT_FAILED, ErrorCode.BUSY);

    /** {@code base} × 2^(attempt-1), at most 60 s, times a random factor in [0.5, 1.5) so many senders do not retry in step. */
    static Duration backoff(Duration base, int attempt) {
        long millis = Math.min(60_000, base.toMillis() << Math.min(attempt - 1, 20));
        return Duration.ofMillis((long) (millis * (0.5 + ThreadLocalRandom.current().nextDouble())));
    }
}
