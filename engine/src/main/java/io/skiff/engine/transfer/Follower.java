package io.skiff.engine.transfer;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.skiff.engine.transport.Transport;
import io.skiff.protocol.frame.FollowFrame;
import io.skiff.protocol.frame.FrameDescriptor;
import io.skiff.protocol.frame.HelloFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * A receiver that follows an origin ({@code skiff receive --follow ORIGIN --channel NAME}): on start,
 * and then {@code interval} after each visit ends, it connects to the origin, asks for the channel's
 * current release (HELLO, FOLLOW) and receives it on that connection exactly as from a push: delta
 * against what it holds, journal, verification, atomic switch. An unchanged release costs the
 * handshake; an unreachable origin is tried again at the next interval.
 */
final class Follower {
    private static final Logger LOG = LoggerFactory.getLogger(Follower.class);

    private final Receiver receiver;
    private final FollowConfig config;
    private final Transport transport;
    private final EventLoopGroup group;
    private volatile boolean stopped;

    Follower(Receiver receiver, FollowConfig config, Transport transport, EventLoopGroup group) {
        this.receiver = receiver;
        this.config = config;
        this.transport = transport;
        this.group = group;
    }

    void start() {
        group.execute(this::visit);
    }

    void stop() {
        stopped = true;
    }

    private void visit() {
        if (stopped) {
            return;
        }
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(transport.clientChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .option(ChannelOption.SO_RCVBUF, 4 * 1024 * 1024)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        receiver.addReceiveHandlers(ch.pipeline(), new FollowRequest());
                    }
                });
        ChannelFuture connect;
        try {
            connect = bootstrap.connect(config.origin().host(), config.origin().port());
        } catch (RuntimeException e) {
            LOG.warn("cannot follow {}: {}", config.origin(), e.toString());
            nextVisit();
            return;
        }
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                LOG.info("origin {} unreachable ({}); next visit in {} ms", config.origin(),
                        Pusher.connectFailureReason(f.cause()), config.interval().toMillis());
                nextVisit();
            } else {
                connect.channel().closeFuture().addListener(closed -> nextVisit());
            }
        });
    }

    private void nextVisit() {
        if (!stopped && !group.isShuttingDown()) {
            group.schedule(this::visit, config.interval().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Opens the visit: HELLO and FOLLOW(channel); from then on the origin sends and the session receives. */
    private final class FollowRequest extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.write(new HelloFrame(FrameDescriptor.PROTOCOL_VERSION, "follower@" + receiver.store().root()));
            ctx.writeAndFlush(new FollowFrame(config.channel()));
            ctx.fireChannelActive();
            ctx.pipeline().remove(this);
        }
    }
}
