package io.skiff.engine.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts bytes handed to the socket, framing included. Installed first in the pipeline so it sees
 * exactly what the sender puts on the wire. Passes every message on untouched.
 */
@ChannelHandler.Sharable // one counter for all streams of a target
public final class WireByteCounter extends ChannelOutboundHandlerAdapter {
    private final LongAdder written = new LongAdder();

    public long bytesWritten() {
        return written.sum();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf) {
            written.add(buf.readableBytes());
        } else if (msg instanceof ByteBufHolder holder) {
            written.add(holder.content().readableBytes());
        } else if (msg instanceof FileRegion region) {
            written.add(region.count());
        }
        ctx.write(msg, promise);
    }
}
