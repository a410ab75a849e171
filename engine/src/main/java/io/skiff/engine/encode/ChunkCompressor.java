package io.skiff.engine.encode;

import com.github.luben.zstd.EndDirective;
import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDictCompress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.skiff.protocol.frame.ChunkEncoding;
import io.skiff.protocol.frame.ChunkFrame;
import io.skiff.protocol.frame.ChunkReference;
import io.skiff.protocol.frame.FrameDescriptor;

import java.nio.ByteBuffer;
import java.util.function.Function;

/**
 * Encodes one chunk for the wire: zstd (with a reference when the caller has one) when that saves at
 * least 1/32 of the bytes, raw otherwise. Owns native zstd contexts, so one instance per thread;
 * {@link #close()} frees them.
 */
public final class ChunkCompressor implements AutoCloseable {
    /**
     * Reference encodings use at least this level: on an edited code-set chunk level 3 finds the long
     * matches into the reference that level 1 misses (130 KB against 221 KB for the same update in
     * DeltaTransferTest; level 6: 113 KB), and the output is small enough that its cost is the
     * dictionary indexing, not the level.
     */
    static final int MIN_REFERENCE_LEVEL = 3;

    /** The level reference dictionaries are compiled at (a compiled dictionary carries its level). */
    static int referenceLevel(int level) {
        return Math.max(level, MIN_REFERENCE_LEVEL);
    }

    /** Compiles a reference's bytes into a dictionary for compressing at {@code level}'s reference level. */
    static Function<byte[], ZstdDictCompress> referenceDictionary(int level) {
        int referenceLevel = referenceLevel(level);
        return bytes -> new ZstdDictCompress(bytes, referenceLevel);
    }

    /**
     * A reference encoding larger than 1/64 of the chunk means the reference missed (well-aimed ones
     * leave far less of a code-set chunk): then the wider fallback is tried. How often that happens,
     * and what it saves, is in docs/benchmarks.md ("Figures behind the code").
     */
    static final int RETRY_RATIO = 64;

    private final ZstdCompressCtx ctx;
    /** A separate context for references: a loaded dictionary stays until the next load. */
    private final ZstdCompressCtx refCtx;
    private final int refLevel;
    private final boolean enabled;

    /** @param level zstd level; 0 disables compression (every chunk is sent raw) */
    public ChunkCompressor(int level) {
        this.enabled = level != 0;
        this.ctx = new ZstdCompressCtx().setLevel(enabled ? level : 1).setChecksum(false).setContentSize(true);
        this.refLevel = enabled ? referenceLevel(level) : 1;
        this.refCtx = new ZstdCompressCtx();
        configureReferenceContext();
    }

