package io.skiff.engine.testing;

import io.skiff.engine.manifest.ManifestBuilder;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.engine.store.StagingRelease;
import io.skiff.protocol.ChunkingParams;
import io.skiff.protocol.Manifest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/** Receiver roots built without a receiver: releases activated and transfers left partial through the store itself. */
public final class ReceiverRoots {
    private ReceiverRoots() {
    }

    /** Activates the tree {@code src} as release {@code version} of {@code channel} in {@code store}, as a finished push does. */
    public static Manifest activate(ReleaseStore store, Path src, String channel, String version) {
        Manifest m = ManifestBuilder.build(src, channel, version, ChunkingParams.DEFAULT, 1);
        StagingRelease staging = StagingRelease.create(store, m);
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                Path to = staging.dir().resolve(src.relativize(f).toString());
                Files.copy(f, to, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        staging.commit("test", false);
        return m;
    }

    /** Leaves release {@code version} of {@code src} partial in staging: pre-sized files, nothing received, no journal records. */
    public static Manifest stage(ReleaseStore store, Path src, String channel, String version) {
        Manifest m = ManifestBuilder.build(src, channel, version, ChunkingParams.DEFAULT, 1);
        StagingRelease.create(store, m).close();
        return m;
    }

    /** A one-file tree {@code dir/a.bin} of {@code size} random bytes. */
    public static Path tree(Path dir, int size, long seed) {
        TestTrees.randomFile(dir.resolve("a.bin"), size, seed);
        return dir;
    }
}
