package io.skiff.protocol;

import java.util.Arrays;

/**
 * All chunk references of a manifest in flat arrays, in manifest order (entries by path, chunks by
 * offset). A chunk's index here is its <em>ordinal</em>: WANT bitmaps and CHUNK frames name chunks by
 * ordinal. Flat arrays keep a million-chunk release at ~50 bytes per chunk instead of an object each.
 */
public final class ChunkTable {
    private final byte[] hashes;
    private final int[] lengths;
    private final long[] offsets;
    private final int[] entryIndexes;
    private final int count;

    private ChunkTable(byte[] hashes, int[] lengths, long[] offsets, int[] entryIndexes, int count) {
        this.hashes = hashes;
        this.lengths = lengths;
        this.offsets = offsets;
        this.entryIndexes = entryIndexes;
        this.count = count;
    }

    public int count() {
        return count;
    }

    public Sha256 hash(int ordinal) {
        return Sha256.of(hashes, checkIndex(ordinal) * Sha256.BYTES);
    }

    /** True if chunk {@code ordinal}'s hash equals {@code digest[0, 32)}; no allocation. */
    public boolean hashMatches(int ordinal, byte[] digest) {
        int from = checkIndex(ordinal) * Sha256.BYTES;
        return Arrays.equals(hashes, from, from + Sha256.BYTES, digest, 0, Sha256.BYTES);
    }

    public int length(int ordinal) {
        return lengths[checkIndex(ordinal)];
    }

    /** Offset of the chunk within its file. */
    public long offset(int ordinal) {
        return offsets[checkIndex(ordinal)];
    }

    /** Index into {@link Manifest#entries()} of the file holding the chunk. */
    public int entryIndex(int ordinal) {
        return entryIndexes[checkIndex(ordinal)];
    }

    private int checkIndex(int ordinal) {
        if (ordinal < 0 || ordinal >= count) {
            throw new IndexOutOfBoundsException("ordinal=" + ordinal + ", count=" + count);
        }
        return ordinal;
    }

    /** Appends chunks in manifest order; {@link #build()} once. */
    public static final class Builder {
        private byte[] hashes;
        private int[] lengths;
        private long[] offsets;
        private int[] entryIndexes;
        private int count;

        public Builder(int expectedCount) {
            int capacity = Math.max(16, expectedCount);
            hashes = new byte[capacity * Sha256.BYTES];
            lengths = new int[capacity];
            offsets = new long[capacity];
            entryIndexes = new int[capacity];
        }

        public int count() {
            return count;
        }

        public Builder add(byte[] hash, int hashOffset, int length, long fileOffset, int entryIndex) {
            if (count == lengths.length) {
                int capacity = Math.min(ProtocolLimits.MAX_CHUNKS, count * 2);
                if (capacity <= count) {
                    throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "more than " + ProtocolLimits.MAX_CHUNKS + " chunks");
                }
                hashes = Arrays.copyOf(hashes, capacity * Sha256.BYTES);
                lengths = Arrays.copyOf(lengths, capacity);
                offsets = Arrays.copyOf(offsets, capacity);
                entryIndexes = Arrays.copyOf(entryIndexes, capacity);
            }
            System.arraycopy(hash, hashOffset, hashes, count * Sha256.BYTES, Sha256.BYTES);
            lengths[count] = length;
            offsets[count] = fileOffset;
            entryIndexes[count] = entryIndex;
            count++;
            return this;
        }

        public ChunkTable build() {
            return new ChunkTable(hashes, lengths, offsets, entryIndexes, count);
        }
    }
}
