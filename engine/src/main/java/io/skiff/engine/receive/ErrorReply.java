package io.skiff.engine.receive;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.SkiffException;
import io.skiff.protocol.frame.ErrorFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * How a receive session ends on a failure: sends ERROR, half-closes, and drains what the sender still has
 * in flight until it closes (or {@value #DRAIN_SECONDS} s pass).
 *
 * <p>Pitfall: closing with unread input would make the kernel send a reset, which can destroy the ERROR
 * frame before the sender reads it.
 */
final class ErrorReply {
    private static final Logger LOG = LoggerFactory.getLogger(ReceiveSession.class);
    private static final long DRAIN_SECONDS = 10;

    private ErrorReply() {
    }

    /** The code and message a session answers {@code e} with: its own for an expected failure; a bug is INTERNAL, logged with its stack. */
    static ErrorFrame of(RuntimeException e, String peer) {
        if (e instanceof SkiffException s) {
            return new ErrorFrame(s.code(), s.getMessage());
        }
        LOG.error("receive session {} failed unexpectedly", peer, e);
        return new ErrorFrame(ErrorCode.INTERNAL, e.toString());
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
