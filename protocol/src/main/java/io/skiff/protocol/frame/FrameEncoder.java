package io.skiff.protocol.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.skiff.protocol.ProtocolLimits;
import io.skiff.protocol.Sha256;

import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.List;

/**
 * {@link Frame}s to bytes (layout in {@link FrameDescriptor}). A CHUNK frame becomes a small header
 * buffer followed by its payload, passed on without copying; the payload is released once written.
 */
@ChannelHandler.Sharable
public final class FrameEncoder extends MessageToMessageEncoder<Frame> {
    public static final FrameEncoder INSTANCE = new FrameEncoder();

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, List<Object> out) {
        if (frame instanceof ChunkFrame chunk) {
            out.add(chunkHeader(ctx.alloc(), chunk));
            out.add(chunk.payload().retain()); // the encoder releases the frame; the payload must outlive it
        } else {
            out.add(encode(ctx.alloc(), frame));
        }
    }

    /** The header of a CHUNK frame: length, type and the chunk fields; the payload follows it on the wire. */
    public static ByteBuf chunkHeader(ByteBufAllocator alloc, ChunkFrame chunk) {
        return chunkHeader(alloc, chunk.ordinal(), chunk.encoding(), chunk.rawLength(), chunk.payload().readableBytes());
    }

    /**
     * The header of a CHUNK frame whose payload of {@code payloadBytes} the caller writes right after it
     * by other means, e.g. as a {@code FileRegion} sent with sendfile (which passes this encoder as is).
     */
    public static ByteBuf chunkHeader(ByteBufAllocator alloc, int ordinal, ChunkEncoding encoding, int rawLength, int payloadBytes) {
        checkLength(FrameDescriptor.TYPE_BYTES + FrameDescriptor.CHUNK_HEADER_BYTES + payloadBytes);
        ByteBuf header = alloc.buffer(FrameDescriptor.HEADER_BYTES + FrameDescriptor.CHUNK_HEADER_BYTES);
        header.writeInt(FrameDescriptor.TYPE_BYTES + FrameDescriptor.CHUNK_HEADER_BYTES + payloadBytes);
        header.writeByte(FrameType.CHUNK.wire());
        header.writeInt(ordinal);
        header.writeByte(encoding.wire());
        header.writeInt(rawLength);
        return header;
    }

    /**
     * The header of a RAW_RUN frame: raw chunks {@code firstOrdinal} .. {@code firstOrdinal + count - 1}
     * of {@code lengths[0..count)} bytes, which the caller writes right after it, back to back (e.g. one
     * {@code FileRegion} over their contiguous bytes in a file).
     */
    public static ByteBuf rawRunHeader(ByteBufAllocator alloc, int firstOrdinal, int[] lengths, int count) {
        if (count < 1 || count > ProtocolLimits.MAX_RUN_CHUNKS || firstOrdinal < 0 || firstOrdinal + (long) count - 1 > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("RAW_RUN of " + count + " chunks from ordinal " + firstOrdinal);
        }
        long body = FrameDescriptor.TYPE_BYTES + FrameDescriptor.RUN_HEADER_BYTES + 4L * count;
        for (int i = 0; i < count; i++) {
            if (lengths[i] < 1 || lengths[i] > ProtocolLimits.MAX_CHUNK_BYTES) {
                throw new IllegalArgumentException("RAW_RUN chunk length=" + lengths[i]);
            }
            body += lengths[i];
        }
        checkLength(body);
        ByteBuf header = alloc.buffer(FrameDescriptor.HEADER_BYTES + FrameDescriptor.RUN_HEADER_BYTES + 4 * count);
        header.writeInt((int) body);
        header.writeByte(FrameType.RAW_RUN.wire());
        header.writeInt(firstOrdinal);
        header.writeShort(count);
        for (int i = 0; i < count; i++) {
            header.writeInt(lengths[i]);
        }
        return header;
    }

    /** Encodes any frame but CHUNK into one buffer. */
    public static ByteBuf encode(ByteBufAllocator alloc, Frame frame) {
        ByteBuf buf = alloc.buffer();
        try {
            writeFrame(buf, frame);
        } catch (RuntimeException e) {
            buf.release(); // a frame this encoder refuses (too long, invalid) must not leak its buffer
            throw e;
        }
        return buf;
    }

    private static void writeFrame(ByteBuf buf, Frame frame) {
        buf.writeInt(0); // length, patched below
        buf.writeByte(frame.type().wire());
        if (frame instanceof HelloFrame f) {
            buf.writeInt(FrameDescriptor.MAGIC);
            buf.writeShort(f.protocolVersion());
            writeString(buf, f.peerName());
        } else if (frame instanceof OfferFrame f) {
            writeId(buf, f.releaseId());
            buf.writeInt(f.manifestLength());
            writeString(buf, f.channel());
            writeString(buf, f.version());
        } else if (frame instanceof OfferReplyFrame f) {
            buf.writeByte(f.decision().wire());
            buf.writeByte(f.bases().size());
            f.bases().forEach(id -> writeId(buf, id));
        } else if (frame instanceof BaseFrame f) {
            if (f.baseId() == null) {
                buf.writeZero(Sha256.BYTES);
            } else {
                writeId(buf, f.baseId());
            }
            buf.writeByte(f.manifestEncoding().wire());
            buf.writeInt(f.encodedManifestLength());
        } else if (frame instanceof FollowFrame f) {
            writeString(buf, f.channel());
        } else if (frame instanceof FollowWaitFrame f) {
            writeString(buf, f.channel());
            if (f.held() == null) {
                buf.writeZero(Sha256.BYTES);
            } else {
                writeId(buf, f.held());
            }
            buf.writeShort(f.maxWaitSeconds());
        } else if (frame instanceof SignedFrame f) {
            buf.writeBytes(f.signed().encode());
        } else if (frame instanceof RotationFrame f) {
            buf.writeBytes(f.rotation().encode());
        } else if (frame instanceof AuditHeadFrame f) {
            writeId(buf, f.trail());
            buf.writeLong(f.seq());
            writeId(buf, f.hash());
        } else if (frame instanceof RelayFrame f) {
            if (f.targets().isEmpty() || f.targets().size() > ProtocolLimits.MAX_RELAY_TARGETS) {
                throw new IllegalArgumentException("RELAY to " + f.targets().size() + " targets");
            }
            buf.writeShort(f.targets().size());
            for (RelayFrame.Target t : f.targets()) {
                writeString(buf, t.address());
                buf.writeLong(t.bandwidthLimit());
            }
        } else if (frame instanceof RelayStatusFrame f) {
            buf.writeShort(f.index());
            buf.writeByte(f.state().wire());
            buf.writeLong(f.bytesWire());
            buf.writeLong(f.bytesDelivered());
            buf.writeLong(f.bytesWanted());
            buf.writeInt(f.chunksSent());
            buf.writeInt(f.chunksCopiedLocally());
            buf.writeInt(f.chunksRefetched());
            buf.writeInt((int) Math.min(0xFFFFFFFFL, f.manifestBytes()));
            buf.writeInt((int) Math.min(0xFFFFFFFFL, f.millis()));
            buf.writeByte(Math.min(255, f.attempts()));
            if (f.baseId() == null) {
                buf.writeZero(Sha256.BYTES);
            } else {
                writeId(buf, f.baseId());
            }
            buf.writeByte(f.chunksByEncoding().length);
            for (int e = 0; e < f.chunksByEncoding().length; e++) {
                buf.writeInt((int) f.chunksByEncoding()[e]);
                buf.writeLong(f.bytesByEncoding()[e]);
            }
            buf.writeShort(f.code() == null ? 0 : f.code().wire());
            writeString(buf, truncate(f.message(), ProtocolLimits.MAX_LABEL_BYTES));
            if (f.auditHead() != null) {
                buf.writeByte(1);
                writeId(buf, f.auditHead().trail());
                buf.writeLong(f.auditHead().seq());
                writeId(buf, f.auditHead().hash());
            }
        } else if (frame instanceof JoinFrame f) {
            writeString(buf, f.channel());
            writeId(buf, f.releaseId());
        } else if (frame instanceof RefetchFrame f) {
            buf.writeInt(f.ordinals().length);
            for (int ordinal : f.ordinals()) {
                buf.writeInt(ordinal);
            }
        } else if (frame instanceof ManifestPartFrame f) {
            buf.writeBytes(f.bytes());
        } else if (frame instanceof WantFrame f) {
            if (f.chunkCount() < 0 || f.wanted().length() > f.chunkCount()) {
                throw new IllegalArgumentException("WANT chunkCount=" + f.chunkCount() + " but highest wanted bit="
                        + (f.wanted().length() - 1));
            }
            buf.writeInt(f.chunkCount());
            buf.writeInt(f.wanted().cardinality());
            writeWanted(buf, f.chunkCount(), f.wanted());
        } else if (frame instanceof CommitFrame f) {
            writeId(buf, f.releaseId());
        } else if (frame instanceof ActivatedFrame f) {
            writeId(buf, f.releaseId());
            buf.writeInt(f.chunksReceived());
            buf.writeInt(f.chunksCopiedLocally());
        } else if (frame instanceof ErrorFrame f) {
            buf.writeShort(f.code().wire());
            writeString(buf, truncate(f.message(), ProtocolLimits.MAX_LABEL_BYTES));
        } else {
            throw new IllegalArgumentException("CHUNK frames are encoded as header + payload");
        }
        int length = buf.writerIndex() - FrameDescriptor.LENGTH_FIELD_BYTES;
        checkLength(length);
        buf.setInt(0, length);
    }

    /** The smaller of a bitmap and a run list: a small update wants a few runs, a full copy one. */
    private static void writeWanted(ByteBuf buf, int chunkCount, BitSet wanted) {
        int bitmapBytes = (chunkCount + 7) / 8;
        int runsBytes = 0;
        int end = 0;
        for (int start = wanted.nextSetBit(0); start >= 0 && runsBytes < bitmapBytes; start = wanted.nextSetBit(end)) {
            int stop = wanted.nextClearBit(start);
            runsBytes += Varint.size(start - end) + Varint.size(stop - start);
            end = stop;
        }
        if (runsBytes < bitmapBytes) {
            buf.writeByte(FrameDescriptor.WANT_RUNS);
            end = 0;
            for (int start = wanted.nextSetBit(0); start >= 0; start = wanted.nextSetBit(end)) {
                int stop = wanted.nextClearBit(start);
                Varint.write(buf, start - end);
                Varint.write(buf, stop - start);
                end = stop;
            }
        } else {
            buf.writeByte(FrameDescriptor.WANT_BITMAP);
            byte[] bitmap = wanted.toByteArray();
            buf.writeBytes(bitmap);
            buf.writeZero(bitmapBytes - bitmap.length); // BitSet drops trailing zero bytes
        }
    }

    private static void checkLength(long length) {
        if (length > ProtocolLimits.MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("frame length=" + length + " exceeds " + ProtocolLimits.MAX_FRAME_BYTES);
        }
    }

    private static void writeId(ByteBuf buf, Sha256 id) {
        buf.writeBytes(id.toBytes());
    }

    private static void writeString(ByteBuf buf, String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > ProtocolLimits.MAX_LABEL_BYTES) {
            throw new IllegalArgumentException("string of " + utf8.length + " bytes exceeds " + ProtocolLimits.MAX_LABEL_BYTES);
        }
        buf.writeShort(utf8.length);
        buf.writeBytes(utf8);
    }

    private static String truncate(String s, int maxBytes) {
        String t = s == null ? "" : s;
        while (t.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            t = t.substring(0, t.length() - 1);
        }
        return t;
    }
}
