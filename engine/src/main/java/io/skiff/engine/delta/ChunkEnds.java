package io.skiff.engine.delta;

import io.skiff.protocol.ChunkTable;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ManifestEntry;
import io.skiff.protocol.Sha256;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * A key of the last {@value #KEY_BYTES} bytes of every chunk of a base release and of a target release,
 * for {@link ReferencePlanner} to find where each changed chunk sits in the base. Content-defined
 * chunking cuts where the bytes just before the cut say so, so an edit inside a chunk leaves the cuts
 * around it where they were: two chunk ends with the same last bytes are, nearly always, the same place
 * in both files. A file that cannot be read has {@link #UNKNOWN} keys, which match nothing.
 */
public final class ChunkEnds {
    /** Enough bytes to hold a code-set row's identifier along with its line ending. */
    static final int KEY_BYTES = 48;
    /** The key of a chunk whose bytes could not be read. */
    static final long UNKNOWN = Long.MIN_VALUE;

    private final Sha256 baseId;
    private final Sha256 targetId;
    private final long[] base;
    private final long[] target;

    private ChunkEnds(Manifest baseRelease, long[] base, Manifest targetRelease, long[] target) {
        this.baseId = baseRelease.releaseId();
        this.targetId = targetRelease.releaseId();
        this.base = base;
        this.target = target;
    }

    /**
     * Reads {@value #KEY_BYTES} bytes at the end of every chunk of both releases: one small read per
     * chunk, cheap when the trees are in the page cache, as a sender's just built or published ones are.
     *
     * @param baseFiles   the path of the base release's entry {@code i}
     * @param targetFiles the path of the target release's entry {@code i}
     */
    public static ChunkEnds read(Manifest base, IntFunction<Path> baseFiles, Manifest target, IntFunction<Path> targetFiles) {
        return new ChunkEnds(base, keys(base, baseFiles), target, keys(target, targetFiles));
    }

    long base(int ordinal) {
        return base[ordinal];
    }

    long target(int ordinal) {
        return target[ordinal];
    }

    /** Whether these keys were read for this pair of releases. */
    boolean fits(Manifest base, Manifest target) {
        return baseId.equals(base.releaseId()) && targetId.equals(target.releaseId());
    }

    private static long[] keys(Manifest manifest, IntFunction<Path> files) {
        ChunkTable chunks = manifest.chunks();
        long[] keys = new long[chunks.count()];
        ByteBuffer tail = ByteBuffer.allocate(KEY_BYTES);
        for (int e = 0; e < manifest.entries().size(); e++) {
            ManifestEntry file = manifest.entries().get(e);
            int first = file.firstChunk();
            int end = first + file.chunkCount();
            if (first == end) {
                continue;
            }
            try (FileChannel channel = FileChannel.open(files.apply(e), StandardOpenOption.READ)) {
                for (int o = first; o < end; o++) {
                    keys[o] = key(channel, chunks.offset(o) + chunks.length(o), Math.min(KEY_BYTES, chunks.length(o)), tail);
                }
            } catch (IOException | RuntimeException cannotRead) { // a missing or changed file: its chunks match nothing
                Arrays.fill(keys, first, end, UNKNOWN);
            }
        }
        return keys;
    }

    /** FNV-1a of the {@code length} bytes before {@code end}; UNKNOWN if the file is shorter. */
    private static long key(FileChannel channel, long end, int length, ByteBuffer tail) throws IOException {
        tail.clear().limit(length);
        long position = end - length;
        while (tail.hasRemaining()) {
            int n = channel.read(tail, position + tail.position());
            if (n < 0) {
                return UNKNOWN;
            }
        }
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < length; i++) {
            h = (h ^ (tail.get(i) & 0xff)) * 0x100000001b3L;
        }
        return h == UNKNOWN ? h + 1 : h;
    }
}