    private void configureReferenceContext() {
        refCtx.setLevel(refLevel).setChecksum(false).setContentSize(true);
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
            ByteBuf out = compressPlain(alloc, raw);
            if (savesEnough(out.readableBytes(), rawLength)) {
                raw.release();
                return new ChunkFrame(ordinal, ChunkEncoding.ZSTD, rawLength, trimmed(out));
            }
            out.release();
        }
        return new ChunkFrame(ordinal, ChunkEncoding.RAW, rawLength, raw);
    }

    /**
     * The buffer, holding only its bytes. It was sized for zstd's worst case, the whole chunk and more,
     * and a kept frame may wait in the encode-once cache and in every target's outbound buffer: a 6:1
     * compressed chunk would otherwise pin six times its size in direct memory.
     */
    private static ByteBuf trimmed(ByteBuf out) {
        return out.capacity(out.writerIndex());
    }

    /** An encoding is sent only if it saves at least 1/32 of the chunk; otherwise raw costs the receiver less. */
    private static boolean savesEnough(int encodedBytes, int rawLength) {
        return encodedBytes < rawLength - (rawLength >>> 5);
    }

    /** A reference to try: the base chunks it names and where their compiled dictionary comes from. */
    record ReferenceCandidate(ChunkReference ref, ReferenceDictionaries<ZstdDictCompress> dictionaries) {
    }

    /**
     * Encodes with the verified bytes of a reference the receiver holds as a raw-content dictionary, the
     * way {@code zstd --patch-from} does. The {@code fallback} reference (a wider one) is tried only when
     * the first leaves more than 1/{@value #RETRY_RATIO} of the chunk: the first missed where the
     * chunk's bytes moved to. When both leave that much, the chunk is mostly new content and plain zstd
     * is tried as well. The smallest encoding is sent; raw when nothing saves 1/32. Ownership of
     * {@code raw} as in {@link #encode}.
     */
    ChunkFrame encodeWithReference(ByteBufAllocator alloc, int ordinal, ByteBuf raw, ReferenceCandidate first,
                                         ReferenceCandidate fallback) {
        int rawLength = raw.readableBytes();
        ByteBuf best = null;
        try {
            best = compressWithReference(alloc, raw, first);
            if (fallback != null && (best == null || best.readableBytes() > rawLength / RETRY_RATIO)) {
                ByteBuf second = compressWithReference(alloc, raw, fallback);
                if (second != null && (best == null || second.readableBytes() < best.readableBytes())) {
                    ByteBuf worse = best;
                    best = second;
                    second = worse;
                }
                if (second != null) {
                    second.release();
                }
            }
            ChunkEncoding encoding = ChunkEncoding.ZSTD_REF;
            if (best == null || best.readableBytes() > rawLength / RETRY_RATIO) {
                ByteBuf plain = compressPlain(alloc, raw);
                if (best == null || plain.readableBytes() < best.readableBytes()) {
                    ByteBuf worse = best;
                    best = plain;
                    plain = worse;
                    encoding = ChunkEncoding.ZSTD;
                }
                if (plain != null) {
                    plain.release();
                }
            }
            if (savesEnough(best.readableBytes(), rawLength)) {
                ChunkFrame frame = new ChunkFrame(ordinal, encoding, rawLength, trimmed(best));
                best = null;
                raw.release();
                return frame;
            }
        } finally {
            if (best != null) {
                best.release();
            }
        }
        return new ChunkFrame(ordinal, ChunkEncoding.RAW, rawLength, raw);
    }

    private ByteBuf compressPlain(ByteBufAllocator alloc, ByteBuf raw) {
        return compress(alloc, raw, ctx);
    }

    /** Reference header + zstd bytes, or null when the reference's bytes are unavailable. */
    private ByteBuf compressWithReference(ByteBufAllocator alloc, ByteBuf raw, ReferenceCandidate candidate) {
        return candidate.dictionaries().with(candidate.ref(), dictionary -> {
            refCtx.loadDict(dictionary);
            return compressAttached(alloc, raw, candidate.ref());
        });
    }

    /**
     * {@code raw} compressed by {@link #refCtx} (its compiled dictionary loaded) behind the reference
     * header. Streamed, so that zstd starts the frame without knowing the chunk's size: it then attaches
     * the compiled dictionary (searches its tables where they are) instead of copying them into the
     * context, which it does for a known size above 8 KiB. For a reference window the copy of its tables
     * costs more than compressing the chunk (docs/benchmarks.md, "Figures behind the code"). zstd-jni
     * does not expose {@code ZSTD_c_forceAttachDict}. The zstd frame carries no
     * content size; the CHUNK frame has the chunk's length.
     */
    private ByteBuf compressAttached(ByteBufAllocator alloc, ByteBuf raw, ChunkReference ref) {
        int header = FrameDescriptor.REFERENCE_HEADER_BYTES;
        ByteBuf out = alloc.directBuffer(header + (int) Zstd.compressBound(raw.readableBytes()));
        try {
            ref.writeTo(out);
            ByteBuffer dst = out.nioBuffer(header, out.capacity() - header);
            ByteBuffer src = raw.nioBuffer();
            refCtx.compressDirectByteBufferStream(dst, src, EndDirective.CONTINUE); // the frame starts, size unknown
            // dst holds zstd's bound for the chunk: END consumes the rest and flushes the frame in one call
            if (!refCtx.compressDirectByteBufferStream(dst, src, EndDirective.END) || src.hasRemaining()) {
                throw new IllegalStateException("zstd did not finish a " + raw.readableBytes() + "-byte chunk in "
                        + dst.capacity() + " bytes");
            }
            out.writerIndex(header + dst.position());
            ByteBuf result = out;
            out = null;
            return result;
        } catch (RuntimeException e) {
            refCtx.reset(); // a frame left open would refuse the next chunk's dictionary
            configureReferenceContext();
            throw e;
        } finally {
            if (out != null) {
                out.release();
            }
        }
    }

    /** {@code raw} compressed by {@code zstd} into a new buffer. */
    private static ByteBuf compress(ByteBufAllocator alloc, ByteBuf raw, ZstdCompressCtx zstd) {
        int rawLength = raw.readableBytes();
        ByteBuf out = alloc.directBuffer((int) Zstd.compressBound(rawLength));
        try {
            ByteBuffer src = raw.nioBuffer();
            ByteBuffer dst = out.nioBuffer(0, out.capacity());
            int size = zstd.compressDirectByteBuffer(dst, 0, dst.capacity(), src, src.position(), rawLength);
            out.writerIndex(size);
            ByteBuf result = out;
            out = null;
            return result;
        } finally {
            if (out != null) {
                out.release();
            }
        }
    }

    @Override
    public void close() {
        ctx.close();
        refCtx.close();
    }
}
