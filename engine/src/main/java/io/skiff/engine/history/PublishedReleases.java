package io.skiff.engine.history;

import io.skiff.engine.files.DirectoryTrees;
import io.skiff.engine.manifest.LocalRelease;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ManifestEntry;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.StorageException;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The sender's history: the releases it published, kept so a later push can encode changed chunks
 * against the release a receiver already holds (zstd with a reference needs the base bytes on both
 * sides). Same layout as a receiver root ({@link ReleaseStore}: {@code <channel>/releases/<id>},
 * {@code manifests/}, {@code current} = last published, {@code activations.log}), retaining the last
 * few per channel.
 *
 * <p>Files are hard-linked from the pushed tree when the filesystem allows (no copy, no extra space),
 * copied otherwise. A hard link shares later in-place edits of the source; that is safe because the
 * history is never trusted: {@link io.skiff.engine.encode.BaseChunks} re-hashes every base chunk it uses.
 */
public final class PublishedReleases {

    private final ReleaseStore store;

    public PublishedReleases(Path root, int retain) {
        this.store = new ReleaseStore(root, retain);
    }

    public Path root() {
        return store.root();
    }

    /** The published release {@code id} of {@code channel}, if the history still has it. */
    public Optional<LocalRelease> find(String channel, Sha256 id) {
        return store.base(channel, id);
    }

    /** Records {@code manifest} (built from {@code source}) as published; idempotent. */
    public void record(Manifest manifest, Path source) {
        String channel = manifest.channel();
        Sha256 id = manifest.releaseId();
        synchronized (store.channelLock(channel)) {
            if (!Files.isDirectory(store.releaseDir(channel, id))) {
                Path staging = store.stagingDir(channel, id);
                try {
                    DirectoryTrees.deleteRecursively(staging);
                    Files.createDirectories(staging);
                    for (ManifestEntry e : manifest.entries()) {
                        Path to = staging.resolve(e.path());
                        if (!e.isFile()) {
                            Files.createDirectories(to);
                            continue;
                        }
                        Files.createDirectories(to.getParent());
                        linkOrCopy(source.resolve(e.path()), to);
                    }
                } catch (IOException e) {
                    throw new StorageException("record published release " + id.shortHex() + " in " + store.root(), e);
                }
            }
            store.saveManifest(manifest);
            store.activate(manifest, "published");
        }
    }

    private static void linkOrCopy(Path from, Path to) throws IOException {
        try {
            Files.createLink(to, from);
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
