package io.skiff.engine.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts bytes handed to the socket and bytes read from it, framing included. Installed first in the
 * pipeline so it sees exactly what crosses the wire. Passes every message on untouched.
 */
public final class WireByteCounter extends ChannelDuplexHandler {
    private final LongAdder written = new LongAdder();
    private final LongAdder read = new LongAdder();

    public long bytesWritten() {
        return written.sum();
    }

    public long bytesRead() {
        return read.sum();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            read.add(buf.readableBytes());
        }
        ctx.fireChannelRead(msg);
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
