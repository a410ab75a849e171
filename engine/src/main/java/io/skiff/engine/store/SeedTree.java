package io.skiff.engine.store;

import io.skiff.engine.manifest.ManifestBuilder;
import io.skiff.protocol.ChunkingParams;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.SkiffException;

import java.nio.file.Path;

/**
 * A directory a receiver may take chunks from although no push put it there (e.g. last year's code
 * set unpacked by hand): chunked and hashed once when the receiver starts, with the default chunking,
 * so only pushes with the default chunking find its chunks. Like any local chunk, a seed chunk is
 * re-hashed when it is copied, so a seed file changed after indexing costs a fetch, never a bad file.
 */
public record SeedTree(Path dir, Manifest manifest) {
    public static SeedTree index(Path dir) {
        try {
            Manifest manifest = ManifestBuilder.build(dir, "seed", "seed", ChunkingParams.DEFAULT, Runtime.getRuntime().availableProcessors());
            return new SeedTree(dir.toAbsolutePath().normalize(), manifest);
        } catch (SkiffException e) {
            throw new SkiffException(e.code(), "seed " + dir + ": " + e.getMessage(), e);
        }
    }
}
