package io.skiff.engine.transport;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.frame.ErrorFrame;
import io.skiff.protocol.frame.HelloFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes an accepted connection whose peer has not said HELLO within the deadline (one ERROR
 * {@code connection_lost} frame first, as for an idle peer): a connection that
 * only holds a socket (or a TLS handshake it never finishes) costs the receiver a file descriptor and
 * buffers, so it may not hold them for the whole idle timeout. Sits after the frame decoder; leaves the
 * pipeline at the HELLO.
 */
public final class HelloDeadline extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(HelloDeadline.class);
    /** How long an accepted connection may stay without a HELLO (or the idle timeout, if shorter). */
    public static final Duration DEFAULT = Duration.ofSeconds(10);

    private final Duration deadline;
    private ScheduledFuture<?> timer;

    public HelloDeadline(Duration deadline) {
        this.deadline = deadline;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            arm(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        arm(ctx);
        ctx.fireChannelActive();
    }

    private void arm(ChannelHandlerContext ctx) {
        if (timer == null) {
            timer = ctx.executor().schedule(() -> {
                String why = "no HELLO within " + deadline.toMillis() + " ms";
                LOG.warn("closed {}: {}", ctx.channel().remoteAddress(), why);
                ctx.writeAndFlush(new ErrorFrame(ErrorCode.CONNECTION_LOST, why)).addListener(ChannelFutureListener.CLOSE);
            }, deadline.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HelloFrame) {
            cancel();
            ctx.pipeline().remove(this);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
