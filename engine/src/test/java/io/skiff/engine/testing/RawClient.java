package io.skiff.engine.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.skiff.protocol.frame.Frame;
import io.skiff.protocol.frame.FrameDecoder;
import io.skiff.protocol.frame.FrameEncoder;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A hand-driven peer for protocol tests: writes arbitrary bytes or frames to a receiver over a real
 * socket and reads back what the receiver answers until it closes the connection.
 */
public final class RawClient implements AutoCloseable {
    private final Socket socket;

    public RawClient(int port) throws IOException {
        this(InetAddress.getLoopbackAddress(), port);
    }

    /** Connects to loopback {@code port} from {@code local} (another 127.x address: another peer address). */
    public RawClient(InetAddress local, int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port, local, 0);
        socket.setSoTimeout(10_000);
    }

    public RawClient send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return this;
    }

    public RawClient send(Frame frame) throws IOException {
        if (frame instanceof io.skiff.protocol.frame.ChunkFrame chunk) {
            ByteBuf header = FrameEncoder.chunkHeader(UnpooledByteBufAllocator.DEFAULT, chunk);
            try {
                byte[] bytes = new byte[header.readableBytes() + chunk.payload().readableBytes()];
                header.readBytes(bytes, 0, header.readableBytes());
                chunk.payload().getBytes(chunk.payload().readerIndex(), bytes, bytes.length - chunk.payload().readableBytes(),
                        chunk.payload().readableBytes());
                return send(bytes);
            } finally {
                header.release();
                chunk.release();
            }
        }
        ByteBuf buf = FrameEncoder.encode(UnpooledByteBufAllocator.DEFAULT, frame);
        try {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return send(bytes);
        } finally {
            buf.release();
        }
    }

    /**
     * Reads until {@code count} frames arrived (the connection may stay open), at most 10 s.
     * @return the first {@code count} decoded frames; throws if fewer arrived
     */
    public List<Object> read(int count) throws IOException {
        EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder());
        List<Object> frames = new ArrayList<>();
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[1];
        try {
            while (frames.size() < count) {
                if (in.read(buf) < 0) {
                    throw new AssertionError("closed after " + frames + ", expected " + count + " frames");
                }
                decoder.writeInbound(Unpooled.copiedBuffer(buf));
                for (Object o; (o = decoder.readInbound()) != null; ) {
                    frames.add(o);
                    ReferenceCountUtil.release(o);
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("only " + frames + " within 10 s, expected " + count + " frames");
        } finally {
            decoder.finishAndReleaseAll();
        }
        return frames;
    }

    /**
     * Reads until the receiver closes the connection (or 10 s pass) and decodes what arrived.
     * @return the decoded frames; throws if the receiver kept the connection open
     */
    public List<Object> readUntilClosed() throws IOException {
        EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder());
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                decoder.writeInbound(Unpooled.copiedBuffer(buf, 0, n));
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("receiver did not close the connection within 10 s");
        } catch (IOException reset) {
            // a reset after the receiver's close is a close too
        }
        List<Object> frames = new ArrayList<>();
        for (Object o; (o = decoder.readInbound()) != null; ) {
            frames.add(o);
            ReferenceCountUtil.release(o);
        }
        decoder.finishAndReleaseAll();
        return frames;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
