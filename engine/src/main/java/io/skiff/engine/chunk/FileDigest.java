package io.skiff.engine.chunk;

import io.skiff.protocol.Sha256;

import java.util.Objects;

/**
 * What {@link FileChunker} learns about one file: its size, its digest and its chunks in file order.
 * The arrays are handed over, not copied (a large file has tens of thousands of chunks); treat them as
 * read-only.
 *
 * @param size         bytes read from the file
 * @param sha256       the file's {@link io.skiff.protocol.ChunkListDigest} (SHA-256 over its chunk list)
 * @param chunkHashes  {@code chunkLengths.length} SHA-256 digests back to back, 32 bytes each
 * @param chunkLengths chunk lengths in file order; they sum to {@code size} (an empty file has no chunk)
 */
public record FileDigest(long size, Sha256 sha256, byte[] chunkHashes, int[] chunkLengths) {
    public FileDigest {
        Objects.requireNonNull(sha256, "sha256");
        if (chunkHashes.length != chunkLengths.length * Sha256.BYTES) {
            throw new IllegalArgumentException("chunkHashes.length=" + chunkHashes.length
                    + " for chunkLengths.length=" + chunkLengths.length);
        }
    }

    public int chunkCount() {
        return chunkLengths.length;
    }

    public Sha256 chunkHash(int index) {
        Objects.checkIndex(index, chunkLengths.length);
        return Sha256.of(chunkHashes, index * Sha256.BYTES);
    }
}
