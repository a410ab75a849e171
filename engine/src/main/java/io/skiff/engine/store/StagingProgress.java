package io.skiff.engine.store;

import io.skiff.protocol.ChunkTable;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SkiffException;
import io.skiff.protocol.StorageException;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * How far a partial transfer in {@code staging/} got, from its manifest and its resume journal alone
 * (read-only, safe while a receiver runs). Done means vouched for by the journal: a journaled chunk
 * stands for every ordinal with the same hash (the receiver writes them all before journaling one).
 *
 * @param version      the release's version, null when its manifest is missing (then nothing is known)
 * @param bytesTotal   the release's bytes, -1 without a manifest
 * @param lastModified newest modification of the staging tree and its journal (an active transfer
 *                     touches the journal at least every {@code --journal-sync}); null if both are gone
 */
public record StagingProgress(String channel, Sha256 releaseId, String version, long bytesTotal, long bytesDone,
                              int chunksTotal, int chunksDone, Instant lastModified) {

    /** Reads the manifest and journal of {@code staging/<releaseId>} of {@code channel}. */
    public static StagingProgress of(ReleaseStore store, String channel, Sha256 releaseId) {
        Instant modified = lastModified(store, channel, releaseId).orElse(null);
        Optional<Manifest> manifest;
        try {
            manifest = store.loadManifest(channel, releaseId);
        } catch (SkiffException e) {
            manifest = Optional.empty(); // unreadable or damaged: reported as unknown progress
        }
        if (manifest.isEmpty()) {
            return new StagingProgress(channel, releaseId, null, -1, 0, 0, 0, modified);
        }
        Manifest m = manifest.get();
        ChunkTable chunks = m.chunks();
        BitSet journaled = TransferJournal.read(TransferJournal.fileFor(store, channel, releaseId), releaseId, chunks.count());
        Set<Sha256> doneHashes = new HashSet<>();
        for (int o = journaled.nextSetBit(0); o >= 0; o = journaled.nextSetBit(o + 1)) {
            doneHashes.add(chunks.hash(o));
        }
        long bytesDone = 0;
        int chunksDone = 0;
        for (int o = 0; o < chunks.count(); o++) {
            if (doneHashes.contains(chunks.hash(o))) {
                bytesDone += chunks.length(o);
                chunksDone++;
            }
        }
        return new StagingProgress(channel, releaseId, m.version(), m.totalBytes(), bytesDone, chunks.count(), chunksDone, modified);
    }

    public boolean manifestKnown() {
        return bytesTotal >= 0;
    }

    /** Bytes still to arrive; -1 without a manifest. */
    public long bytesMissing() {
        return manifestKnown() ? bytesTotal - bytesDone : -1;
    }

    /** 0..100; NaN without a manifest. An empty release (no bytes) is all done. */
    public double percentDone() {
        if (!manifestKnown()) {
            return Double.NaN;
        }
        return bytesTotal == 0 ? 100.0 : 100.0 * bytesDone / bytesTotal;
    }

    /** Time since the last modification (zero if it is in the future, e.g. after a clock step); null if unknown. */
    public Duration age(Instant now) {
        if (lastModified == null) {
            return null;
        }
        Duration age = Duration.between(lastModified, now);
        return age.isNegative() ? Duration.ZERO : age;
    }

    /**
     * Newest modification time of {@code staging/<releaseId>} (every entry below it, the directory
     * itself included, or the entry itself when it is not a directory) and of its journal; empty when
     * neither exists. Entries that vanish while walking are skipped.
     */
    public static Optional<Instant> lastModified(ReleaseStore store, String channel, Sha256 releaseId) {
        Instant[] newest = {null};
        Path journal = TransferJournal.fileFor(store, channel, releaseId);
        newer(newest, journal);
        Path dir = store.stagingDir(channel, releaseId);
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                        take(newest, attrs.lastModifiedTime().toInstant());
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        take(newest, attrs.lastModifiedTime().toInstant());
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                        if (e instanceof NoSuchFileException) {
                            return FileVisitResult.CONTINUE; // removed meanwhile (an activation, a restart of the transfer)
                        }
                        throw e;
                    }
                });
            } catch (NoSuchFileException e) {
                // gone meanwhile
            } catch (IOException e) {
                throw new StorageException("read " + dir, e);
            }
        }
        return Optional.ofNullable(newest[0]);
    }

    private static void newer(Instant[] newest, Path file) {
        try {
            take(newest, Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).toInstant());
        } catch (NoSuchFileException e) {
            // no journal (yet)
        } catch (IOException e) {
            throw new StorageException("stat " + file, e);
        }
    }

    private static void take(Instant[] newest, Instant t) {
        if (newest[0] == null || t.isAfter(newest[0])) {
            newest[0] = t;
        }
    }
}
