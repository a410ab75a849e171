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
import io.skiff.engine.api.PushResult;
import io.skiff.engine.api.TargetResult;
import io.skiff.engine.api.Topology;
import io.skiff.engine.encode.ChunkSource;
import io.skiff.engine.encode.EncoderPools;
import io.skiff.engine.encode.ReleaseEncodings;
import io.skiff.engine.history.PublishedReleases;
import io.skiff.engine.manifest.ManifestBuilder;
import io.skiff.engine.transport.Allocators;
import io.skiff.engine.transport.ConnectFailures;
import io.skiff.engine.transport.Transport;
import io.skiff.engine.transport.WireByteCounter;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.frame.FrameDecoder;
import io.skiff.protocol.frame.FrameEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Pushes one release to many targets: builds the manifest once, then runs one {@link PushSession}
 * per target in parallel over a shared event loop and a shared encoder pool. A target that is down,
 * slow or failing only affects its own result.
 */
public final class Pusher {
    private static final Logger LOG = LoggerFactory.getLogger(Pusher.class);
    /** How often the bandwidth limit's accounting is refreshed. */
    private static final long SHAPER_CHECK_MILLIS = 100;
    private Pusher() {
    }

    public static PushResult push(Path source, String channel, String version, List<HostPort> targets,
                                  PushOptions options, PushListener listener) {
        return push(source, channel, version, Topology.direct(targets), options, listener);
    }

    /** Pushes a release whose manifest is already built from {@code source}. */
    public static PushResult push(Path source, Manifest manifest, List<HostPort> targets, PushOptions options,
                                  PushListener listener) {
        return push(source, manifest, Topology.direct(targets), options, listener);
    }

    /** Builds the manifest of {@code source}, then pushes it to every target of {@code topology}. */
    public static PushResult push(Path source, String channel, String version, Topology topology,
                                  PushOptions options, PushListener listener) {
        long start = System.nanoTime();
        Manifest manifest = ManifestBuilder.build(source, channel, version, options.chunking(),
                Runtime.getRuntime().availableProcessors());
        double manifestSeconds = (System.nanoTime() - start) / 1e9;
        listener.manifestBuilt(manifest, manifestSeconds);
        return push(source, manifest, topology, options, listener, start, manifestSeconds);
    }

    /** Pushes a release whose manifest is already built from {@code source} to every target of {@code topology}. */
    public static PushResult push(Path source, Manifest manifest, Topology topology, PushOptions options,
                                  PushListener listener) {
        return push(source, manifest, topology, options, listener, System.nanoTime(), 0);
    }

