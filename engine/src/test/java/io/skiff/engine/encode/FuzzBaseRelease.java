package io.skiff.engine.encode;

import io.skiff.engine.manifest.ManifestBuilder;
import io.skiff.engine.testing.TestTrees;
import io.skiff.protocol.ChunkingParams;
import io.skiff.protocol.Manifest;

import java.nio.file.Path;

/**
 * The base release {@link ChunkDecompressorFuzzTest} decodes references against and {@link EngineFuzzSeeds}
 * compresses its seeds against: one code-set file in small chunks, the same bytes on every run, so a
 * seed's reference names the same base bytes wherever it is decoded.
 */
final class FuzzBaseRelease {
    /** Small chunks keep the seeds small: a reference window of a few chunks is a few KiB. */
    static final ChunkingParams CHUNKING = new ChunkingParams(256, 1024, 4096);
    private static final long SIZE_BYTES = 48 * 1024;
    private static final long CONTENT_SEED = 11;

    private FuzzBaseRelease() {
    }

    /** Writes the release into {@code dir} and opens it as the receiver opens its chosen base. */
    static BaseChunks writeTo(Path dir) {
        TestTrees.textFile(dir.resolve("codes.tsv"), SIZE_BYTES, CONTENT_SEED);
        Manifest manifest = ManifestBuilder.build(dir, "icd10cm", "2026-01", CHUNKING, 1, 0);
        return new BaseChunks(manifest, dir, BaseChunks.Checking.NONE);
    }
}
