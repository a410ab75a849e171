package io.skiff.engine.store;

import io.skiff.engine.files.FileChannelCache;
import io.skiff.protocol.ChunkTable;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.Sha256;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where chunks can be found on local disk: every chunk of the channel's retained releases, and of the
 * receiver's seed directories, by hash (any file, any offset: moved, renamed and duplicated files cost
 * nothing on the wire).
 * Local bytes are not trusted: {@link #read} re-hashes them and returns false on any mismatch, so a
 * tampered or damaged base costs a fetch from the sender, never a corrupt release. Holds files open
 * while it is used; close it when the plan is done.
 */
public final class LocalChunkIndex implements AutoCloseable {
    private static final int MAX_OPEN_FILES = 64;

    private record Location(Path file, long offset, int length) {
    }

    private final Map<Sha256, Location> byHash = new HashMap<>();
    private final FileChannelCache<Path> files = new FileChannelCache<>(MAX_OPEN_FILES, StandardOpenOption.READ);

    public static LocalChunkIndex of(ReleaseStore store, String channel, List<SeedTree> seeds) {
        LocalChunkIndex index = new LocalChunkIndex();
        List<Sha256> releases = store.releases(channel); // newest first: their files are warmest in cache
        for (Sha256 id : releases) {
            store.loadManifest(channel, id).ifPresent(m -> index.add(store.releaseDir(channel, id), m));
        }
        for (SeedTree seed : seeds) {
            index.add(seed.dir(), seed.manifest());
        }
        return index;
    }

    public void add(Path releaseDir, Manifest manifest) {
        ChunkTable chunks = manifest.chunks();
        for (int i = 0; i < chunks.count(); i++) {
            Path file = releaseDir.resolve(manifest.entries().get(chunks.entryIndex(i)).path());
            byHash.putIfAbsent(chunks.hash(i), new Location(file, chunks.offset(i), chunks.length(i)));
        }
    }

    public boolean contains(Sha256 hash) {
        return byHash.containsKey(hash);
    }

    /**
     * Reads the chunk into {@code target} (cleared first, flipped on return) and checks its hash.
     * @return true if {@code target} now holds bytes whose SHA-256 is {@code hash}
     */
    public boolean read(Sha256 hash, ByteBuffer target, MessageDigest digest) {
        Location loc = byHash.get(hash);
        if (loc == null || loc.length > target.capacity()) {
            return false;
        }
        target.clear().limit(loc.length);
        try {
            if (!files.readFully(loc.file, loc.file, target, loc.offset)) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        target.flip();
        digest.reset();
        digest.update(target.duplicate());
        return hash.matches(digest.digest(), 0);
    }

    @Override
    public void close() {
        files.close();
    }
}
