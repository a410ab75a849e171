package io.skiff.engine.store;

import io.skiff.protocol.ChunkTable;
import io.skiff.protocol.EntryKind;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ManifestEntry;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SkiffException;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A release being received into {@code staging/<release-id>/}: files pre-sized, chunks written at their
 * offsets with positional writes (no whole-file buffering), then checked, fsynced and activated.
 * {@link #write} may be called from several threads at once; {@link #create}, {@link #commit} and
 * {@link #close} belong to the one receive session that owns it.
 */
public final class StagingRelease implements Closeable {
    /** Files kept open per staging release; beyond that a write opens and closes its file. */
    private static final int MAX_OPEN_FILES = 64;

    private final ReleaseStore store;
    private final Manifest manifest;
    private final Path dir;
    private final FileChannelCache<Integer> files = new FileChannelCache<>(MAX_OPEN_FILES, StandardOpenOption.WRITE);
    /** Entries written since the last {@link #syncWritten}: what must reach the disk before the journal says so. */
    private final Set<Integer> unsynced = ConcurrentHashMap.newKeySet();

    private StagingRelease(ReleaseStore store, Manifest manifest, Path dir) {
        this.store = store;
        this.manifest = manifest;
        this.dir = dir;
    }

    /**
     * Creates a fresh staging tree for {@code manifest} (replacing any earlier partial one, and its
     * journal, which would name chunks that are gone) and saves the manifest.
     */
    public static StagingRelease create(ReleaseStore store, Manifest manifest) {
        Path dir = store.stagingDir(manifest.channel(), manifest.releaseId());
        try {
            Files.deleteIfExists(TransferJournal.fileFor(store, manifest.channel(), manifest.releaseId()));
            DirectoryTrees.deleteRecursively(dir);
            Files.createDirectories(dir);
            for (ManifestEntry e : manifest.entries()) {
                Path path = dir.resolve(e.path());
                if (e.kind() == EntryKind.DIRECTORY) {
                    Files.createDirectories(path);
                } else {
                    Files.createDirectories(path.getParent());
                    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                        if (e.size() > 0) {
                            // Sparse: blocks are allocated as chunks land.
                            ch.write(ByteBuffer.allocate(1), e.size() - 1);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw ReleaseStore.storageFailure("create staging " + dir, e);
        }
        store.saveManifest(manifest);
        return new StagingRelease(store, manifest, dir);
    }

    /**
     * Continues a partial staging tree of {@code manifest} left by an earlier connection or a crash, if
     * it is intact (every directory there, every file there with its final size); otherwise starts a
     * fresh one. Which chunks in it can be trusted is the journal's business.
     */
    public static StagingRelease resumeOrCreate(ReleaseStore store, Manifest manifest) {
        Path dir = store.stagingDir(manifest.channel(), manifest.releaseId());
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && Files.exists(store.manifestFile(manifest.channel(), manifest.releaseId()))
                && intact(dir, manifest)) {
            return new StagingRelease(store, manifest, dir);
        }
        return create(store, manifest);
    }

    private static boolean intact(Path dir, Manifest manifest) {
        for (ManifestEntry e : manifest.entries()) {
            Path path = dir.resolve(e.path());
            try {
                if (e.isFile() ? !Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) || Files.size(path) != e.size()
                        : !Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    return false;
                }
            } catch (IOException ex) {
                return false;
            }
        }
        return true;
    }

    /** Forces every file written since the last call to disk (data only), so a journal record may name its chunks. */
    public void syncWritten() {
        List<Integer> entries = new ArrayList<>(unsynced);
        unsynced.removeAll(entries);
        for (int entry : entries) {
            Path path = dir.resolve(manifest.entries().get(entry).path());
            try {
                files.with(entry, path, ch -> {
                    ch.force(false);
                    return null;
                });
            } catch (IOException e) {
                throw ReleaseStore.storageFailure("sync " + manifest.entries().get(entry).path() + " in staging", e);
            }
        }
    }

    public Manifest manifest() {
        return manifest;
    }

    public Path dir() {
        return dir;
    }

    /** Writes the bytes of chunk {@code ordinal} (already verified by the caller) at its offset. */
    public void write(int ordinal, ByteBuffer data) {
        ChunkTable chunks = manifest.chunks();
        int entry = chunks.entryIndex(ordinal);
        ByteBuffer src = data.duplicate();
        unsynced.add(entry);
        try {
            files.with(entry, dir.resolve(manifest.entries().get(entry).path()), ch -> {
                long offset = chunks.offset(ordinal);
                while (src.hasRemaining()) {
                    offset += ch.write(src, offset);
                }
                return null;
            });
        } catch (IOException e) {
            throw ReleaseStore.storageFailure("write " + manifest.entries().get(entry).path() + " in staging", e);
        }
    }

    /**
     * Checks every file, sets modes, fsyncs files and directories, then activates.
     *
     * <p>Every byte was verified against its chunk hash right before it was written, and the manifest's
     * file digests are digests of those chunk lists, so the files are verified by construction; the
     * check here is that every file has its size. With {@code rehash} every chunk is read back from
     * disk and hashed again (one more SHA-256 pass over the release) before activation.
     */
    public void commit(String peer, boolean rehash) {
        close();
        if (rehash) {
            ReleaseVerifier.verify(dir, manifest);
        } else {
            checkSizes();
        }
        try {
            for (ManifestEntry e : manifest.entries()) {
                Path path = dir.resolve(e.path());
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(e.mode() == 0755 ? "rwxr-xr-x" : "rw-r--r--"));
                if (e.isFile()) {
                    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
                        ch.force(true);
                    }
                } else {
                    DirectoryTrees.fsync(path);
                }
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            DirectoryTrees.fsync(dir);
            for (ManifestEntry e : manifest.entries()) {
                Path parent = dir.resolve(e.path()).getParent();
                if (e.isFile() && !parent.equals(dir)) {
                    DirectoryTrees.fsync(parent);
                }
            }
        } catch (IOException e) {
            throw ReleaseStore.storageFailure("sync staging " + dir, e);
        }
        store.activate(manifest, peer);
    }

    private void checkSizes() {
        for (ManifestEntry e : manifest.entries()) {
            if (!e.isFile()) {
                continue;
            }
            Path path = dir.resolve(e.path());
            try {
                long size = Files.size(path);
                if (size != e.size()) {
                    throw new SkiffException(ErrorCode.FILE_HASH_MISMATCH, "size mismatch in staging: " + e.path()
                            + " expected=" + e.size() + " actual=" + size);
                }
            } catch (IOException ex) {
                throw ReleaseStore.storageFailure("stat " + path, ex);
            }
        }
    }

    public Sha256 releaseId() {
        return manifest.releaseId();
    }

    @Override
    public void close() {
        files.close();
    }
}
