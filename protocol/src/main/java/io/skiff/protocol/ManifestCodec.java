package io.skiff.protocol;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The canonical binary manifest. Big-endian, no optional fields, entries in {@link Manifest#PATH_ORDER},
 * so one release has exactly one encoding and the release id (its SHA-256) is stable.
 *
 * <pre>
 * +--------+--------+-----------+-----------+---------------+-----+-----+-----+------------+
 * | "SKFM" | fmt u16| channel   | version   | createdAt i64 | min | avg | max | entries u32|
 * |  4 B   |  = 1   | str16     | str16     | epoch millis  | u32 | u32 | u32 |            |
 * +--------+--------+-----------+-----------+---------------+-----+-----+-----+------------+
 * then per entry:
 *   kind u8 (1 file, 2 dir) | flags u8 (bit 0: executable) | path str16
 *   file only: size u64 | digest 32 B | chunks u32 | chunks x (sha256 32 B, length u32)
 *   digest = SHA-256 over the chunk list ({@link ChunkListDigest}), checked on decode
 * str16 = u16 byte length + UTF-8 bytes
 * </pre>
 *
 * Decoding checks every count and length against {@link ProtocolLimits} and the remaining input before
 * allocating, rejects trailing bytes, and re-validates the result: any input yields a manifest or a
 * {@link ProtocolException}.
 */
public final class ManifestCodec {
    static final int MAGIC = 0x534B464D; // "SKFM"
    static final int FORMAT_VERSION = 1;
    private static final int CHUNK_REF_BYTES = Sha256.BYTES + 4;

    private ManifestCodec() {
    }

    static byte[] encode(Manifest m) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + m.entries().size() * 64 + m.chunks().count() * CHUNK_REF_BYTES);
        encode(m, bytes);
        return bytes.toByteArray();
    }

    /**
     * MANIFEST_INVALID unless {@code m} encodes to exactly {@code decoded}: a decoded manifest keeps the bytes
     * it came from as its canonical encoding (its release id hashes them), so they must be the one encoding.
     */
    static void checkCanonical(Manifest m, byte[] decoded) {
        MatchingStream matching = new MatchingStream(decoded);
        encode(m, matching);
        if (matching.position != decoded.length) {
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "manifest is not in canonical form (ends early at byte " + matching.position + ")");
        }
    }

    private static void encode(Manifest m, java.io.OutputStream sink) {
        try (DataOutputStream out = new DataOutputStream(sink)) {
            out.writeInt(MAGIC);
            out.writeShort(FORMAT_VERSION);
            writeString(out, m.channel());
            writeString(out, m.version());
            out.writeLong(m.createdAtMillis());
            out.writeInt(m.chunking().minBytes());
            out.writeInt(m.chunking().avgBytes());
            out.writeInt(m.chunking().maxBytes());
            out.writeInt(m.entries().size());
            byte[] hash = new byte[Sha256.BYTES];
            ChunkTable chunks = m.chunks();
            for (ManifestEntry e : m.entries()) {
                out.writeByte(e.kind().wire());
                out.writeByte(e.executable() ? 1 : 0);
                writeString(out, e.path());
                if (e.isFile()) {
                    out.writeLong(e.size());
                    e.sha256().copyTo(hash, 0);
                    out.write(hash);
                    out.writeInt(e.chunkCount());
                    for (int c = e.firstChunk(); c < e.firstChunk() + e.chunkCount(); c++) {
                        chunks.hash(c).copyTo(hash, 0);
                        out.write(hash);
                        out.writeInt(chunks.length(c));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // neither sink does I/O
        }
    }

    /** Compares what is written with {@code expected}, byte by byte, without keeping any of it. */
    private static final class MatchingStream extends java.io.OutputStream {
        private final byte[] expected;
        private int position;

        MatchingStream(byte[] expected) {
            this.expected = expected;
        }

        @Override
        public void write(int b) {
            if (position >= expected.length || expected[position] != (byte) b) {
                throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "manifest is not in canonical form (differs at byte " + position + ")");
            }
            position++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (len > expected.length - position || !java.util.Arrays.equals(b, off, off + len, expected, position, position + len)) {
                throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "manifest is not in canonical form (differs near byte " + position + ")");
            }
            position += len;
        }
    }

    /**
     * Decodes and validates canonical bytes received from a peer or read from disk. The manifest keeps
     * {@code data} as its canonical encoding: the caller hands it over and does not change it afterwards.
     */
    public static Manifest decode(byte[] data) {
        if (data.length > ProtocolLimits.MAX_MANIFEST_BYTES) {
            throw new ProtocolException(ErrorCode.FRAME_TOO_LARGE, "manifest of " + data.length + " bytes exceeds the limit");
        }
        ByteBuffer in = ByteBuffer.wrap(data);
        try {
            if (in.getInt() != MAGIC) {
                throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "not a skiff manifest (bad magic)");
            }
            int format = in.getShort() & 0xffff;
            if (format != FORMAT_VERSION) {
                throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, "manifest format=" + format + ", supported=" + FORMAT_VERSION);
            }
            String channel = readString(in, ProtocolLimits.MAX_LABEL_BYTES);
            String version = readString(in, ProtocolLimits.MAX_LABEL_BYTES);
            long createdAt = in.getLong();
            ChunkingParams chunking;
            try {
                chunking = new ChunkingParams(in.getInt(), in.getInt(), in.getInt());
            } catch (IllegalArgumentException e) {
                throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "chunking: " + e.getMessage());
            }
            int entryCount = in.getInt();
            // Each entry takes at least 4 bytes, so a count larger than the input is a lie: reject before allocating.
            if (entryCount < 0 || entryCount > ProtocolLimits.MAX_ENTRIES || entryCount > in.remaining() / 4) {
                throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "entry count=" + Integer.toUnsignedString(entryCount));
            }
            List<ManifestEntry> entries = new ArrayList<>(entryCount);
            ChunkTable.Builder table = new ChunkTable.Builder(Math.min(in.remaining() / CHUNK_REF_BYTES, ProtocolLimits.MAX_CHUNKS));
            byte[] hash = new byte[Sha256.BYTES];
            for (int i = 0; i < entryCount; i++) {
                EntryKind kind = EntryKind.fromWire(in.get() & 0xff);
                int flags = in.get() & 0xff;
                if ((flags & ~1) != 0 || (kind == EntryKind.DIRECTORY && flags != 0)) {
                    throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "unknown entry flags=" + flags);
                }
                String path = readString(in, ProtocolLimits.MAX_PATH_BYTES);
                if (kind == EntryKind.DIRECTORY) {
                    entries.add(new ManifestEntry(path, kind, false, 0, null, table.count(), 0));
                    continue;
                }
                long size = in.getLong();
                in.get(hash);
                Sha256 fileHash = Sha256.of(hash);
                int chunkCount = in.getInt();
                if (chunkCount < 0 || chunkCount > in.remaining() / CHUNK_REF_BYTES
                        || (long) table.count() + chunkCount > ProtocolLimits.MAX_CHUNKS) {
                    throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "chunk count=" + Integer.toUnsignedString(chunkCount) + " at " + path);
                }
                int first = table.count();
                long offset = 0;
                for (int c = 0; c < chunkCount; c++) {
                    in.get(hash);
                    int length = in.getInt();
                    table.add(hash, 0, length, offset, entries.size());
                    offset += length;
                }
                entries.add(new ManifestEntry(path, kind, (flags & 1) != 0, size, fileHash, first, chunkCount));
            }
            if (in.hasRemaining()) {
                throw new ProtocolException(ErrorCode.MANIFEST_INVALID, in.remaining() + " trailing bytes after the manifest");
            }
            return new Manifest(channel, version, createdAt, chunking, entries, table.build(), data);
        } catch (BufferUnderflowException e) {
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "manifest truncated at byte " + in.position());
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        CanonicalStrings.write(out, s);
    }

    private static String readString(ByteBuffer in, int maxBytes) {
        return CanonicalStrings.read(in, maxBytes, ErrorCode.MANIFEST_INVALID);
    }
}
