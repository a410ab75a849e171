package io.skiff.protocol;

/**
 * One file or directory of a release. A file's chunks are {@code [firstChunk, firstChunk + chunkCount)}
 * of the manifest's {@link ChunkTable}; a directory has no chunks, size 0 and a null digest.
 *
 * @param path       relative, '/'-separated, validated by {@link ManifestValidator}
 * @param executable the only mode bit a release carries: files become 0755 or 0644
 * @param sha256     the file's {@link ChunkListDigest} (SHA-256 over its chunk list)
 */
public record ManifestEntry(String path, EntryKind kind, boolean executable, long size, Sha256 sha256,
                            int firstChunk, int chunkCount) {

    public boolean isFile() {
        return kind == EntryKind.FILE;
    }

    /** POSIX permission bits the receiver gives this entry. */
    public int mode() {
        return kind == EntryKind.DIRECTORY || executable ? 0755 : 0644;
    }
}
