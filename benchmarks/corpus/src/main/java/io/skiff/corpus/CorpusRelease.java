package io.skiff.corpus;

import java.nio.file.Path;

/**
 * A generated code-set release on disk.
 *
 * @param dir        root of the release tree
 * @param seed       seed it was made with ({@link CodeSetCorpus#generate} or {@link CodeSetCorpus#next})
 * @param version    1 for a generated release, one more than the previous for a next version
 * @param totalBytes bytes of all files written
 * @param fileCount  number of files written
 */
public record CorpusRelease(Path dir, long seed, int version, long totalBytes, int fileCount) {
}