    private static PushResult push(Path source, Manifest manifest, Topology topology, PushOptions options,
                                   PushListener listener, long startNanos, double manifestSeconds) {
        List<Topology.Target> targets = topology.targets();
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newEventLoopGroup(Math.min(2, Math.max(1, targets.size())), "skiff-tx-io");
        ExecutorService encoders = EncoderPools.newPool(options.encoderThreads(), "skiff-tx-encode");
        PublishedReleases history = options.history() == null ? null : new PublishedReleases(options.history(), options.historyRetain());
        ChunkSource chunks = new ChunkSource(source, manifest);
        ReleaseEncodings encodings = new ReleaseEncodings(manifest, chunks, history == null ? null : history::find, options.zstdLevel(),
                targets.size() > 1 ? ReleaseEncodings.FAN_OUT_CACHE_BYTES : 0, Allocators.sending());
        // one shaper for all targets: --bwlimit caps what leaves the sender, not each connection
        GlobalTrafficShapingHandler shaper = options.bandwidthLimit() > 0
                ? new GlobalTrafficShapingHandler(group, options.bandwidthLimit(), 0, SHAPER_CHECK_MILLIS) : null;
        FanOut fanOut = new FanOut(transport, group, manifest, options, listener, encoders, encodings, shaper, null,
                waterMark(targets.size() * options.streams()));
        try {
            List<CompletableFuture<List<TargetResult>>> regions = new ArrayList<>();
            for (Topology.Region region : topology.regions()) {
                if (region.named() && options.relays() && region.targets().size() > 1) {
                    regions.add(new RegionPush(fanOut, region).start());
                } else {
                    for (Topology.Target target : region.targets()) {
                        regions.add(pushWithRetries(fanOut, target.address(), target.bandwidthLimit(), options.retries(),
                                r -> r.routed(region.name(), TargetResult.Route.DIRECT, null)).thenApply(List::of));
                    }
                }
            }
            Map<String, TargetResult> byTarget = new HashMap<>();
            for (CompletableFuture<List<TargetResult>> r : regions) {
                for (TargetResult result : r.join()) {
                    byTarget.put(result.target(), result);
                }
            }
            List<TargetResult> done = new ArrayList<>();
            long fromSender = 0;
            for (Topology.Target target : targets) {
                TargetResult result = byTarget.get(target.address().toString());
                done.add(result);
                fromSender += result.fromSender() ? result.bytesWire() : 0;
            }
            if (history != null && done.stream().anyMatch(TargetResult::activated)) {
                recordPublished(history, manifest, source);
            }
            return new PushResult(manifest, manifest.totalBytes(), fromSender, (System.nanoTime() - startNanos) / 1e9,
                    manifestSeconds, done);
        } finally {
            if (shaper != null) {
                shaper.release();
            }
            encoders.shutdownNow();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            try {
                encoders.awaitTermination(10, TimeUnit.SECONDS); // before their native zstd contexts are freed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            encodings.close();
            chunks.close();
        }
    }

    /** The next push can encode against this release; failing to record it costs compression, not the push. */
    private static void recordPublished(PublishedReleases history, Manifest manifest, Path source) {
        try {
            history.record(manifest, source);
        } catch (RuntimeException e) {
            LOG.warn("could not record {} ({}) in the sender history {}: {}", manifest.version(), manifest.releaseId().shortHex(),
                    history.root(), e.getMessage());
        }
    }

    /**
     * What every target of one fan-out shares: the sender's push, or a relay's forwarding.
     *
     * @param shaper the sender's total bandwidth limit; null for none
     * @param gate   chunks that may be sent yet (a relay's verified chunks); null: all
     * @param waterMark each connection's outbound buffer bounds ({@link #waterMark(int)})
     */
    public record FanOut(Transport transport, EventLoopGroup group, Manifest manifest, PushOptions options, PushListener listener,
                  ExecutorService encoders, ReleaseEncodings encodings, GlobalTrafficShapingHandler shaper, ChunkGate gate,
                  WriteBufferWaterMark waterMark) {
    }

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
    static CompletableFuture<TargetResult> connect(FanOut fanOut, HostPort target, long bandwidthLimit, RelayReports.Role relayRole) {
        Manifest manifest = fanOut.manifest();
        PushOptions options = fanOut.options();
        WireByteCounter counter = new WireByteCounter();
        // a target's limit is shared out over its streams
        long perConnectionLimit = bandwidthLimit > 0 ? Math.max(1, bandwidthLimit / options.streams()) : 0;
        ParallelStreams.Opener streams = options.streams() == 1 ? null : (loop, handler) ->
                bootstrap(fanOut, loop, counter, perConnectionLimit, handler).connect(target.host(), target.port());
        PushSession session = new PushSession(target.toString(), manifest, fanOut.encoders(), fanOut.encodings(), options.maxInFlight(),
                options.senderName(), fanOut.listener(), counter, fanOut.gate(), relayRole, options.streams(), streams);
        Bootstrap bootstrap = bootstrap(fanOut, fanOut.group(), counter, perConnectionLimit, session);
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

    /** A connection to a target: counted, shaped, idle-checked, framed, then {@code last} (a session, or an extra stream). */
    private static Bootstrap bootstrap(FanOut fanOut, EventLoopGroup group, WireByteCounter counter, long bandwidthLimit,
                                       ChannelHandler last) {
        PushOptions options = fanOut.options();
        return new Bootstrap()
                .group(group)
                .channel(fanOut.transport().clientChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, Allocators.sending())
                .option(ChannelOption.SO_SNDBUF, 4 * 1024 * 1024)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, fanOut.waterMark())
                .option(ChannelOption.MESSAGE_SIZE_ESTIMATOR, OutboundSizeEstimator.INSTANCE)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        long idle = options.idleTimeout().toMillis();
                        ch.pipeline().addLast("wireCounter", counter);
                        if (fanOut.shaper() != null) {
                            ch.pipeline().addLast("bandwidthLimit", fanOut.shaper());
                        }
                        if (bandwidthLimit > 0) {
                            ch.pipeline().addLast("targetBandwidthLimit", new ChannelTrafficShapingHandler(bandwidthLimit, 0, SHAPER_CHECK_MILLIS));
                        }
                        ch.pipeline()
                                .addLast("idle", new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS))
                                .addLast("frameDecoder", new FrameDecoder())
                                .addLast("frameEncoder", FrameEncoder.INSTANCE)
                                .addLast("session", last);
                    }
                });
    }

    /**
     * Pushes to one target, reconnecting after a cut (or a refused connection, or BUSY while the target
     * still holds the cut connection) up to {@code options.retries()} times with exponential backoff and
     * jitter. Each attempt resumes: the target's journal keeps what already arrived. The result counts
     * every attempt's wire bytes and how many attempts it took.
     */
    public static CompletableFuture<TargetResult> pushWithRetries(FanOut fanOut, HostPort target, long bandwidthLimit, int retries,
                                                           UnaryOperator<TargetResult> routing) {
        CompletableFuture<TargetResult> overall = new CompletableFuture<>();
        attempt(new Attempts(fanOut, target, bandwidthLimit, retries, RETRYABLE, null, routing), 1, 0, System.nanoTime(), overall);
        return overall;
    }

    /**
     * Pushes to a region's relay. Only BUSY is retried (the relay still holds an earlier connection of
     * this release); any other failure is left to the caller's fallback, which resumes from what the
     * region's targets journaled, so a quick fallback loses nothing.
     */
    static CompletableFuture<TargetResult> pushToRelay(FanOut fanOut, HostPort relay, long bandwidthLimit, RelayReports.Role role,
                                                       UnaryOperator<TargetResult> routing) {
        CompletableFuture<TargetResult> overall = new CompletableFuture<>();
        attempt(new Attempts(fanOut, relay, bandwidthLimit, fanOut.options().retries(), EnumSet.of(ErrorCode.BUSY), role, routing), 1, 0,
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
        connect(fanOut, target, attempts.bandwidthLimit(), attempts.relayRole()).whenComplete((r, e) -> {
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
