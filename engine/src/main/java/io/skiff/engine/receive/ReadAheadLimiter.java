package io.skiff.engine.receive;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.skiff.protocol.frame.ChunkFrame;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets the event loop read ahead of the receive session, up to a bound. Sits on the event loop just
 * before the session (which runs on a disk thread): every frame passed on adds its size to the bytes
 * in flight; above {@code highBytes} auto-read is switched off, and when the session has processed
 * enough to fall below {@code lowBytes} it is switched on again. So socket reads and disk work overlap,
 * memory stays bounded, and a slow disk pushes back on the sender through TCP.
 */
public final class ReadAheadLimiter extends ChannelInboundHandlerAdapter {
    /** What a frame without a payload counts for. */
    private static final int SMALL_FRAME_BYTES = 64;

    private final long highBytes;
    private final long lowBytes;
    private final AtomicLong inFlight = new AtomicLong();
    private volatile Channel channel;

    public ReadAheadLimiter(long highBytes, long lowBytes) {
        if (lowBytes < 0 || highBytes <= lowBytes) {
            throw new IllegalArgumentException("highBytes=" + highBytes + " lowBytes=" + lowBytes);
        }
        this.highBytes = highBytes;
        this.lowBytes = lowBytes;
    }

    public static int sizeOf(Object msg) {
        return msg instanceof ChunkFrame chunk ? SMALL_FRAME_BYTES + chunk.payload().readableBytes() : SMALL_FRAME_BYTES;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (inFlight.addAndGet(sizeOf(msg)) > highBytes && ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(false);
        }
        ctx.fireChannelRead(msg);
    }

    /** Called by the session, from its own thread, once it is done with a message of {@code size}. */
    public void processed(int size) {
        Channel ch = channel;
        if (inFlight.addAndGet(-size) < lowBytes && ch != null && !ch.config().isAutoRead()) {
            ch.config().setAutoRead(true);
        }
    }
}
