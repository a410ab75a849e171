package io.skiff.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A test-side writer of canonical manifest bytes, written from the layout in {@link ManifestCodec}'s
 * Javadoc and independent of {@link ManifestCodec#encode}. It checks nothing, so tests can craft
 * manifests that {@link Manifest.Builder} refuses to build (unsafe paths, lying counts, bad UTF-8).
 */
final class ManifestBytes {
    static final int KIND_FILE = 1;
    static final int KIND_DIRECTORY = 2;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Magic, format 1, labels, created-at, chunking and the entry count: everything before the entries. */
    static ManifestBytes header(String channel, String version, long createdAtMillis, ChunkingParams chunking,
                                int entryCount) {
        return new ManifestBytes()
                .u32(0x534B464D) // "SKFM"
                .u16(1)
                .str16(channel)
                .str16(version)
                .u64(createdAtMillis)
                .u32(chunking.minBytes())
                .u32(chunking.avgBytes())
                .u32(chunking.maxBytes())
                .u32(entryCount);
    }

    ManifestBytes directory(String path) {
        return u8(KIND_DIRECTORY).u8(0).str16(path);
    }

    /**
     * A file whose chunks all have hash {@code chunkHash}; the file digest is {@code fileHash}, or the
     * correct {@link ChunkListDigest} when {@code fileHash} is null.
     */
    ManifestBytes file(String path, boolean executable, long size, byte[] fileHash, byte[] chunkHash, int... chunkLengths) {
        if (fileHash == null) {
            byte[] hashes = new byte[chunkLengths.length * Sha256.BYTES];
            for (int i = 0; i < chunkLengths.length; i++) {
                System.arraycopy(chunkHash, 0, hashes, i * Sha256.BYTES, Sha256.BYTES);
            }
            fileHash = ChunkListDigest.of(hashes, chunkLengths).toBytes();
        }
        u8(KIND_FILE).u8(executable ? 1 : 0).str16(path).u64(size).bytes(fileHash).u32(chunkLengths.length);
        for (int length : chunkLengths) {
            bytes(chunkHash).u32(length);
        }
        return this;
    }

    ManifestBytes u8(int v) {
        out.write(v);
        return this;
    }

    ManifestBytes u16(int v) {
        return u8(v >>> 8).u8(v);
    }

    ManifestBytes u32(int v) {
        return u16(v >>> 16).u16(v);
    }

    ManifestBytes u64(long v) {
        return u32((int) (v >>> 32)).u32((int) v);
    }

    ManifestBytes bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    ManifestBytes str16(String s) {
        return str16(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A str16 with arbitrary (possibly invalid UTF-8) bytes. */
    ManifestBytes str16(byte[] utf8) {
        return u16(utf8.length).bytes(utf8);
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
