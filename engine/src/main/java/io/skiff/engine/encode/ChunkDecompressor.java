package io.skiff.engine.encode;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdDictDecompress;
import com.github.luben.zstd.ZstdException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.frame.ChunkEncoding;
import io.skiff.protocol.frame.ChunkFrame;
import io.skiff.protocol.frame.ChunkReference;
import io.skiff.protocol.frame.FrameDescriptor;

import java.nio.ByteBuffer;

/**
 * Decodes a CHUNK frame's payload. Compressed payloads are decoded into a caller-owned buffer limited to
 * the chunk's exact length, so a decompression bomb fails instead of allocating.
 * Owns native zstd contexts: one instance per thread; {@link #close()} frees them.
 */
public final class ChunkDecompressor implements AutoCloseable {
    /** The chunk names a reference this receiver cannot supply: fetch it again without one. */
    public static final class ReferenceUnavailable extends RuntimeException {
        public ReferenceUnavailable(String message) {
            super(message, null, false, false);
        }
    }

    private final ZstdDecompressCtx ctx = new ZstdDecompressCtx();
    private final ZstdDecompressCtx refCtx = new ZstdDecompressCtx();

    /** Decodes a frame that cannot carry a reference (none is available). */
    public ByteBuffer[] decode(ChunkFrame frame, ByteBuffer scratch) {
        return decode(frame, scratch, null);
    }

    /**
     * @param scratch    direct buffer with capacity >= frame.rawLength(), used for encoded chunks
     * @param references the receiver's base release, compiled per reference window; null: none
     * @return the chunk's bytes, in order, each piece between its position and limit. A raw chunk: views of
     *         the payload where it lies (no copy; valid while the frame is), one piece, or several when the
     *         frame straddled socket reads (hash and write them piece by piece: gathering them was a copy of
     *         most received bytes, as reads are rarely chunk-aligned). A compressed one: {@code scratch}.
     */
    public ByteBuffer[] decode(ChunkFrame frame, ByteBuffer scratch, ReferenceDictionaries<ZstdDictDecompress> references) {
        ByteBuf payload = frame.payload();
        int rawLength = frame.rawLength();
        switch (frame.encoding()) {
            case RAW -> {
                if (payload.readableBytes() != rawLength) {
                    throw new ProtocolException(ErrorCode.CHUNK_DECODE_FAILED, "raw chunk ordinal=" + frame.ordinal()
                            + " has " + payload.readableBytes() + " bytes, expected " + rawLength);
                }
                return payload.nioBufferCount() == 1 ? new ByteBuffer[]{payload.nioBuffer()} : payload.nioBuffers();
            }
            case ZSTD, ZSTD_REF -> {
                ByteBuffer target = scratch.clear().limit(rawLength);
                // one piece of a read buffer as it is; a frame that straddled two reads is gathered into an array
                ByteBuffer src = payload.nioBufferCount() == 1 ? payload.nioBuffer() : ByteBuffer.wrap(ByteBufUtil.getBytes(payload));
                int size;
                if (frame.encoding() == ChunkEncoding.ZSTD_REF) {
                    ChunkReference ref = ChunkReference.peek(payload);
                    src.position(src.position() + FrameDescriptor.REFERENCE_HEADER_BYTES);
                    Integer decoded = references == null ? null : references.with(ref, dictionary -> {
                        refCtx.loadDict(dictionary); // referenced, not copied: replaced by the next load before any use
                        return decompress(refCtx, frame, target, src);
                    });
                    if (decoded == null) {
                        throw new ReferenceUnavailable("chunk ordinal=" + frame.ordinal() + " references base chunks "
                                + ref.start() + "+" + ref.count() + ", which this receiver cannot supply");
                    }
                    size = decoded;
                } else {
                    size = decompress(ctx, frame, target, src);
                }
                if (size != rawLength) {
                    throw new ProtocolException(ErrorCode.CHUNK_DECODE_FAILED, "zstd chunk ordinal=" + frame.ordinal()
                            + " decoded to " + size + " bytes, expected " + rawLength);
                }
                return new ByteBuffer[]{target.position(0).limit(rawLength)};
            }
            default -> throw new ProtocolException(ErrorCode.CHUNK_DECODE_FAILED, "unknown encoding " + frame.encoding());
        }
    }

    /** Into {@code target} from its position, at most its remaining bytes; returns how many. */
    private static int decompress(ZstdDecompressCtx ctx, ChunkFrame frame, ByteBuffer target, ByteBuffer src) {
        int capacity = target.remaining();
        try {
            if (src.isDirect()) {
                return ctx.decompressDirectByteBuffer(target, 0, capacity, src, src.position(), src.remaining());
            }
            if (src.hasArray()) {
                return ctx.decompressByteArrayToDirectByteBuffer(target, 0, capacity, src.array(),
                        src.arrayOffset() + src.position(), src.remaining());
            }
            byte[] bytes = new byte[src.remaining()];
            src.get(bytes);
            return ctx.decompressByteArrayToDirectByteBuffer(target, 0, capacity, bytes, 0, bytes.length);
        } catch (ZstdException e) {
            throw new ProtocolException(ErrorCode.CHUNK_DECODE_FAILED, "zstd chunk ordinal=" + frame.ordinal()
                    + " does not decode to " + frame.rawLength() + " bytes: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        ctx.close();
        refCtx.close();
    }
}
