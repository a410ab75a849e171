package io.skiff.engine.follow;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.OriginConfig;
import io.skiff.engine.api.PushListener;
import io.skiff.engine.api.RunningServer;
import io.skiff.engine.security.AccessPolicy;
import io.skiff.engine.security.TlsMaterial;
import io.skiff.engine.send.OutboundSizeEstimator;
import io.skiff.engine.send.PushSession;
import io.skiff.engine.send.TrustFrames;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.engine.store.SignedReleases;
import io.skiff.engine.transport.Allocators;
import io.skiff.engine.transport.TlsPipelines;
import io.skiff.engine.transport.Transport;
import io.skiff.engine.transport.WireByteCounter;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SkiffException;
import io.skiff.protocol.SourceException;
import io.skiff.protocol.UsageException;
import io.skiff.protocol.frame.ErrorFrame;
import io.skiff.protocol.frame.FollowFrame;
import io.skiff.protocol.frame.FollowWaitFrame;
import io.skiff.protocol.frame.FrameDecoder;
import io.skiff.protocol.frame.FrameDescriptor;
import io.skiff.protocol.frame.FrameEncoder;
import io.skiff.protocol.frame.HelloFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code skiff serve}: an origin that followers pull from. It serves the releases of a root laid out
 * like a receiver's (a receiver root, or a sender's history): a follower connects, says HELLO and
 * FOLLOW_WAIT(channel, held release, max wait) or FOLLOW(channel), and the origin answers on that
 * connection as a sender of the channel's current release, with the release the follower holds as
 * delta base when the origin still has it. One release per connection.
 *
 * <p>FOLLOW_WAIT is a long poll: when the follower already holds the current release, the connection
 * is held (nothing is sent) until the channel's {@code current} link changes or the wait is over,
 * whichever is first, and is then served; a held connection costs a socket and an entry in
 * {@link FollowWaiters}. A watch thread reads the {@code current} link of every channel somebody waits
 * on every {@value #WATCH_MILLIS} ms: one {@code readlink} per channel, not per follower, and no file
 * system notification API, so it behaves the same on every platform and on network file systems.
 *
 * <p>Bounds: at most {@code maxWaitingFollowers} held connections (one more gets ERROR busy and polls);
 * a connection is held at most the follower's max wait (at most
 * {@link io.skiff.protocol.ProtocolLimits#MAX_FOLLOW_WAIT_SECONDS}) and at most the idle timeout, so the
 * idle timeout stays the longest an origin connection is silent; a new release is sent to at most
 * {@value #MAX_WOKEN_TRANSFERS} held followers at a time (the others stay held until a transfer is over
 * or their wait runs out).
 *
 * <p>Grants ({@code --config}, {@link AccessPolicy}): FOLLOW and FOLLOW_WAIT need a grant of {@code follow}
 * on the channel for the identity of the follower's certificate; a refusal is an ERROR not_authorized
 * on that connection only. The deciding grant's tenant, if any, says where the channel is served from:
 * {@code ROOT/<tenant>/<channel>} instead of {@code ROOT/<channel>} ({@link OriginStores}). Grants name TLS
 * identities, so an origin with grants and without TLS does not start.
 */
public final class Origin implements RunningServer {
    private static final Logger LOG = LoggerFactory.getLogger(Origin.class);
    /** Held followers (FOLLOW_WAIT) per origin unless configured otherwise. */
    public static final int DEFAULT_MAX_WAITING_FOLLOWERS = 10_000;
    /** How often the {@code current} links of waited-on channels are read. */
    static final long WATCH_MILLIS = 250;
    /**
     * Transfers of a new release to held followers running at once. They share the release's encodings
     * and encoder pool, but each has its own delta and socket, and more at once only share the same cores.
     */
    static final int MAX_WOKEN_TRANSFERS = 32;

    private final OriginStores stores;
    private final AccessPolicy policy;
    /** The origin's key material; null when it speaks plaintext. */
    private final TlsMaterial tls;
    private final Duration idleTimeout;
    private final String name;
    private final FollowWaiters waiters;
    private final ServedReleases servedReleases = new ServedReleases();
    private final ScheduledExecutorService watch;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup ioGroup;
    private final Channel serverChannel;

    private Origin(OriginConfig config) {
        HostPort listen = config.listen();
        Path root = config.root();
        Duration idleTimeout = config.idleTimeout();
        String name = config.name();
        int maxWaitingFollowers = config.maxWaitingFollowers();
        if (!Files.isDirectory(root)) {
            throw new UsageException("not a release root (no such directory): " + root);
        }
        if (maxWaitingFollowers < 0 || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("maxWaitingFollowers=" + maxWaitingFollowers + " idleTimeout=" + idleTimeout);
        }
        this.tls = config.tls() == null ? null : TlsMaterial.load(config.tls());
        this.policy = AccessPolicy.forNode(config.grants(), tls != null, "an origin");
        this.stores = new OriginStores(root);
        this.idleTimeout = idleTimeout;
        this.name = name;
        this.waiters = new FollowWaiters(maxWaitingFollowers, MAX_WOKEN_TRANSFERS, stores::current, System::nanoTime);
        this.watch = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "skiff-origin-watch");
            t.setDaemon(true);
            return t;
        });
        watch.scheduleWithFixedDelay(this::checkWaiters, WATCH_MILLIS, WATCH_MILLIS, TimeUnit.MILLISECONDS);
        Transport transport = Transport.best();
        this.bossGroup = transport.newEventLoopGroup(1, "skiff-origin-accept");
        this.ioGroup = transport.newEventLoopGroup(2, "skiff-origin-io");
        try {
            this.serverChannel = new ServerBootstrap()
                    .group(bossGroup, ioGroup)
                    .channel(transport.serverChannel())
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.ALLOCATOR, Allocators.sending())
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(2 * 1024 * 1024, 4 * 1024 * 1024))
                    .childOption(ChannelOption.MESSAGE_SIZE_ESTIMATOR, OutboundSizeEstimator.INSTANCE)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline()
                                    .addLast("wireCounter", new WireByteCounter())
                                    .addLast("idle", new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS))
                                    .addLast("frameDecoder", new FrameDecoder())
                                    .addLast("frameEncoder", FrameEncoder.INSTANCE)
                                    .addLast("request", new FollowRequest());
                            if (tls != null) {
                                TlsPipelines.addServer(ch.pipeline(), tls.server(), "origin");
                            }
                        }
                    })
                    .bind(listen.host(), listen.port()).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            shutdown();
            throw new SkiffException(ErrorCode.LISTEN_FAILED, "cannot listen on " + listen + ": " + e.getMessage(), e);
        }
        LOG.info("origin serving {} on {} {}{}", stores.root(), serverChannel.localAddress(),
                TlsMaterial.describe(tls),
                policy.open() ? "" : ", grants from " + config.grants());
    }

    public static Origin start(HostPort listen, Path root, Duration idleTimeout, String name) {
        return start(OriginConfig.plaintext(listen, root, idleTimeout, name, DEFAULT_MAX_WAITING_FOLLOWERS));
    }

    /**
     * @param idleTimeout         a connection silent this long is dropped, before FOLLOW or during a
     *                            transfer; a held follower is served after at most this long
     * @param maxWaitingFollowers followers held at once (FOLLOW_WAIT); one more is answered ERROR busy
     *                            unless its release is stale (then it is served at once), and polls
     */
    public static Origin start(HostPort listen, Path root, Duration idleTimeout, String name, int maxWaitingFollowers) {
        return start(OriginConfig.plaintext(listen, root, idleTimeout, name, maxWaitingFollowers));
    }

    /** Starts an origin as {@code config} says: its root, TLS material and grants among the rest. */
    public static Origin start(OriginConfig config) {
        return new Origin(config);
    }

    /** Followers held now, waiting for a new release. */
    public int waitingFollowers() {
        return waiters.size();
    }

    @Override
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    @Override
    public boolean reloadTls() {
        return tls != null && tls.reload();
    }

    @Override
    public void awaitClose() throws InterruptedException {
        serverChannel.closeFuture().sync();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        shutdown();
    }

    private void shutdown() {
        watch.shutdownNow();
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private void checkWaiters() {
        try {
            waiters.check();
        } catch (RuntimeException e) { // an exception would cancel the schedule
            LOG.warn("checking for new releases failed: {}", e.toString());
        }
    }

    /**
     * Reads HELLO and FOLLOW or FOLLOW_WAIT, holds the connection while a FOLLOW_WAIT's release is
     * current, then hands the connection to a {@link PushSession} of the channel's current release.
     * FOLLOW and FOLLOW_WAIT are authorized first; the deciding grant's tenant picks the store.
     * Runs on the connection's event loop; its fields are only touched there.
     */
    private final class FollowRequest extends ChannelInboundHandlerAdapter {
        private boolean helloSeen;
        /** The protocol the follower said in HELLO; the origin answers in it. */
        private int followerProtocol;
        /** Set while this connection is held. */
        private FollowWaiters.Waiter waiting;
        /** The channel asked for, once authorized; the tenant of the grant (null: untenanted) and its store. */
        private String channel;
        private String tenant;
        private ReleaseStore channelStore;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (waiting != null) {
                    stopWaiting();
                    refuse(ctx, ErrorCode.UNEXPECTED_FRAME, "a follower waiting for a new release sends nothing, got " + msg);
                } else if (!helloSeen && msg instanceof HelloFrame hello && hello.protocolVersion() >= FrameDescriptor.OLDEST_PROTOCOL_VERSION
                        && hello.protocolVersion() <= FrameDescriptor.PROTOCOL_VERSION) {
                    helloSeen = true;
                    followerProtocol = hello.protocolVersion();
                } else if (helloSeen && msg instanceof FollowFrame follow) {
                    admit(ctx, follow.channel());
                    serve(ctx, () -> { });
                } else if (helloSeen && msg instanceof FollowWaitFrame follow) {
                    admit(ctx, follow.channel());
                    followWait(ctx, follow);
                } else {
                    refuse(ctx, ErrorCode.UNEXPECTED_FRAME, "an origin expects HELLO (protocol " + FrameDescriptor.OLDEST_PROTOCOL_VERSION
                            + " to " + FrameDescriptor.PROTOCOL_VERSION + ") then FOLLOW or FOLLOW_WAIT, got " + msg);
                }
            } catch (SkiffException e) {
                refuse(ctx, e.code(), e.getMessage());
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        /** The connection's identity may follow {@code channel} (else NOT_AUTHORIZED); where it is served from. */
        private void admit(ChannelHandlerContext ctx, String channel) {
            AccessPolicy.Grant grant = policy.authorize(TlsPipelines.peerIdentity(ctx.pipeline()), channel, AccessPolicy.Action.FOLLOW);
            this.channelStore = stores.of(grant.tenant());
            this.tenant = grant.tenant();
            this.channel = channel;
        }

        /** Serves at once unless the follower holds the current release and may wait; then holds the connection. */
        private void followWait(ChannelHandlerContext ctx, FollowWaitFrame follow) {
            Optional<Sha256> current = channelStore.current(channel);
            if (current.isEmpty() || !current.get().equals(follow.held()) || follow.maxWaitSeconds() == 0) {
                serve(ctx, () -> { });
                return;
            }
            long holdNanos = Math.min(TimeUnit.SECONDS.toNanos(follow.maxWaitSeconds()), idleTimeout.toNanos());
            FollowWaiters.Waiter waiter = new FollowWaiters.Waiter(OriginStores.where(tenant, channel), follow.held(),
                    System.nanoTime() + holdNanos, done -> ctx.executor().execute(() -> wake(ctx, done)));
            if (!waiters.add(waiter)) {
                refuse(ctx, ErrorCode.BUSY, "this origin already holds " + waiters.size() + " waiting follower(s), its maximum; ask again later");
                return;
            }
            waiting = waiter;
            LOG.debug("{} waits up to {} s for a release of {} after {}", ctx.channel().remoteAddress(),
                    TimeUnit.NANOSECONDS.toSeconds(holdNanos), OriginStores.where(tenant, channel), current.get().shortHex());
        }

        /** The held connection's release changed or its wait is over: serve it now (on its event loop). */
        private void wake(ChannelHandlerContext ctx, Runnable done) {
            FollowWaiters.Waiter w = waiting;
            waiting = null;
            if (w == null || !ctx.channel().isActive()) {
                done.run();
                return;
            }
            try {
                serve(ctx, done);
            } catch (SkiffException e) {
                done.run();
                refuse(ctx, e.code(), e.getMessage());
            }
        }

        private void stopWaiting() {
            if (waiting != null) {
                waiters.remove(waiting);
                waiting = null;
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            stopWaiting();
            ctx.fireChannelInactive();
        }

        /** {@code done} runs once the session is over (frees a woken transfer's place). */
        private void serve(ChannelHandlerContext ctx, Runnable done) {
            String channel = this.channel;
            Sha256 current = channelStore.current(channel).orElseThrow(() -> new SourceException(channelStore.channelDir(channel),
                    "this origin has no current release of " + channel + (tenant == null ? "" : " (tenant " + tenant + ")")));
            // read before the release is acquired: a file that does not read fails the serve with nothing to give back
            TrustFrames trust = new TrustFrames(ServedRotations.of(stores.root(), channel), // a mirror forwards, not signs
                    SignedReleases.load(channelStore, channel, current).orElse(null));
            ServedReleases.Served served = servedReleases.acquire(channelStore, tenant, channel, current);
            Manifest manifest = served.manifest;
            String follower = String.valueOf(ctx.channel().remoteAddress());
            WireByteCounter counter = (WireByteCounter) ctx.pipeline().get("wireCounter");
            PushSession session = new PushSession(follower, manifest, served.encoders, served.encodings, 16, name, PushListener.NONE,
                    counter, null, null, 1, null).speaking(followerProtocol)
                    .signedWith(trust);
            session.result().whenComplete((r, e) -> {
                if (r != null && r.alreadyActive()) {
                    LOG.debug("{} already has {} {}", follower, OriginStores.where(tenant, channel), manifest.version());
                } else {
                    LOG.info("{} {} {} ({}): {}", follower, OriginStores.where(tenant, channel), manifest.version(), current.shortHex(),
                            r == null ? e : r.activated() ? "activated" : r.code().label() + " " + r.error());
                }
                done.run();
                servedReleases.release(served);
            });
            ctx.pipeline().replace(this, "session", session);
            session.start(ctx.pipeline().context(session));
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent && waiting != null) {
                if (waiters.remove(waiting)) { // else the watch thread has woken it already
                    wake(ctx, () -> { });
                }
                return; // the wait is over, not the connection: the session now after this handler must not see it
            }
            if (evt instanceof IdleStateEvent) {
                refuse(ctx, ErrorCode.CONNECTION_LOST, "no FOLLOW within " + idleTimeout.toSeconds() + " s");
            }
            ctx.fireUserEventTriggered(evt);
        }

        private void refuse(ChannelHandlerContext ctx, ErrorCode code, String message) {
            LOG.info("{} refused: {} {}", ctx.channel().remoteAddress(), code.label(), message);
            ctx.writeAndFlush(new ErrorFrame(code, message)).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
