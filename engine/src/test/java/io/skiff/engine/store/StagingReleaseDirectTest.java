package io.skiff.engine.store;

import io.skiff.engine.manifest.ManifestBuilder;
import io.skiff.engine.testing.TestTrees;
import io.skiff.protocol.ChunkTable;
import io.skiff.protocol.ChunkingParams;
import io.skiff.protocol.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A staging release written with O_DIRECT segments, on this machine's real file system. */
class StagingReleaseDirectTest {
    @TempDir
    Path tmp;

    private Path source() {
        Path src = tmp.resolve("src");
        TestTrees.randomFile(src.resolve("big.bin"), 2L * SegmentBuffers.SEGMENT_BYTES + 777_777, 1);
        TestTrees.textFile(src.resolve("dir/small.txt"), 300_000, 2); // under DIRECT_MIN_FILE_BYTES: the page cache
        return src;
    }

    private static void writeChunk(StagingRelease staging, Path src, int ordinal) throws IOException {
        writeChunk(staging, src, ordinal, false);
    }

    /** @param inPieces in three pieces, as a chunk that straddled socket reads arrives */
    private static void writeChunk(StagingRelease staging, Path src, int ordinal, boolean inPieces) throws IOException {
        Manifest m = staging.manifest();
        ChunkTable chunks = m.chunks();
        Path file = src.resolve(m.entries().get(chunks.entryIndex(ordinal)).path());
        ByteBuffer bytes = ByteBuffer.allocate(chunks.length(ordinal));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (bytes.hasRemaining() && ch.read(bytes, chunks.offset(ordinal) + bytes.position()) >= 0) {
                // positional reads until full
            }
        }
        bytes.flip();
        if (inPieces) {
            int third = bytes.remaining() / 3;
            staging.write(ordinal, bytes.slice(0, third), bytes.slice(third, third), bytes.slice(2 * third, bytes.remaining() - 2 * third));
        } else {
            staging.write(ordinal, bytes);
        }
    }

    @Test
    void shouldActivateAReleaseWrittenWithDirectSegmentsInAnyOrderAndInPiecesByteForByte() throws IOException {
        Path src = source();
        Manifest m = ManifestBuilder.build(src, "ch", "v1", ChunkingParams.DEFAULT, 1);
        ReleaseStore store = new ReleaseStore(tmp.resolve("root"), 3);
        SegmentBuffers buffers = new SegmentBuffers(4);
        StagingRelease staging = StagingRelease.create(store, m, buffers);
        for (int ordinal = m.chunks().count() - 1; ordinal >= 0; ordinal--) { // last to first: segments fill out of order
            writeChunk(staging, src, ordinal, ordinal % 2 == 1);
        }
        staging.awaitDirectWrites();
        int direct = staging.segmentsWrittenDirect();
        staging.commit("test", true); // rehash: every chunk read back from disk and hashed again

        assertEquals(3, direct, "big.bin's three segments each went in one direct write; small.txt through the page cache");
        Path current = store.root().resolve("ch/current");
        TestTrees.assertSameTree(src, current);
        assertEquals(4, buffers.available());
    }

    @Test
    void shouldHaveEveryWrittenChunkOnDiskAfterSyncWrittenThoughItsSegmentIsNotWhole() throws IOException {
        Path src = source();
        Manifest m = ManifestBuilder.build(src, "ch", "v1", ChunkingParams.DEFAULT, 1);
        ReleaseStore store = new ReleaseStore(tmp.resolve("root"), 3);
        StagingRelease staging = StagingRelease.create(store, m, new SegmentBuffers(4));
        int half = m.chunks().count() / 2;
        for (int ordinal = 0; ordinal < half; ordinal++) {
            writeChunk(staging, src, ordinal);
        }
        staging.syncWritten(); // what precedes every journal record

        ChunkTable chunks = m.chunks();
        for (int ordinal = 0; ordinal < half; ordinal++) {
            Path rel = Path.of(m.entries().get(chunks.entryIndex(ordinal)).path());
            byte[] expected = Arrays.copyOfRange(Files.readAllBytes(src.resolve(rel)), (int) chunks.offset(ordinal),
                    (int) chunks.offset(ordinal) + chunks.length(ordinal));
            byte[] staged = Arrays.copyOfRange(Files.readAllBytes(staging.dir().resolve(rel)), (int) chunks.offset(ordinal),
                    (int) chunks.offset(ordinal) + chunks.length(ordinal));
            assertArrayEquals(expected, staged, "chunk " + ordinal + " is in the staging file, not only in a buffer");
        }
        for (int ordinal = half; ordinal < chunks.count(); ordinal++) {
            writeChunk(staging, src, ordinal);
        }
        staging.commit("test", true);
        TestTrees.assertSameTree(src, store.root().resolve("ch/current"));
        assertTrue(staging.segmentsWrittenDirect() >= 1, "the segments not cut by the sync still went direct");
    }

    @Test
    void shouldSayWhichChunksAreStillHeldAndKeepThemHeldThroughASyncThatDoesNotWriteThemOut() throws IOException {
        Path src = source();
        Manifest m = ManifestBuilder.build(src, "ch", "v1", ChunkingParams.DEFAULT, 1);
        ReleaseStore store = new ReleaseStore(tmp.resolve("root"), 3);
        StagingRelease staging = StagingRelease.create(store, m, new SegmentBuffers(4));
        ChunkTable chunks = m.chunks();
        int bigEntry = chunks.entryIndex(0);
        assertEquals("big.bin", m.entries().get(bigEntry).path());
        // every chunk of big.bin that lies wholly in its first segment, and the first one past it
        int first = 0;
        int pastFirstSegment = 0;
        while (chunks.offset(pastFirstSegment) + chunks.length(pastFirstSegment) <= SegmentBuffers.SEGMENT_BYTES) {
            pastFirstSegment++;
        }
        writeChunk(staging, src, first);
        writeChunk(staging, src, pastFirstSegment); // straddles segments 0 and 1
        assertTrue(staging.held(first));
        assertTrue(staging.held(pastFirstSegment));

        staging.syncWritten(false);
        assertTrue(staging.held(first), "a sync without writing out leaves held pieces in their buffers");
        assertEquals(0, staging.segmentsSpilled());

        for (int ordinal = first + 1; ordinal < pastFirstSegment; ordinal++) {
            writeChunk(staging, src, ordinal); // completes segment 0: one direct write
        }
        staging.awaitDirectWrites();
        assertEquals(1, staging.segmentsWrittenDirect());
        assertFalse(staging.held(first), "its segment went to disk");
        assertTrue(staging.held(pastFirstSegment), "its tail is still in segment 1's buffer");

        staging.syncWritten(true);
        assertFalse(staging.held(pastFirstSegment), "writing out empties every buffer");
        assertEquals(1, staging.segmentsSpilled());
        staging.close();
    }
}
