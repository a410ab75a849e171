package io.skiff.engine.transfer;

import com.github.luben.zstd.ZstdDecompressCtx;
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
    /** Where the bytes of a zstd+reference chunk's reference come from (the receiver's base release). */
    @FunctionalInterface
    public interface References {
        /** The verified reference bytes, or null when this receiver cannot supply them. */
        byte[] bytes(ChunkReference ref);
    }

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
        return decode(frame, scratch, ref -> null);
    }

    /**
     * @param scratch direct buffer with capacity >= frame.rawLength(), used for encoded chunks
     * @return the chunk's bytes, in order, each piece between its position and limit. A raw chunk: views of
     *         the payload where it lies (no copy; valid while the frame is), one piece, or several when the
     *         frame straddled socket reads (hash and write them piece by piece: gathering them was a copy of
     *         most received bytes, as reads are rarely chunk-aligned). A compressed one: {@code scratch}.
     */
    public ByteBuffer[] decode(ChunkFrame frame, ByteBuffer scratch, References references) {
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
                ByteBuffer target = scratch;
                target.clear().limit(rawLength);
                // one piece of a read buffer as it is; a frame that straddled two reads is gathered into an array
                ByteBuffer src = payload.nioBufferCount() == 1 ? payload.nioBuffer() : ByteBuffer.wrap(ByteBufUtil.getBytes(payload));
                ZstdDecompressCtx ctx = this.ctx;
                if (frame.encoding() == ChunkEncoding.ZSTD_REF) {
                    ChunkReference ref = ChunkReference.peek(payload);
                    byte[] dictionary = references.bytes(ref);
                    if (dictionary == null) {
                        throw new ReferenceUnavailable("chunk ordinal=" + frame.ordinal() + " references base chunks "
                                + ref.start() + "+" + ref.count() + ", which this receiver cannot supply");
                    }
                    ctx = refCtx;
                    ctx.loadDict(dictionary);
                    src.position(src.position() + FrameDescriptor.REFERENCE_HEADER_BYTES);
                }
                int size;
                try {
                    if (src.isDirect()) {
                        size = ctx.decompressDirectByteBuffer(target, 0, rawLength, src, src.position(), src.remaining());
                    } else if (src.hasArray()) {
                        size = ctx.decompressByteArrayToDirectByteBuffer(target, 0, rawLength, src.array(),
                                src.arrayOffset() + src.position(), src.remaining());
                    } else {
                        byte[] bytes = new byte[src.remaining()];
                        src.get(bytes);
                        size = ctx.decompressByteArrayToDirectByteBuffer(target, 0, rawLength, bytes, 0, bytes.length);
                    }
                } catch (ZstdException e) {
                    throw new ProtocolException(ErrorCode.CHUNK_DECODE_FAILED, "zstd chunk ordinal=" + frame.ordinal()
                            + " does not decode to " + rawLength + " bytes: " + e.getMessage());
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

    @Override
    public void close() {
        ctx.close();
        refCtx.close();
    }
}
