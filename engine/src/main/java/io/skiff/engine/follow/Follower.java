package io.skiff.engine.follow;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.skiff.engine.api.FollowConfig;
import io.skiff.engine.receive.Receiver;
import io.skiff.engine.transport.Allocators;
import io.skiff.engine.transport.ConnectFailures;
import io.skiff.engine.transport.TlsPipelines;
import io.skiff.engine.transport.Transport;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.ProtocolLimits;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SkiffException;
import io.skiff.protocol.frame.ActivatedFrame;
import io.skiff.protocol.frame.ErrorFrame;
import io.skiff.protocol.frame.FollowFrame;
import io.skiff.protocol.frame.FollowWaitFrame;
import io.skiff.protocol.frame.FrameDescriptor;
import io.skiff.protocol.frame.HelloFrame;
import io.skiff.protocol.frame.OfferReplyFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A receiver that follows an origin ({@code skiff receive --follow ORIGIN --channel NAME}). Each visit
 * connects, says HELLO and FOLLOW_WAIT(channel, the release it holds, max wait), and receives the
 * channel's current release on that connection exactly as from a push: delta against what it holds,
 * journal, verification, atomic switch. The origin answers at once when the follower's release is
 * stale, else holds the connection until a new release arrives or the max wait is over (then an
 * unchanged release costs a handshake). So:
 * <ul>
 *   <li>after a visit that ended well (activated, or already current) the next one starts right away,
 *       and a new release reaches a follower within the origin's check period, not an interval later;</li>
 *   <li>after a failure (origin unreachable, no such channel, busy, cut) the next visit is one
 *       {@code interval} later, as plain polling;</li>
 *   <li>the max wait is the interval, but at most 3/4 of this receiver's idle timeout (the origin
 *       sends nothing while it holds the connection, and the receive idle timeout must not fire) and at
 *       most {@link ProtocolLimits#MAX_FOLLOW_WAIT_SECONDS};</li>
 *   <li>an origin that does not know FOLLOW_WAIT (it answers unexpected_frame or unknown_frame_type
 *       before its HELLO) is asked with FOLLOW from then on, every interval.</li>
 * </ul>
 * Successful visits start at least {@code min(1 s, interval)} apart, so an origin that always answers
 * at once cannot make a follower spin.
 */
public final class Follower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Follower.class);
    private static final long MIN_VISIT_GAP_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Receiver receiver;
    private final FollowConfig config;
    private final Transport transport;
    private final EventLoopGroup group;
    private final int maxWaitSeconds;
    /** The origin refused FOLLOW_WAIT: poll with FOLLOW. */
    private volatile boolean plainFollow;
    private volatile boolean stopped;
    /** The connection of the visit under way (often one the origin holds), or null. */
    private volatile Channel visitChannel;

    private Follower(Receiver receiver, FollowConfig config, Transport transport, EventLoopGroup group) {
        this.receiver = receiver;
        this.config = config;
        this.transport = transport;
        this.group = group;
        this.maxWaitSeconds = maxWaitSeconds(config.interval(), receiver.config().idleTimeout());
    }

    /** The wait a follower asks for: the interval, below the receive idle timeout, within the protocol limit; whole seconds. */
    static int maxWaitSeconds(Duration interval, Duration idleTimeout) {
        long millis = Math.min(interval.toMillis(), idleTimeout.toMillis() / 4 * 3);
        return (int) Math.min(ProtocolLimits.MAX_FOLLOW_WAIT_SECONDS, Math.max(0, millis / 1000));
    }

    /** Starts following on {@code receiver}'s threads; the receiver stops it when it closes. */
    public static Follower start(Receiver receiver, FollowConfig config) {
        Follower follower = new Follower(receiver, config, Transport.best(), receiver.ioGroup());
        receiver.attach(follower);
        follower.start();
        return follower;
    }

    private void start() {
        LOG.info("following {} of origin {}: waits up to {} s for a new release per visit, {} ms after a failed visit",
                config.channel(), config.origin(), maxWaitSeconds, config.interval().toMillis());
        group.execute(this::visit);
    }

    /** No more visits; the one under way is closed, so that its connection is gone before the receiver's threads stop. */
    @Override
    public void close() {
        stopped = true;
        Channel channel = visitChannel;
        if (channel != null) {
            ChannelFuture closed = channel.close();
            if (!channel.eventLoop().inEventLoop()) {
                closed.awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
        }
    }

    private void visit() {
        if (stopped) {
            return;
        }
        long startedNanos = System.nanoTime();
        Visit visit = new Visit(held());
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(transport.clientChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .option(ChannelOption.SO_RCVBUF, 4 * 1024 * 1024)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, Allocators.receiving())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        receiver.addReceiveHandlers(ch.pipeline(), visit);
                        if (receiver.tls() != null) {
                            TlsPipelines.addClient(ch.pipeline(), receiver.tls().client(), config.origin().host(),
                                    config.origin().port(), "origin");
                        }
                    }
                });
        ChannelFuture connect;
        try {
            connect = bootstrap.connect(config.origin().host(), config.origin().port());
        } catch (RuntimeException e) {
            LOG.warn("cannot follow {}: {}", config.origin(), e.toString());
            nextVisit(config.interval().toNanos());
            return;
        }
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                LOG.info("origin {} unreachable ({}); next visit in {} ms", config.origin(),
                        ConnectFailures.reason(f.cause()), config.interval().toMillis());
                nextVisit(config.interval().toNanos());
            } else {
                visitChannel = connect.channel();
                if (stopped) { // stop() ran between the connect and now
                    connect.channel().close();
                }
                connect.channel().closeFuture().addListener(closed -> {
                    visitChannel = null;
                    afterVisit(visit, startedNanos);
                });
            }
        });
    }

    /** The release this follower holds now, or null (also when its {@code current} link cannot be read). */
    private Sha256 held() {
        try {
            return receiver.store().current(config.channel()).orElse(null);
        } catch (SkiffException e) {
            return null;
        }
    }

    private void afterVisit(Visit visit, long startedNanos) {
        if (stopped) {
            return;
        }
        if (!visit.succeeded || !visit.waited) {
            if (visit.waited) {
                LOG.info("visit to origin {} ended without a release; next visit in {} ms", config.origin(), config.interval().toMillis());
            }
            nextVisit(config.interval().toNanos());
        } else {
            long gap = Math.min(MIN_VISIT_GAP_NANOS, config.interval().toNanos());
            nextVisit(Math.max(0, gap - (System.nanoTime() - startedNanos)));
        }
    }

    private void nextVisit(long delayNanos) {
        if (!stopped && !group.isShuttingDown()) {
            group.schedule(this::visit, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Opens the visit (HELLO and FOLLOW_WAIT, or FOLLOW) and stays in the pipeline to see how it ends:
     * the session answering ALREADY_ACTIVE or ACTIVATED is a visit that ended well. From the origin's
     * HELLO on the origin sends and the session receives; this handler only looks.
     */
    private final class Visit extends ChannelDuplexHandler {
        private final Sha256 held;
        /** FOLLOW_WAIT was sent (not FOLLOW). */
        private volatile boolean waited;
        private volatile boolean succeeded;
        private boolean originAnswered;

        Visit(Sha256 held) {
            this.held = held;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            waited = !plainFollow && maxWaitSeconds > 0;
            ctx.write(new HelloFrame(FrameDescriptor.PROTOCOL_VERSION, "follower@" + receiver.store().root()));
            ctx.writeAndFlush(waited ? new FollowWaitFrame(config.channel(), held, maxWaitSeconds) : new FollowFrame(config.channel()));
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HelloFrame) {
                originAnswered = true;
            } else if (msg instanceof ErrorFrame error && !originAnswered && waited
                    && (error.code() == ErrorCode.UNEXPECTED_FRAME || error.code() == ErrorCode.UNKNOWN_FRAME_TYPE)) {
                LOG.info("origin {} does not take FOLLOW_WAIT ({}); asking with FOLLOW every {} ms from now on", config.origin(),
                        error.message(), config.interval().toMillis());
                plainFollow = true;
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof ActivatedFrame
                    || (msg instanceof OfferReplyFrame reply && reply.decision() == OfferReplyFrame.Decision.ALREADY_ACTIVE)) {
                succeeded = true;
            }
            ctx.write(msg, promise);
        }
    }
}
