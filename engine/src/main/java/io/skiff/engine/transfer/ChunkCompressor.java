package io.skiff.engine.transfer;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.skiff.protocol.frame.ChunkEncoding;
import io.skiff.protocol.frame.ChunkFrame;

import java.nio.ByteBuffer;

/**
 * Encodes one chunk for the wire: zstd when that saves at least 1/32 of the bytes, raw otherwise.
 * Owns a native zstd context, so one instance per thread; {@link #close()} frees it.
 */
public final class ChunkCompressor implements AutoCloseable {
    private final ZstdCompressCtx ctx;
    private final boolean enabled;

    /** @param level zstd level; 0 disables compression (every chunk is sent raw) */
    public ChunkCompressor(int level) {
        this.enabled = level != 0;
        this.ctx = new ZstdCompressCtx().setLevel(enabled ? level : 1).setChecksum(false).setContentSize(true);
    }

    /** False when the level is 0: every chunk is sent raw. */
    public boolean enabled() {
        return enabled;
    }

    /**
     * @param raw         direct buffer holding exactly the chunk's bytes; ownership passes to this
     *                    method: it becomes the frame's payload (sent raw, no copy) or is released
     * @param tryCompress false to send raw without trying (the chunk is known not to compress)
     * @return a frame owning its payload; the caller passes it on or releases it
     */
    public ChunkFrame encode(ByteBufAllocator alloc, int ordinal, ByteBuf raw, boolean tryCompress) {
        int rawLength = raw.readableBytes();
        if (enabled && tryCompress) {
            ByteBuf out = alloc.directBuffer((int) Zstd.compressBound(rawLength));
            try {
                ByteBuffer src = raw.nioBuffer();
                ByteBuffer dst = out.nioBuffer(0, out.capacity());
                int size = ctx.compressDirectByteBuffer(dst, 0, dst.capacity(), src, src.position(), rawLength);
                if (size < rawLength - (rawLength >>> 5)) {
                    out.writerIndex(size);
                    ChunkFrame frame = new ChunkFrame(ordinal, ChunkEncoding.ZSTD, rawLength, out);
                    out = null;
                    raw.release();
                    return frame;
                }
            } finally {
                if (out != null) {
                    out.release();
                }
            }
        }
        return new ChunkFrame(ordinal, ChunkEncoding.RAW, rawLength, raw);
    }

    @Override
    public void close() {
        ctx.close();
    }
}
