package io.skiff.bench.corpus;

import java.nio.file.Path;

/** A generated code-set release on disk. */
public record CorpusRelease(Path dir, long seed, int version, long totalBytes, int fileCount) {
}
