package io.skiff.engine.receive;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.frame.ErrorFrame;

import java.util.concurrent.TimeUnit;

/**
 * How a receive session ends on a failure: sends ERROR, half-closes, and drains what the sender still has
 * in flight until it closes (or {@value #DRAIN_SECONDS} s pass).
 *
 * <p>Pitfall: closing with unread input would make the kernel send a reset, which can destroy the ERROR
 * frame before the sender reads it.
 */
final class ErrorReply {
    private static final long DRAIN_SECONDS = 10;

    private ErrorReply() {
    }

    static void send(ChannelHandlerContext ctx, ErrorCode code, String message) {
        ctx.writeAndFlush(new ErrorFrame(code, message)).addListener((ChannelFutureListener) f -> {
            if (f.channel() instanceof DuplexChannel duplex) {
                duplex.shutdownOutput();
            }
            f.channel().eventLoop().schedule(() -> f.channel().close(), DRAIN_SECONDS, TimeUnit.SECONDS);
        });
    }
}
