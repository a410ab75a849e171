package io.skiff.engine.transfer;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
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
import io.skiff.engine.store.PublishedReleases;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.engine.transport.HostPort;
import io.skiff.engine.transport.Transport;
import io.skiff.engine.transport.WireByteCounter;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SkiffException;
import io.skiff.protocol.frame.ErrorFrame;
import io.skiff.protocol.frame.FollowFrame;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code skiff serve}: an origin that followers pull from. It serves the releases of a root laid out
 * like a receiver's (a receiver root, or a sender's history): a follower connects, says HELLO and
 * FOLLOW(channel), and the origin answers on that connection as a sender of the channel's current
 * release, with the release the follower holds as delta base when the origin still has it. One
 * release per connection; followers come back on their own schedule.
 */
public final class Origin implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Origin.class);

    private final ReleaseStore store;
    private final Duration idleTimeout;
    private final String name;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup ioGroup;
    private final Channel serverChannel;

    private Origin(HostPort listen, Path root, Duration idleTimeout, String name) {
        if (!Files.isDirectory(root)) {
            throw new SkiffException(ErrorCode.USAGE, "not a release root (no such directory): " + root);
        }
        this.store = ReleaseStore.inspect(root);
        this.idleTimeout = idleTimeout;
        this.name = name;
        Transport transport = Transport.best();
        this.bossGroup = transport.newEventLoopGroup(1, "skiff-origin-accept");
        this.ioGroup = transport.newEventLoopGroup(2, "skiff-origin-io");
        try {
            this.serverChannel = new ServerBootstrap()
                    .group(bossGroup, ioGroup)
                    .channel(transport.serverChannel())
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(2 * 1024 * 1024, 4 * 1024 * 1024))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline()
                                    .addLast("wireCounter", new WireByteCounter())
                                    .addLast("idle", new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS))
                                    .addLast("frameDecoder", new FrameDecoder())
                                    .addLast("frameEncoder", FrameEncoder.INSTANCE)
                                    .addLast("request", new FollowRequest());
                        }
                    })
                    .bind(listen.host(), listen.port()).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            shutdown();
            throw new SkiffException(ErrorCode.LISTEN_FAILED, "cannot listen on " + listen + ": " + e.getMessage(), e);
        }
        LOG.info("origin serving {} on {}", store.root(), serverChannel.localAddress());
    }

    public static Origin start(HostPort listen, Path root, Duration idleTimeout, String name) {
        return new Origin(listen, root, idleTimeout, name);
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public void awaitClose() throws InterruptedException {
        serverChannel.closeFuture().sync();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        shutdown();
    }

    private void shutdown() {
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Bases are the releases this root still holds; its files were verified when they arrived, but are re-hashed if modified since. */
    private Optional<PublishedReleases.Published> base(String channel, Sha256 id) {
        Path dir = store.releaseDir(channel, id);
        return Files.isDirectory(dir) ? store.loadManifest(channel, id).map(m -> new PublishedReleases.Published(m, dir)) : Optional.empty();
    }

    /** Reads HELLO and FOLLOW, then hands the connection to a {@link PushSession} of the channel's current release. */
    private final class FollowRequest extends ChannelInboundHandlerAdapter {
        private boolean helloSeen;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (!helloSeen && msg instanceof HelloFrame hello && hello.protocolVersion() == FrameDescriptor.PROTOCOL_VERSION) {
                    helloSeen = true;
                } else if (helloSeen && msg instanceof FollowFrame follow) {
                    serve(ctx, follow.channel());
                } else {
                    refuse(ctx, ErrorCode.UNEXPECTED_FRAME, "an origin expects HELLO (protocol " + FrameDescriptor.PROTOCOL_VERSION
                            + ") then FOLLOW, got " + msg);
                }
            } catch (SkiffException e) {
                refuse(ctx, e.code(), e.getMessage());
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void serve(ChannelHandlerContext ctx, String channel) {
            Sha256 current = store.current(channel).orElseThrow(() -> new SkiffException(ErrorCode.SOURCE_INVALID,
                    "this origin has no current release of " + channel));
            Manifest manifest = store.loadManifest(channel, current).orElseThrow(() -> new SkiffException(ErrorCode.STORAGE_FAILURE,
                    "the manifest of " + channel + " " + current.shortHex() + " is missing"));
            ChunkSource source = new ChunkSource(store.releaseDir(channel, current), manifest);
            ReleaseEncodings encodings = new ReleaseEncodings(manifest, source, Origin.this::base, PushOptions.DEFAULT_ZSTD_LEVEL, 0,
                    PooledByteBufAllocator.DEFAULT);
            String follower = String.valueOf(ctx.channel().remoteAddress());
            WireByteCounter counter = (WireByteCounter) ctx.pipeline().get("wireCounter");
            // encoders of this connection only: its zstd contexts are freed once they are idle, not under another follower
            ExecutorService encoders = Pusher.newEncoderPool(Runtime.getRuntime().availableProcessors(), "skiff-origin-encode");
            PushSession session = new PushSession(follower, manifest, encoders, encodings, 16, name, PushListener.NONE, counter, null, null, 1, null);
            session.result().whenComplete((r, e) -> {
                if (r != null && r.alreadyActive()) {
                    LOG.debug("{} already has {} {}", follower, channel, manifest.version());
                } else {
                    LOG.info("{} {} {} ({}): {}", follower, channel, manifest.version(), current.shortHex(),
                            r == null ? e : r.activated() ? "activated" : r.code().label() + " " + r.error());
                }
                encoders.shutdownNow();
                Thread closer = new Thread(() -> {
                    try {
                        encoders.awaitTermination(10, TimeUnit.SECONDS);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                    }
                    encodings.close();
                    source.close();
                }, "skiff-origin-release");
                closer.setDaemon(true);
                closer.start();
            });
            ctx.pipeline().replace(this, "session", session);
            session.start(ctx.pipeline().context(session));
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
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
