package io.skiff.protocol.frame;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.ProtocolLimits;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SignedKeyRotation;
import io.skiff.protocol.SignedRelease;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Bytes to {@link Frame}s (layout in {@link FrameDescriptor}). Total: any byte sequence yields frames
 * or exactly one {@link DecodeFailure}, after which all further input is discarded; no exception
 * leaves this decoder and nothing is allocated for a length before it is checked.
 *
 * <p>Buffer ownership: a {@link ChunkFrame} carries a retained slice of the input; the next handler
 * releases it. Every other frame is copied out into plain Java values.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    static final Sha256 NO_BASE = Sha256.of(new byte[Sha256.BYTES]);

    private final int maxFrameBytes;
    private boolean failed;
    /** The RAW_RUN being decoded: its first ordinal, its chunks' lengths, and the next chunk to pass on. */
    private int runFirst;
    private int[] runLengths = new int[0];
    private int runNext;

    public FrameDecoder() {
        this(ProtocolLimits.MAX_FRAME_BYTES);
    }

    public FrameDecoder(int maxFrameBytes) {
        if (maxFrameBytes < 64 || maxFrameBytes > ProtocolLimits.MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("maxFrameBytes=" + maxFrameBytes);
        }
        this.maxFrameBytes = maxFrameBytes;
        // A chunk frame is passed on as a retained slice of the cumulation, so the cumulation is shared whenever
        // a partial frame is left after a read, and Netty's merge cumulator then copies the held bytes and the
        // whole new read into a fresh buffer: every received byte was copied once more. The composite one appends each read as a component instead; only a frame
        // that straddles two reads is merged, when its payload is read as one ByteBuffer.
        setCumulator(COMPOSITE_CUMULATOR);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (true) {
            if (runNext < runLengths.length) { // inside a RAW_RUN: each chunk as soon as its bytes are here
                int length = runLengths[runNext];
                if (in.readableBytes() < length) {
                    return;
                }
                out.add(new ChunkFrame(runFirst + runNext, ChunkEncoding.RAW, length, in.readRetainedSlice(length)));
                runNext++;
                continue;
            }
            if (in.readableBytes() < FrameDescriptor.LENGTH_FIELD_BYTES) {
                return;
            }
            long length = in.getUnsignedInt(in.readerIndex());
            if (length < FrameDescriptor.TYPE_BYTES || length > maxFrameBytes) {
                fail(in, out, length < FrameDescriptor.TYPE_BYTES ? ErrorCode.MALFORMED : ErrorCode.FRAME_TOO_LARGE,
                        "frame length=" + length + " outside [1, " + maxFrameBytes + "]");
                return;
            }
            if (in.readableBytes() > FrameDescriptor.LENGTH_FIELD_BYTES
                    && in.getUnsignedByte(in.readerIndex() + FrameDescriptor.LENGTH_FIELD_BYTES) == FrameType.RAW_RUN.wire()) {
                try {
                    if (!startRun(in, length)) {
                        return; // its header is not all here yet
                    }
                } catch (ProtocolException e) {
                    fail(in, out, e.code(), e.getMessage());
                    return;
                }
                continue;
            }
            if (in.readableBytes() < FrameDescriptor.LENGTH_FIELD_BYTES + length) {
                return;
            }
            in.skipBytes(FrameDescriptor.LENGTH_FIELD_BYTES);
            int typeByte = in.readUnsignedByte();
            ByteBuf body = in.readSlice((int) length - FrameDescriptor.TYPE_BYTES);
            FrameType type = FrameType.fromWire(typeByte);
            if (type == null) {
                fail(in, out, ErrorCode.UNKNOWN_FRAME_TYPE, "unknown frame type=" + typeByte);
                return;
            }
            try {
                out.add(decodeBody(type, body));
            } catch (ProtocolException e) {
                fail(in, out, e.code(), e.getMessage());
                return;
            } catch (IndexOutOfBoundsException e) {
                fail(in, out, ErrorCode.MALFORMED, type + " frame truncated");
                return;
            }
        }
    }

    private void fail(ByteBuf in, List<Object> out, ErrorCode code, String message) {
        failed = true;
        in.skipBytes(in.readableBytes());
        out.add(new DecodeFailure(code, message));
    }

    static Frame decodeBody(FrameType type, ByteBuf body) {
        Frame frame = switch (type) {
            case HELLO -> {
                int magic = body.readInt();
                if (magic != FrameDescriptor.MAGIC) {
                    throw new ProtocolException(ErrorCode.MALFORMED, "bad HELLO magic=0x" + Integer.toHexString(magic));
                }
                yield new HelloFrame(body.readUnsignedShort(), readLabel(body));
            }
            case OFFER -> {
                Sha256 id = readId(body);
                long manifestLength = body.readUnsignedInt();
                if (manifestLength < 1 || manifestLength > ProtocolLimits.MAX_MANIFEST_BYTES) {
                    throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "offered manifest length=" + manifestLength);
                }
                yield new OfferFrame(id, (int) manifestLength, readLabel(body), readLabel(body));
            }
            case OFFER_REPLY -> {
                OfferReplyFrame.Decision decision = OfferReplyFrame.Decision.fromWire(body.readUnsignedByte());
                int count = body.readUnsignedByte();
                if (count > ProtocolLimits.MAX_BASES) {
                    throw new ProtocolException(ErrorCode.MALFORMED, "OFFER_REPLY lists " + count + " bases, at most " + ProtocolLimits.MAX_BASES);
                }
                List<Sha256> bases = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    bases.add(readId(body));
                }
                yield new OfferReplyFrame(decision, bases);
            }
            case BASE -> {
                Sha256 id = readId(body);
                BaseFrame.ManifestEncoding encoding = BaseFrame.ManifestEncoding.fromWire(body.readUnsignedByte());
                long length = body.readUnsignedInt();
                Sha256 base = id.equals(NO_BASE) ? null : id;
                if (length > ProtocolLimits.MAX_MANIFEST_BYTES || (encoding == BaseFrame.ManifestEncoding.ZSTD_BASE && base == null)) {
                    throw new ProtocolException(ErrorCode.MALFORMED, "BASE manifest encoding=" + encoding + " length=" + length
                            + " base=" + (base == null ? "none" : base.shortHex()));
                }
                yield new BaseFrame(base, encoding, (int) length);
            }
            case FOLLOW -> new FollowFrame(readLabel(body));
            case FOLLOW_WAIT -> {
                String channel = readLabel(body);
                Sha256 held = readId(body);
                int maxWaitSeconds = body.readUnsignedShort();
                if (maxWaitSeconds > ProtocolLimits.MAX_FOLLOW_WAIT_SECONDS) {
                    throw new ProtocolException(ErrorCode.MALFORMED, "FOLLOW_WAIT max wait=" + maxWaitSeconds + " s, at most "
                            + ProtocolLimits.MAX_FOLLOW_WAIT_SECONDS);
                }
                yield new FollowWaitFrame(channel, held.equals(NO_BASE) ? null : held, maxWaitSeconds);
            }
            case RELAY -> {
                int count = body.readUnsignedShort();
                if (count < 1 || count > ProtocolLimits.MAX_RELAY_TARGETS) {
                    throw new ProtocolException(ErrorCode.MALFORMED, "RELAY to " + count + " targets, 1.." + ProtocolLimits.MAX_RELAY_TARGETS);
                }
                List<RelayFrame.Target> targets = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    String address = readString(body);
                    long limit = body.readLong();
                    if (limit < 0) {
                        throw new ProtocolException(ErrorCode.MALFORMED, "RELAY bandwidth limit=" + limit);
                    }
                    targets.add(new RelayFrame.Target(address, limit));
                }
                yield new RelayFrame(targets);
            }
            case RELAY_STATUS -> RelayStatusCodec.decode(body);
            case SIGNED -> new SignedFrame(SignedRelease.decode(boundedBody(body, ProtocolLimits.MAX_SIGNED_RELEASE_BYTES, "SIGNED")));
            case ROTATION -> new RotationFrame(SignedKeyRotation.decode(boundedBody(body, ProtocolLimits.MAX_KEY_ROTATION_BYTES, "ROTATION")));
            case AUDIT_HEAD -> {
                Sha256 trail = readId(body);
                long seq = body.readLong();
                if (seq < 1) {
                    throw new ProtocolException(ErrorCode.MALFORMED, "AUDIT_HEAD record number=" + seq);
                }
                yield new AuditHeadFrame(trail, seq, readId(body));
            }
            case JOIN -> new JoinFrame(readLabel(body), readId(body));
            case REFETCH -> {
                long count = body.readUnsignedInt();
                if (count < 1 || count > ProtocolLimits.MAX_REFETCH || body.readableBytes() != count * 4) {
                    throw new ProtocolException(ErrorCode.MALFORMED, "REFETCH count=" + count + " with " + body.readableBytes() + " bytes");
                }
                int[] ordinals = new int[(int) count];
                for (int i = 0; i < ordinals.length; i++) {
                    ordinals[i] = body.readInt();
                    if (ordinals[i] < 0 || (i > 0 && ordinals[i] <= ordinals[i - 1])) {
                        throw new ProtocolException(ErrorCode.MALFORMED, "REFETCH ordinals not ascending at index " + i);
                    }
                }
                yield new RefetchFrame(ordinals);
            }
            case MANIFEST_PART -> {
                byte[] bytes = new byte[body.readableBytes()];
                body.readBytes(bytes);
                yield new ManifestPartFrame(bytes);
            }
            case WANT -> {
                long chunkCount = body.readUnsignedInt();
                long wantedCount = body.readUnsignedInt();
                int form = body.readUnsignedByte();
                if (chunkCount > ProtocolLimits.MAX_CHUNKS || wantedCount > chunkCount
                        || (form == FrameDescriptor.WANT_BITMAP && body.readableBytes() != (chunkCount + 7) / 8)
                        || (form != FrameDescriptor.WANT_BITMAP && form != FrameDescriptor.WANT_RUNS)) {
                    throw new ProtocolException(ErrorCode.MALFORMED, "WANT chunk count=" + chunkCount
                            + " wanted=" + wantedCount + " form=" + form + " body bytes=" + body.readableBytes());
                }
                BitSet wanted = form == FrameDescriptor.WANT_BITMAP ? readBitmap(body) : readRuns(body, (int) chunkCount);
                if (wanted.cardinality() != wantedCount || wanted.length() > chunkCount) {
                    throw new ProtocolException(ErrorCode.MALFORMED, "WANT bitmap does not match its counts");
                }
                yield new WantFrame((int) chunkCount, wanted);
            }
            case CHUNK -> {
                int ordinal = body.readInt();
                int encodingByte = body.readUnsignedByte();
                ChunkEncoding encoding = ChunkEncoding.fromWire(encodingByte);
                long rawLength = body.readUnsignedInt();
                if (ordinal < 0 || encoding == null || rawLength < 1 || rawLength > ProtocolLimits.MAX_CHUNK_BYTES) {
                    throw new ProtocolException(ErrorCode.MALFORMED, "CHUNK ordinal=" + Integer.toUnsignedString(ordinal)
                            + " encoding=" + encodingByte + " rawLength=" + rawLength);
                }
                yield new ChunkFrame(ordinal, encoding, (int) rawLength, body.readRetainedSlice(body.readableBytes()));
            }
            case RAW_RUN -> throw new IllegalArgumentException("a RAW_RUN is decoded chunk by chunk (startRun)");
            case COMMIT -> new CommitFrame(readId(body));
            case ACTIVATED -> new ActivatedFrame(readId(body), body.readInt(), body.readInt());
            case ERROR -> new ErrorFrame(ErrorCode.fromWire(body.readUnsignedShort()), readString(body));
        };
        if (body.isReadable()) {
            if (frame instanceof ChunkFrame chunk) {
                chunk.release();
            }
            throw new ProtocolException(ErrorCode.MALFORMED, body.readableBytes() + " trailing bytes in " + type + " frame");
        }
        return frame;
    }

    /**
     * A RAW_RUN whose frame starts at the reader index, {@code length} long: once its header (first ordinal,
     * count, lengths) is here, checks it all, consumes it and returns true; the chunks then follow as one
     * raw {@link ChunkFrame} each, decoded as soon as each one's bytes have arrived (a cut loses at most the
     * chunk it fell in, not the run). False: the header is not all here yet.
     */
    private boolean startRun(ByteBuf in, long length) {
        int at = in.readerIndex() + FrameDescriptor.HEADER_BYTES;
        int fixed = FrameDescriptor.HEADER_BYTES + FrameDescriptor.RUN_HEADER_BYTES;
        if (length < FrameDescriptor.TYPE_BYTES + FrameDescriptor.RUN_HEADER_BYTES) {
            throw new ProtocolException(ErrorCode.MALFORMED, "RAW_RUN frame truncated");
        }
        if (in.readableBytes() < fixed) {
            return false;
        }
        int first = in.getInt(at);
        int count = in.getUnsignedShort(at + 4);
        if (first < 0 || count < 1 || count > ProtocolLimits.MAX_RUN_CHUNKS || first + (long) count - 1 > Integer.MAX_VALUE) {
            throw new ProtocolException(ErrorCode.MALFORMED, "RAW_RUN of " + count + " chunks from ordinal " + Integer.toUnsignedString(first));
        }
        long header = FrameDescriptor.TYPE_BYTES + FrameDescriptor.RUN_HEADER_BYTES + 4L * count;
        if (length < header) {
            throw new ProtocolException(ErrorCode.MALFORMED, "RAW_RUN frame truncated");
        }
        if (in.readableBytes() < fixed + 4 * count) {
            return false;
        }
        int[] lengths = new int[count];
        long total = 0;
        for (int i = 0; i < count; i++) {
            long chunk = in.getUnsignedInt(at + FrameDescriptor.RUN_HEADER_BYTES + 4 * i);
            if (chunk < 1 || chunk > ProtocolLimits.MAX_CHUNK_BYTES) {
                throw new ProtocolException(ErrorCode.MALFORMED, "RAW_RUN chunk " + i + " length=" + chunk);
            }
            lengths[i] = (int) chunk;
            total += chunk;
        }
        if (total != length - header) {
            throw new ProtocolException(ErrorCode.MALFORMED, "RAW_RUN chunk lengths add up to " + total + " bytes, its frame holds "
                    + (length - header));
        }
        in.skipBytes(fixed + 4 * count);
        runFirst = first;
        runLengths = lengths;
        runNext = 0;
        return true;
    }

    private static BitSet readBitmap(ByteBuf body) {
        byte[] bitmap = new byte[body.readableBytes()];
        body.readBytes(bitmap);
        return BitSet.valueOf(bitmap);
    }

    /** Runs of wanted ordinals; every run non-empty and inside the chunk count, so the set stays bounded. */
    private static BitSet readRuns(ByteBuf body, int chunkCount) {
        BitSet wanted = new BitSet();
        long end = 0;
        while (body.isReadable()) {
            long start = end + Varint.read(body);
            long length = Varint.read(body);
            if (length < 1 || start + length > chunkCount || (start == end && end > 0)) {
                throw new ProtocolException(ErrorCode.MALFORMED, "WANT run start=" + start + " length=" + length
                        + " outside " + chunkCount + " chunks or not separated");
            }
            wanted.set((int) start, (int) (start + length));
            end = start + length;
        }
        return wanted;
    }

    /** The rest of {@code body} as bytes, MALFORMED past {@code max} (checked before the copy). */
    private static byte[] boundedBody(ByteBuf body, int max, String frame) {
        if (body.readableBytes() > max) {
            throw new ProtocolException(ErrorCode.MALFORMED, frame + " of " + body.readableBytes() + " bytes, at most " + max);
        }
        byte[] encoded = new byte[body.readableBytes()];
        body.readBytes(encoded);
        return encoded;
    }

    static Sha256 readId(ByteBuf body) {
        byte[] id = new byte[Sha256.BYTES];
        body.readBytes(id);
        return Sha256.of(id);
    }

    /** A name a peer gives (peer, channel, version): a string without control characters, which would break a log line. */
    private static String readLabel(ByteBuf body) {
        String label = readString(body);
        for (int i = 0; i < label.length(); i++) {
            if (Character.isISOControl(label.charAt(i))) {
                throw new ProtocolException(ErrorCode.MALFORMED, "a name with a control character (0x" + Integer.toHexString(label.charAt(i)) + ")");
            }
        }
        return label;
    }

    static String readString(ByteBuf body) {
        int length = body.readUnsignedShort();
        if (length > ProtocolLimits.MAX_LABEL_BYTES) {
            throw new ProtocolException(ErrorCode.MALFORMED, "string of " + length + " bytes exceeds " + ProtocolLimits.MAX_LABEL_BYTES);
        }
        ByteBuf bytes = body.readSlice(length);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes.nioBuffer()).toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException(ErrorCode.MALFORMED, "string is not valid UTF-8");
        }
    }
}
