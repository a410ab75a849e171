package io.skiff.engine.receive;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.skiff.protocol.frame.ChunkFrame;

import java.util.ArrayList;
import java.util.List;

/**
 * Passes the chunk frames of one socket read burst to the receive session as one {@link ChunkBatch}.
 *
 * <p>The session runs on a disk thread, so every message the event loop hands it is a task and, when
 * that thread sleeps, a wake-up of it: one per chunk made the session thread sleep and wake for every
 * chunk, and on a VM each wake-up is a cross-CPU interrupt (docs/benchmarks.md, "Figures behind the
 * code"). A burst is one to a few reads of up to 1 MiB, so a batch carries a handful to a
 * few dozen chunks; the read-ahead bound before this handler still counts every frame on its own.
 *
 * <p>Order is kept: any other message, the end of a read burst and the end of the connection pass the
 * pending chunks on first. A batch of one is passed on as the chunk itself.
 */
final class ChunkBatcher extends ChannelInboundHandlerAdapter {
    /** At most this many chunks wait for the end of a burst; verifiers get the first ones sooner. */
    static final int MAX_BATCH = 64;

    private List<ChunkFrame> pending = new ArrayList<>();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ChunkFrame chunk) {
            pending.add(chunk);
            if (pending.size() >= MAX_BATCH) {
                passOn(ctx);
            }
            return;
        }
        passOn(ctx);
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        passOn(ctx);
        ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        passOn(ctx);
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        passOn(ctx);
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        passOn(ctx); // received whole before the cut: the session verifies and journals them
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        pending.forEach(ReferenceCountUtil::release);
        pending.clear();
    }

    private void passOn(ChannelHandlerContext ctx) {
        if (pending.isEmpty()) {
            return;
        }
        List<ChunkFrame> chunks = pending;
        pending = new ArrayList<>(chunks.size());
        ctx.fireChannelRead(chunks.size() == 1 ? chunks.get(0) : new ChunkBatch(chunks));
    }

    /** Chunk frames in arrival order; whoever takes the batch releases every frame in it. */
    record ChunkBatch(List<ChunkFrame> chunks) {
        /**
         * Hands every chunk, in order, to {@code taker}, which releases it; if {@code taker} throws, the
         * chunks after that one are released here before the exception leaves.
         */
        void forEach(java.util.function.Consumer<ChunkFrame> taker) {
            int i = 0;
            try {
                for (; i < chunks.size(); i++) {
                    taker.accept(chunks.get(i));
                }
            } finally {
                for (i++; i < chunks.size(); i++) {
                    ReferenceCountUtil.release(chunks.get(i));
                }
            }
        }
    }
}
