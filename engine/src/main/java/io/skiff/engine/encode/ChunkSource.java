package io.skiff.engine.encode;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.FileRegion;
import io.skiff.engine.files.FileChannelCache;
import io.skiff.protocol.ChunkTable;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.SourceException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Reads a release's chunks from the sender's source tree with positional reads (safe from many
 * threads). Keeps up to {@value #MAX_OPEN_FILES} files open; beyond that, opens per read.
 *
 * <p>A relay reads from its staging tree, which becomes a release directory when it activates: it
 * gives both roots, and a file is read from the first root that has it.
 */
public final class ChunkSource implements AutoCloseable {
    private static final int MAX_OPEN_FILES = 256;

    private final List<Path> roots;
    private final Manifest manifest;
    private final FileChannelCache<Integer> files = new FileChannelCache<>(MAX_OPEN_FILES, StandardOpenOption.READ);

    public ChunkSource(Path root, Manifest manifest) {
        this(List.of(root), manifest);
    }

    /** Reads each file from the first of {@code roots} that has it (the tree may move from one to the next). */
    public ChunkSource(List<Path> roots, Manifest manifest) {
        this.roots = List.copyOf(roots);
        this.manifest = manifest;
    }

    /** Index into the manifest's entries of the file holding chunk {@code ordinal}. */
    public int entryIndex(int ordinal) {
        return manifest.chunks().entryIndex(ordinal);
    }

    /**
     * A region of the source file holding chunk {@code ordinal}, for zero-copy sending; null when the
     * file cannot be kept open (too many files), in which case the caller reads the chunk instead.
     */
    public FileRegion region(int ordinal) {
        return region(ordinal, 1);
    }

    /**
     * One region over chunks {@code first .. first + count - 1}, which must lie in one file (they are
     * then contiguous in it); null as for {@link #region(int)}.
     */
    FileRegion region(int first, int count) {
        int entry = manifest.chunks().entryIndex(first);
        int last = first + count - 1;
        if (manifest.chunks().entryIndex(last) != entry) {
            throw new IllegalArgumentException("chunks " + first + ".." + last + " are not all in one file");
        }
        long offset = manifest.chunks().offset(first);
        long length = manifest.chunks().offset(last) + manifest.chunks().length(last) - offset;
        Path file = file(entry);
        FileChannel ch;
        try {
            ch = files.cached(entry, file);
        } catch (NoSuchFileException moved) {
            return roots.size() > 1 ? readRegionAgain(entry, offset, length) : throwCannotRead(file, moved);
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
        return ch == null ? null : FileRegionChunk.sharedRegion(ch, offset, length);
    }

    /** The tree moved between finding the file and opening it (a relay's staging tree activated): once more. */
    private FileRegion readRegionAgain(int entry, long offset, long length) {
        Path file = file(entry);
        try {
            FileChannel ch = files.cached(entry, file);
            return ch == null ? null : FileRegionChunk.sharedRegion(ch, offset, length);
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    private static FileRegion throwCannotRead(Path file, IOException e) {
        throw cannotRead(file, e);
    }

    /** Reads chunk {@code ordinal} into a new direct buffer from {@code alloc}; the caller owns it. */
    public ByteBuf read(ByteBufAllocator alloc, int ordinal) {
        int length = manifest.chunks().length(ordinal);
        ByteBuf buf = alloc.directBuffer(length);
        try {
            read(ordinal, buf.nioBuffer(0, length));
            buf.writerIndex(length);
            ByteBuf result = buf;
            buf = null;
            return result;
        } finally {
            if (buf != null) {
                buf.release();
            }
        }
    }

    /** Fills {@code target} (cleared first) with chunk {@code ordinal}; flipped on return. */
    public void read(int ordinal, ByteBuffer target) {
        ChunkTable chunks = manifest.chunks();
        int entry = chunks.entryIndex(ordinal);
        target.clear().limit(chunks.length(ordinal));
        Path file = file(entry);
        try {
            if (!readFully(entry, file, target, chunks.offset(ordinal))) {
                throw new SourceException(file, "source file shrank while pushing: " + file);
            }
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
        target.flip();
    }

    private boolean readFully(int entry, Path file, ByteBuffer target, long position) throws IOException {
        try {
            return files.readFully(entry, file, target, position);
        } catch (NoSuchFileException moved) {
            if (roots.size() == 1) {
                throw moved;
            }
            return files.readFully(entry, file(entry), target, position); // the tree moved: once more
        }
    }

    /** Where entry {@code entry}'s file is read from. */
    Path file(int entry) {
        String path = manifest.entries().get(entry).path();
        for (int i = 0; i < roots.size() - 1; i++) {
            Path file = roots.get(i).resolve(path);
            if (Files.exists(file)) {
                return file;
            }
        }
        return roots.get(roots.size() - 1).resolve(path);
    }

    private static SourceException cannotRead(Path file, IOException e) {
        return new SourceException(file, "cannot read " + file + ": " + e.getMessage(), e);
    }

    @Override
    public void close() {
        files.close();
    }
}
