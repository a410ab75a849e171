package io.skiff.engine.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.util.ReferenceCountUtil;

import java.io.EOFException;
import java.io.IOException;

/**
 * Turns {@link FileRegion}s into buffers, for a connection that encrypts: {@code sendfile} hands file
 * bytes to the socket past user space, where TLS cannot reach them, and Netty's {@code SslHandler}
 * refuses regions. A {@link FileSlice} is read with one positional read into a pooled direct buffer
 * (what encryption needs anyway: one copy, where plaintext had none). Sits between the TLS handler and
 * the rest of the pipeline; passes anything else on untouched.
 */
@ChannelHandler.Sharable
public final class FileRegionReader extends ChannelOutboundHandlerAdapter {
    public static final FileRegionReader INSTANCE = new FileRegionReader();

    private FileRegionReader() {
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws IOException {
        if (!(msg instanceof FileRegion region)) {
            ctx.write(msg, promise);
            return;
        }
        ByteBuf buf = null;
        try {
            int count = Math.toIntExact(region.count() - region.transferred());
            buf = ctx.alloc().directBuffer(count, count);
            if (region instanceof FileSlice slice) {
                long position = slice.position() + slice.transferred();
                while (buf.isWritable()) {
                    if (buf.writeBytes(slice.file(), position + buf.writerIndex(), buf.writableBytes()) < 0) {
                        throw new EOFException("file ended " + buf.writableBytes() + " bytes before the chunk did");
                    }
                }
            } else {
                region.transferTo(new BufferSink(buf), region.transferred());
            }
            ByteBuf out = buf;
            buf = null;
            ctx.write(out, promise);
        } finally {
            ReferenceCountUtil.release(region);
            if (buf != null) {
                buf.release();
            }
        }
    }

    /** Writes into a buffer, for regions that can only transfer to a channel. */
    private record BufferSink(ByteBuf buf) implements java.nio.channels.WritableByteChannel {
        @Override
        public int write(java.nio.ByteBuffer src) {
            int n = Math.min(src.remaining(), buf.writableBytes());
            java.nio.ByteBuffer part = src.slice();
            part.limit(n);
            buf.writeBytes(part);
            src.position(src.position() + n);
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
