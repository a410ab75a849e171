package io.skiff.engine.send;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.skiff.engine.transport.ConnectFailures;
import io.skiff.protocol.AccessException;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.frame.DecodeFailure;
import io.skiff.protocol.frame.ErrorFrame;
import io.skiff.protocol.frame.HelloFrame;
import io.skiff.protocol.frame.JoinFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The connections a push session deals its chunks over: its own, and up to {@code streams - 1} extra
 * ones opened after WANT, each saying HELLO and JOIN and then carrying only CHUNK/RAW_RUN frames.
 * Chunks go round the connections in turn, skipping one whose outbound buffer is full. All on the
 * session's event loop. The extras close once their last chunk is written (refetched chunks then
 * go on the first connection), or when the session ends.
 */
final class ParallelStreams {
    private static final Logger LOG = LoggerFactory.getLogger(ParallelStreams.class);
    /** Fewest wanted chunks per stream for an extra stream to be worth its handshake. */
    static final int MIN_CHUNKS_PER_STREAM = 4;

    /** Opens one more connection to the target, on {@code loop}, with {@code handler} last in its pipeline. */
    interface Opener {
        ChannelFuture open(EventLoop loop, ChannelHandler handler);
    }

    /** What the streams need from their session (on the event loop). */
    interface Owner {
        /** The session is streaming the wanted chunks (not yet committed, not ended). */
        boolean streaming();

        /** A connection can take more chunks, or the last pending stream connected: deal chunks. */
        void pump();

        void fail(ErrorCode code, String message);
    }

    private final String target;
    private final Manifest manifest;
    private final String senderName;
    private final int streams;
    private final Opener opener;
    private final Owner owner;
    private Channel first;
    /** Extra streams that joined the transfer and still carry chunks. */
    private final List<Channel> extra = new ArrayList<>();
    /** Round-robin position over the first connection and the extra streams. */
    private int next;
    /** Extra streams still connecting: chunks wait for them, so every stream gets its share from the start. */
    private int connecting;

    /**
     * @param streams connections to spread the chunks over, the first included
     * @param opener  opens the extra ones; null when {@code streams} is 1
     */
    ParallelStreams(String target, Manifest manifest, String senderName, int streams, Opener opener, Owner owner) {
        this.target = target;
        this.manifest = manifest;
        this.senderName = senderName;
        this.streams = streams;
        this.opener = opener;
        this.owner = owner;
    }

    /** After WANT: {@code first} carries chunks, and as many extra streams as {@code wantedChunks} are worth start connecting. */
    void open(Channel first, int wantedChunks, int protocol) {
        this.first = first;
        if (opener == null) {
            return;
        }
        int more = Math.min(streams - 1, wantedChunks / MIN_CHUNKS_PER_STREAM - 1);
        connecting = Math.max(0, more);
        for (int i = 1; i <= more; i++) {
            int index = i;
            opener.open(first.eventLoop(), new ExtraStream(index, protocol)).addListener(f -> {
                if (!f.isSuccess()) {
                    LOG.info("{} extra stream {} did not connect ({}); going on with fewer", target, index,
                            ConnectFailures.reason(f.cause()));
                    connected();
                }
            });
        }
    }

    /** Some extra stream is still connecting: no chunk goes out until each has joined or failed to. */
    boolean connecting() {
        return connecting > 0;
    }

    /**
     * The next connection in turn that the socket accepts more on (else the next in turn): chunks are
     * dealt round the streams, skipping one whose window is full.
     */
    Channel next() {
        int count = extra.size() + 1;
        for (int i = 0; i < count; i++) {
            Channel candidate = connection(next++ % count);
            if (candidate.isWritable()) {
                return candidate;
            }
        }
        return connection(next++ % count);
    }

    boolean anyWritable() {
        if (first.isWritable()) {
            return true;
        }
        for (Channel stream : extra) {
            if (stream.isWritable()) {
                return true;
            }
        }
        return false;
    }

    void flushAll() {
        first.flush();
        for (Channel stream : extra) {
            stream.flush();
        }
    }

    /** Every wanted chunk is written: the extra streams close once that is on the wire. */
    void closeWhenWritten() {
        for (Channel stream : extra) {
            stream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        extra.clear();
    }

    /** The session ended: its extra streams close now. */
    void closeAll() {
        for (Channel stream : extra) {
            stream.close();
        }
        extra.clear();
    }

    private Channel connection(int index) {
        return index == 0 ? first : extra.get(index - 1);
    }

    /** One extra stream is connected (and has sent JOIN) or failed to: chunks flow once none is pending. */
    private void connected() {
        connecting--;
        owner.pump();
    }

    /**
     * An extra stream: HELLO and JOIN, then only chunks from the session. The receiver never writes on
     * it except an ERROR; losing it while chunks are due fails the attempt (a retry resumes).
     * Releases every frame it reads.
     */
    private final class ExtraStream extends ChannelInboundHandlerAdapter {
        private final int index;
        private final int protocol;

        ExtraStream(int index, int protocol) {
            this.index = index;
            this.protocol = protocol;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (!owner.streaming()) {
                connecting--;
                ctx.close();
                return;
            }
            ctx.write(new HelloFrame(protocol, senderName));
            ctx.writeAndFlush(new JoinFrame(manifest.channel(), manifest.releaseId()));
            extra.add(ctx.channel());
            connected();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof ErrorFrame error) {
                    owner.fail(error.code(), "stream " + index + ": " + error.message());
                } else if (msg instanceof DecodeFailure failure) {
                    owner.fail(failure.code(), "stream " + index + ": bad bytes from target: " + failure.message());
                } else {
                    owner.fail(ErrorCode.UNEXPECTED_FRAME, "stream " + index + ": unexpected " + msg.getClass().getSimpleName());
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                owner.pump();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (extra.remove(ctx.channel()) && owner.streaming()) {
                owner.fail(ErrorCode.CONNECTION_LOST, "stream " + index + " closed by target during streaming");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof AccessException refused) {
                owner.fail(refused.code(), "stream " + index + ": " + refused.getMessage());
                return;
            }
            owner.fail(ErrorCode.CONNECTION_LOST, "stream " + index + " error: " + cause.getMessage());
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            // idle: the first connection watches the target
        }
    }
}
