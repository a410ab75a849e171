package io.skiff.engine.store;

import com.sun.nio.file.ExtendedOpenOption;
import io.skiff.engine.audit.Actor;
import io.skiff.engine.files.DirectoryTrees;
import io.skiff.engine.files.FileChannelCache;
import io.skiff.protocol.ChunkTable;
import io.skiff.protocol.EntryKind;
import io.skiff.protocol.IntegrityException;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ManifestEntry;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A release being received into {@code staging/<release-id>/}: files pre-sized, chunks written at their
 * offsets with positional writes (no whole-file buffering), then checked, fsynced and activated.
 * {@link #write} may be called from several threads at once; {@link #create}, {@link #commit} and
 * {@link #close} belong to the one receive session that owns it.
 *
 * <p>Given {@link SegmentBuffers}, files of at least {@link #DIRECT_MIN_FILE_BYTES} are written with
 * {@code O_DIRECT} in whole aligned segments ({@link DirectSegments}), bypassing the page cache; a file
 * system that refuses {@code O_DIRECT} gets ordinary writes. A chunk written that way may sit in a
 * segment buffer until its segment is whole, so nothing may read staging files before {@link #syncWritten}
 * or {@link #close}: a relay, which re-reads chunks from staging as they land, stages with ordinary writes.
 */
public final class StagingRelease implements Closeable {
    /** Files kept open per staging release; beyond that a write opens and closes its file. */
    private static final int MAX_OPEN_FILES = 64;
    /** Smaller files are written through the page cache: a direct write per piece of them would cost more than it saves. */
    public static final long DIRECT_MIN_FILE_BYTES = 1 << 20;
    private static final Logger LOG = LoggerFactory.getLogger(StagingRelease.class);

    private final ReleaseStore store;
    private final Manifest manifest;
    private final Path dir;
    private final FileChannelCache<Integer> files = new FileChannelCache<>(MAX_OPEN_FILES, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS); // every write refuses a link at the file's name; ExactTree checks the rest
    private final FileChannelCache<Integer> directFiles = new FileChannelCache<>(MAX_OPEN_FILES, StandardOpenOption.WRITE,
            ExtendedOpenOption.DIRECT, LinkOption.NOFOLLOW_LINKS);
    /** Null: every file through the page cache. */
    private final SegmentBuffers segmentBuffers;
    /** Per entry written with O_DIRECT; made on its first write. */
    private final ConcurrentHashMap<Integer, DirectSegments> direct = new ConcurrentHashMap<>();
    private volatile boolean directRefused;
    /** Entries written since the last {@link #syncWritten}: what must reach the disk before the journal says so. */
    private final Set<Integer> unsynced = ConcurrentHashMap.newKeySet();

    private StagingRelease(ReleaseStore store, Manifest manifest, Path dir, SegmentBuffers segmentBuffers) {
        this.store = store;
        this.manifest = manifest;
        this.dir = dir;
        this.segmentBuffers = segmentBuffers;
    }

    /**
     * Creates a fresh staging tree for {@code manifest} (replacing any earlier partial one, and its
     * journal, which would name chunks that are gone) and saves the manifest; every file through the page cache.
     */
    public static StagingRelease create(ReleaseStore store, Manifest manifest) {
        return create(store, manifest, null);
    }

    /** The same; with {@code segmentBuffers}, large files are written with O_DIRECT (null: page cache). */
    public static StagingRelease create(ReleaseStore store, Manifest manifest, SegmentBuffers segmentBuffers) {
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
                    Files.createFile(path);
                    try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw")) {
                        f.setLength(e.size()); // sparse (ftruncate): blocks are allocated as chunks land, no page is dirtied
                    }
                }
            }
        } catch (IOException e) {
            throw new StorageException("create staging " + dir, e);
        }
        store.saveManifest(manifest);
        return new StagingRelease(store, manifest, dir, segmentBuffers);
    }

    /**
     * Continues a partial staging tree of {@code manifest} left by an earlier connection or a crash, if
     * it is intact (every directory there, every file there with its final size); otherwise starts a
     * fresh one. Which chunks in it can be trusted is the journal's business. With {@code segmentBuffers},
     * large files are written with O_DIRECT (null: page cache).
     */
    public static StagingRelease resumeOrCreate(ReleaseStore store, Manifest manifest, SegmentBuffers segmentBuffers) {
        Path dir = store.stagingDir(manifest.channel(), manifest.releaseId());
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && Files.exists(store.manifestFile(manifest.channel(), manifest.releaseId()))
                && ExactTree.resumable(dir, manifest)) {
            return new StagingRelease(store, manifest, dir, segmentBuffers);
        }
        return create(store, manifest, segmentBuffers);
    }

    /**
     * Forces every file written since the last call to disk (data only), so a journal record may name its
     * chunks. With {@code writeOutHeld}, pieces still held in segment buffers are written through the page
     * cache first, so every chunk written so far is on disk; without, those stay held (see {@link #held}) and
     * only the rest is.
     */
    public void syncWritten(boolean writeOutHeld) {
        List<Integer> entries = new ArrayList<>(unsynced);
        unsynced.removeAll(entries);
        for (int entry : entries) {
            Path path = dir.resolve(manifest.entries().get(entry).path());
            try {
                DirectSegments segments = direct.get(entry);
                if (segments != null && writeOutHeld) {
                    segments.flush();
                } else if (segments != null) {
                    segments.checkHealthy(); // a failed segment write must not let its chunks into the journal
                    unsynced.add(entry); // its held pieces reach the disk with a later direct write or flush
                }
                files.with(entry, path, ch -> {
                    ch.force(false);
                    return null;
                });
            } catch (IOException e) {
                throw new StorageException("sync " + manifest.entries().get(entry).path() + " in staging", e);
            }
        }
    }

    /** {@code syncWritten(true)}: every chunk written so far is on disk afterwards. */
    public void syncWritten() {
        syncWritten(true);
    }

    /**
     * Whether chunk {@code ordinal}'s bytes may still be in a segment buffer and not yet in its file: a
     * journal record may name it only after a later sync. Asked before {@link #syncWritten}, since a
     * segment written after this answer is covered by that sync's fsync only if it was written before it.
     */
    public boolean held(int ordinal) {
        ChunkTable chunks = manifest.chunks();
        DirectSegments segments = direct.get(chunks.entryIndex(ordinal));
        return segments != null && segments.holds(chunks.offset(ordinal), chunks.length(ordinal));
    }

    public Manifest manifest() {
        return manifest;
    }

    public Path dir() {
        return dir;
    }

    /**
     * Writes the bytes of chunk {@code ordinal} (already verified by the caller) at its offset: the
     * pieces' remaining bytes one after the other (a chunk that straddled socket reads is in several).
     */
    public void write(int ordinal, ByteBuffer... pieces) {
        ChunkTable chunks = manifest.chunks();
        int entry = chunks.entryIndex(ordinal);
        unsynced.add(entry);
        try {
            DirectSegments segments = directSegments(entry);
            long at = chunks.offset(ordinal);
            for (ByteBuffer piece : pieces) {
                if (segments != null) {
                    segments.write(piece, at);
                } else {
                    writeBuffered(entry, piece, at);
                }
                at += piece.remaining();
            }
        } catch (IOException e) {
            throw new StorageException("write " + manifest.entries().get(entry).path() + " in staging", e);
        }
    }

    /** The entry's direct writer, or null if it is written through the page cache. */
    private DirectSegments directSegments(int entry) {
        if (segmentBuffers == null || directRefused) {
            return null;
        }
        long size = manifest.entries().get(entry).size();
        if (size < DIRECT_MIN_FILE_BYTES) {
            return null;
        }
        return direct.computeIfAbsent(entry, e -> new DirectSegments(size, segmentBuffers, new DirectSegments.FileIo() {
            @Override
            public void writeDirect(ByteBuffer src, long position) throws IOException {
                Path path = dir.resolve(manifest.entries().get(entry).path());
                try {
                    directFiles.with(entry, path, ch -> writeFully(ch, src.duplicate(), position));
                } catch (IOException | UnsupportedOperationException refused) {
                    if (!directRefused) {
                        directRefused = true; // e.g. a file system without O_DIRECT; a real I/O error fails the buffered write too
                        LOG.info("a direct write failed in {} ({}); the rest of it goes through the page cache", dir, refused.toString());
                    }
                    StagingRelease.this.writeBuffered(entry, src, position);
                }
            }

            @Override
            public void writeBuffered(ByteBuffer src, long position) throws IOException {
                StagingRelease.this.writeBuffered(entry, src, position);
            }
        }));
    }

    private void writeBuffered(int entry, ByteBuffer data, long offset) throws IOException {
        files.with(entry, dir.resolve(manifest.entries().get(entry).path()), ch -> writeFully(ch, data.duplicate(), offset));
    }

    private static Void writeFully(FileChannel ch, ByteBuffer src, long offset) throws IOException {
        long at = offset;
        while (src.hasRemaining()) {
            at += ch.write(src, at);
        }
        return null;
    }

    /** Segments written with one direct write each so far, over all files (for tests and logs). */
    public int segmentsWrittenDirect() {
        return direct.values().stream().mapToInt(DirectSegments::segmentsWrittenDirect).sum();
    }

    /** Segments of direct-written files that went through the page cache instead (a journal sync, no free buffer). */
    public int segmentsSpilled() {
        return direct.values().stream().mapToInt(DirectSegments::segmentsSpilled).sum();
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
        commit(peer, new Actor(peer, null), rehash);
    }

    /** The same, recording {@code actor} as who activated it in the audit trail. */
    public void commit(String peer, Actor actor, boolean rehash) {
        close();
        ExactTree.require(dir, manifest);
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
            throw new StorageException("sync staging " + dir, e);
        }
        store.activate(manifest, peer, actor);
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
                    throw IntegrityException.mismatch(e.path(), "size mismatch in staging: " + e.path()
                            + " expected=" + e.size() + " actual=" + size);
                }
            } catch (IOException ex) {
                throw new StorageException("stat " + path, ex);
            }
        }
    }

    /**
     * Returns once the direct writes in flight are done (they run on the segment buffers' writer thread), so
     * that their chunks are no longer {@linkplain #held held}; a write that failed fails this.
     */
    public void awaitDirectWrites() {
        for (Map.Entry<Integer, DirectSegments> e : direct.entrySet()) {
            try {
                e.getValue().awaitWrites();
            } catch (IOException ex) {
                throw new StorageException("write " + manifest.entries().get(e.getKey()).path() + " in staging", ex);
            }
        }
    }

    public Sha256 releaseId() {
        return manifest.releaseId();
    }

    /**
     * Removes what a transfer that staged no chunk at all leaves: the staging tree (sparse files), its
     * journal, and the manifest unless a release of it is kept. Nothing of it is worth a resume, and
     * keeping it would let peers that send a manifest and stop fill the disk with manifests. Call after
     * {@link #close}.
     */
    public void discardUnstarted() {
        try {
            Files.deleteIfExists(TransferJournal.fileFor(store, manifest.channel(), manifest.releaseId()));
            DirectoryTrees.deleteRecursively(dir);
            if (!Files.exists(store.releaseDir(manifest.channel(), manifest.releaseId()), LinkOption.NOFOLLOW_LINKS)) {
                Files.deleteIfExists(store.manifestFile(manifest.channel(), manifest.releaseId()));
            }
        } catch (IOException e) {
            throw new StorageException("remove unstarted staging " + dir, e);
        }
    }

    /** Writes out what segment buffers still hold (through the page cache), then closes every file; idempotent. */
    @Override
    public void close() {
        IOException failure = null;
        for (Map.Entry<Integer, DirectSegments> e : direct.entrySet()) {
            try {
                e.getValue().flush();
            } catch (IOException ex) {
                e.getValue().discard();
                if (failure == null) {
                    failure = ex;
                }
            }
        }
        directFiles.close();
        files.close();
        if (failure != null) {
            throw new StorageException("write out staging " + dir, failure);
        }
    }
}
