package io.skiff.engine.store;

import io.skiff.engine.files.DirectoryTrees;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SkiffException;
import io.skiff.protocol.StorageException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Garbage collection of abandoned partial transfers: {@code staging/<id>/} (or whatever entry has that
 * name), {@code staging/<id>.journal}, and {@code manifests/<id>.manifest} unless {@code releases/<id>}
 * exists or {@code current} points at it. Never touches {@code current}, {@code releases/} or the
 * manifests of retained releases.
 *
 * <p>Safe while a receiver runs on the root: a transfer counts as abandoned only when neither its staging
 * tree nor its journal was modified for the threshold (an active transfer syncs its journal every
 * {@code --journal-sync}), and that is checked again right before anything is removed.
 */
public final class StagingCollector {
    private static final String JOURNAL_SUFFIX = ".journal";

    private StagingCollector() {
    }

    /**
     * A partial transfer found in {@code staging/}.
     *
     * @param version the release's version, null when its manifest is gone
     * @param paths   what removing it deletes (existing at scan time)
     * @param bytes   apparent size of those files (a sparse staging file counts its full length)
     */
    public record Candidate(String channel, Sha256 releaseId, String version, List<Path> paths, long bytes, Instant lastModified) {
        public Duration age(Instant now) {
            Duration age = Duration.between(lastModified, now);
            return age.isNegative() ? Duration.ZERO : age;
        }

        public boolean olderThan(Duration threshold, Instant now) {
            return age(now).compareTo(threshold) >= 0;
        }
    }

    /** Every partial transfer of every channel under the root, whatever its age. */
    public static List<Candidate> scan(ReleaseStore store) {
        List<Candidate> found = new ArrayList<>();
        for (String channel : store.channels()) {
            for (Sha256 id : stagingIds(store, channel)) {
                candidate(store, channel, id).ifPresent(found::add);
            }
        }
        return found;
    }

    /**
     * Removes a candidate if it is still untouched for {@code olderThan} at {@code now} (checked again
     * first: a transfer may have resumed since the scan). Returns false when it was kept for that reason.
     * The journal goes first, so an interrupted removal never leaves a journal naming chunks whose
     * staging files are gone (a resume would start over anyway: the tree would not be intact).
     */
    public static boolean remove(ReleaseStore store, Candidate c, Duration olderThan, Instant now) {
        Optional<Instant> modified = StagingProgress.lastModified(store, c.channel(), c.releaseId());
        if (modified.isEmpty()) {
            return false; // gone meanwhile (activated, or removed by another gc)
        }
        if (Duration.between(modified.get(), now).compareTo(olderThan) < 0) {
            return false;
        }
        try {
            Files.deleteIfExists(TransferJournal.fileFor(store, c.channel(), c.releaseId()));
            DirectoryTrees.deleteRecursively(store.stagingDir(c.channel(), c.releaseId()));
            if (!retained(store, c.channel(), c.releaseId())) {
                Path manifest = store.manifestFile(c.channel(), c.releaseId());
                Files.deleteIfExists(manifest);
                Files.deleteIfExists(manifest.resolveSibling(manifest.getFileName() + ".tmp"));
            }
        } catch (IOException e) {
            throw new StorageException("remove the staging of " + c.releaseId().shortHex() + " in " + c.channel(), e);
        }
        return true;
    }

    private static Optional<Candidate> candidate(ReleaseStore store, String channel, Sha256 id) {
        Optional<Instant> modified = StagingProgress.lastModified(store, channel, id);
        if (modified.isEmpty()) {
            return Optional.empty();
        }
        List<Path> paths = new ArrayList<>();
        long[] bytes = {0};
        Path journal = TransferJournal.fileFor(store, channel, id);
        Path dir = store.stagingDir(channel, id);
        for (Path p : List.of(journal, dir)) {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                paths.add(p);
                bytes[0] += size(p);
            }
        }
        if (!retained(store, channel, id)) {
            Path manifest = store.manifestFile(channel, id);
            for (Path p : List.of(manifest, manifest.resolveSibling(manifest.getFileName() + ".tmp"))) {
                if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                    paths.add(p);
                    bytes[0] += size(p);
                }
            }
        }
        String version = null;
        try {
            version = store.loadManifest(channel, id).map(Manifest::version).orElse(null);
        } catch (SkiffException e) {
            // damaged manifest: removed with the rest, version unknown
        }
        return Optional.of(new Candidate(channel, id, version, List.copyOf(paths), bytes[0], modified.get()));
    }

    /** Whether the release is activated (kept in {@code releases/} or pointed at by {@code current}). */
    private static boolean retained(ReleaseStore store, String channel, Sha256 id) {
        return Files.exists(store.releaseDir(channel, id), LinkOption.NOFOLLOW_LINKS) || store.current(channel).filter(id::equals).isPresent();
    }

    /** Release ids named by entries of {@code staging/}: {@code <id>} (of any kind) and {@code <id>.journal}. */
    private static TreeSet<Sha256> stagingIds(ReleaseStore store, String channel) {
        TreeSet<Sha256> ids = new TreeSet<>();
        Path staging = store.channelDir(channel).resolve("staging");
        if (!Files.isDirectory(staging, LinkOption.NOFOLLOW_LINKS)) {
            return ids;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(staging)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.endsWith(JOURNAL_SUFFIX)) {
                    name = name.substring(0, name.length() - JOURNAL_SUFFIX.length());
                }
                if (name.length() == 2 * Sha256.BYTES) {
                    try {
                        ids.add(Sha256.parseHex(name));
                    } catch (IllegalArgumentException ignored) {
                        // not ours: left alone
                    }
                }
            }
        } catch (IOException e) {
            throw new StorageException("list " + staging, e);
        }
        return ids;
    }

    /** Apparent bytes of the files at or below {@code p} (symlinks not followed); 0 for what vanished. */
    private static long size(Path p) {
        long[] total = {0};
        try {
            Files.walkFileTree(p, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        total[0] += attrs.size();
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw new StorageException("read " + p, e);
        }
        return total[0];
    }
}
