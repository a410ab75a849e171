package io.skiff.protocol;

import java.security.MessageDigest;

/**
 * A file's digest in a manifest: SHA-256 over its ordered chunk list, each chunk as its 32-byte
 * SHA-256 followed by its length as a big-endian u32. An empty file's digest is SHA-256 of nothing.
 *
 * <p>Why not SHA-256 of the file's bytes: every chunk is hashed anyway, and a second pass over every
 * byte would cost as much CPU again on the sender and the receiver (SHA-256 is the most expensive
 * thing skiff does per byte). The chunk list digest is as binding (SHA-256 is collision resistant and
 * the encoding is unambiguous: fixed-size records), so the release id still commits to every byte of
 * every file, and a receiver that verified every chunk it wrote has verified the file. This is the
 * same construction as BitTorrent v2's per-file roots and casync's chunk indexes.
 */
public final class ChunkListDigest {
    private ChunkListDigest() {
    }

    /** Digest of chunks {@code [first, first + count)} of a chunk table. */
    public static Sha256 of(ChunkTable chunks, int first, int count) {
        MessageDigest md = Sha256.newDigest();
        byte[] record = new byte[Sha256.BYTES + 4];
        for (int c = first; c < first + count; c++) {
            chunks.hash(c).copyTo(record, 0);
            putLength(record, chunks.length(c));
            md.update(record);
        }
        return Sha256.of(md.digest());
    }

    /** Digest of a chunk list given as {@code lengths.length} hashes back to back and their lengths. */
    public static Sha256 of(byte[] chunkHashes, int[] lengths) {
        if (chunkHashes.length != lengths.length * Sha256.BYTES) {
            throw new IllegalArgumentException("chunkHashes.length=" + chunkHashes.length + " for " + lengths.length + " chunks");
        }
        MessageDigest md = Sha256.newDigest();
        byte[] record = new byte[Sha256.BYTES + 4];
        for (int i = 0; i < lengths.length; i++) {
            System.arraycopy(chunkHashes, i * Sha256.BYTES, record, 0, Sha256.BYTES);
            putLength(record, lengths[i]);
            md.update(record);
        }
        return Sha256.of(md.digest());
    }

    private static void putLength(byte[] record, int length) {
        record[Sha256.BYTES] = (byte) (length >>> 24);
        record[Sha256.BYTES + 1] = (byte) (length >>> 16);
        record[Sha256.BYTES + 2] = (byte) (length >>> 8);
        record[Sha256.BYTES + 3] = (byte) length;
    }
}
