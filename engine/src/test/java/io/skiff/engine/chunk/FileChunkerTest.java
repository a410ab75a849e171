package io.skiff.engine.chunk;

import io.skiff.protocol.ChunkListDigest;
import io.skiff.protocol.ChunkingParams;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SkiffException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileChunkerTest {
    private static final ChunkingParams PARAMS = ChunkingParams.DEFAULT;
    // constants (not PARAMS.x()) so that @ValueSource can use them; checked in shouldMatchDefaultParams
    private static final int MIN = 16 * 1024;
    private static final int AVG = 64 * 1024;
    private static final int MAX = 256 * 1024;

    private static ExecutorService hashWorkers;

    @TempDir
    Path dir;

    @BeforeAll
    static void startWorkers() {
        hashWorkers = Executors.newFixedThreadPool(2);
    }

    @AfterAll
    static void stopWorkers() {
        hashWorkers.shutdownNow();
    }

    @Test
    void shouldMatchDefaultParamsWhenSizesAreListed() {
        assertEquals(new ChunkingParams(MIN, AVG, MAX), PARAMS);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, MIN - 1, MIN, MIN + 1, AVG - 1, AVG, AVG + 1, MAX - 1, MAX, MAX + 1,
            2 * MAX, 4 * 1024 * 1024 - 1, 4 * 1024 * 1024, 4 * 1024 * 1024 + 1, 9 * 1024 * 1024 + 7})
    void shouldDescribeFileExactlyWhenSizeIsNearALimit(int size) throws IOException {
        byte[] content = FastCdcChunkerTest.random(size, size);
        Path file = write("f.bin", content);

        FileDigest single = FileChunker.digestSingleThreaded(file, PARAMS);
        FileDigest pipelined = new FileChunker(PARAMS, hashWorkers).digest(file);

        assertDescribes(content, single, PARAMS);
        assertSame(single, pipelined);
        if (size == 0) {
            assertEquals(0, single.chunkCount());
        }
        if (size <= MIN && size > 0) {
            assertEquals(1, single.chunkCount());
        }
    }

    @Test
    void shouldDescribeLargeRandomFileIdenticallyWhenRunWithOneOrTwoThreads() throws IOException {
        byte[] content = FastCdcChunkerTest.random(50 * 1000 * 1000, 50);
        Path file = write("big.bin", content);

        FileDigest single = FileChunker.digestSingleThreaded(file, PARAMS);
        FileChunker pipelined = new FileChunker(PARAMS, hashWorkers);
        FileDigest first = pipelined.digest(file);
        FileDigest again = pipelined.digest(file);

        assertDescribes(content, single, PARAMS);
        assertSame(single, first);
        assertSame(single, again);
        double average = (double) content.length / single.chunkCount();
        assertTrue(average >= AVG / 2.0 && average <= AVG * 2.0, "average=" + average);
    }

    @Test
    void shouldCarryChunksAcrossBuffersWhenChunksAreSmall() throws IOException {
        // ~100k chunks over three read buffers: exercises tails copied between buffers and many chunks per segment
        ChunkingParams small = new ChunkingParams(64, 128, 1024);
        byte[] content = FastCdcChunkerTest.random(10 * 1024 * 1024 + 3, 7);
        Path file = write("small-chunks.bin", content);

        FileDigest single = FileChunker.digestSingleThreaded(file, small);
        FileDigest pipelined = new FileChunker(small, hashWorkers).digest(file);

        assertDescribes(content, single, small);
        assertSame(single, pipelined);
    }

    @Test
    void shouldGiveSameDigestsWhenManyChunkersShareTheWorkers() throws Exception {
        List<Path> files = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            byte[] content = FastCdcChunkerTest.random(6 * 1024 * 1024 + i * 1000, 100 + i);
            contents.add(content);
            files.add(write("f" + i, content));
        }
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            List<Future<FileDigest>> results = new ArrayList<>();
            for (Path f : files) {
                results.add(callers.submit(() -> new FileChunker(PARAMS, hashWorkers).digest(f)));
            }
            for (int i = 0; i < files.size(); i++) {
                assertDescribes(contents.get(i), results.get(i).get(), PARAMS);
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void shouldKeepMostChunksWhenBytesAreInsertedEarly() throws IOException {
        byte[] original = FastCdcChunkerTest.random(20 * 1000 * 1000, 20);
        int editAt = 100_000;
        byte[] inserted = {1, 2, 3, 4, 5, 6, 7};
        byte[] edited = new byte[original.length + inserted.length];
        System.arraycopy(original, 0, edited, 0, editAt);
        System.arraycopy(inserted, 0, edited, editAt, inserted.length);
        System.arraycopy(original, editAt, edited, editAt + inserted.length, original.length - editAt);

        FileDigest before = new FileChunker(PARAMS, hashWorkers).digest(write("v1", original));
        FileDigest after = new FileChunker(PARAMS, hashWorkers).digest(write("v2", edited));

        Set<Sha256> known = new HashSet<>();
        for (int i = 0; i < before.chunkCount(); i++) {
            known.add(before.chunkHash(i));
        }
        int afterEdit = 0;
        int kept = 0;
        long offset = 0;
        for (int i = 0; i < after.chunkCount(); i++) {
            if (offset > editAt) {
                afterEdit++;
                if (known.contains(after.chunkHash(i))) {
                    kept++;
                }
            }
            offset += after.chunkLengths()[i];
        }
        assertTrue(afterEdit > 100, "afterEdit=" + afterEdit);
        assertTrue(kept >= 0.9 * afterEdit, "kept " + kept + " of " + afterEdit);
    }

    @Test
    void shouldFailWhenFileDoesNotExist() {
        assertThrows(NoSuchFileException.class,
                () -> FileChunker.digestSingleThreaded(dir.resolve("missing"), PARAMS));
    }

    @Test
    void shouldFailWithSourceInvalidWhenFileGrowsWhileRead() {
        // procfs files report size 0 but have content: the same view as a file appended to while read
        Path proc = Path.of("/proc/self/status");
        Assumptions.assumeTrue(Files.isRegularFile(proc), "needs Linux procfs");
        SkiffException e = assertThrows(SkiffException.class, () -> FileChunker.digestSingleThreaded(proc, PARAMS));
        assertEquals(ErrorCode.SOURCE_INVALID, e.code());
        assertTrue(e.getMessage().contains("changed while being read"), e.getMessage());
    }

    @Test
    void shouldReuseChunkerWhenAFileFailed() throws IOException {
        FileChunker chunker = new FileChunker(PARAMS, hashWorkers);
        assertThrows(NoSuchFileException.class, () -> chunker.digest(dir.resolve("missing")));
        byte[] content = FastCdcChunkerTest.random(5 * 1024 * 1024, 9);
        assertDescribes(content, chunker.digest(write("ok", content)), PARAMS);
    }

    private Path write(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    private static void assertSame(FileDigest expected, FileDigest actual) {
        assertEquals(expected.size(), actual.size());
        assertEquals(expected.sha256(), actual.sha256());
        assertArrayEquals(expected.chunkLengths(), actual.chunkLengths());
        assertArrayEquals(expected.chunkHashes(), actual.chunkHashes());
    }

    /** Every invariant of a digest, checked against the bytes themselves. */
    private static void assertDescribes(byte[] content, FileDigest d, ChunkingParams params) {
        assertEquals(content.length, d.size());
        assertEquals(d.chunkLengths().length * Sha256.BYTES, d.chunkHashes().length);
        assertEquals(ChunkListDigest.of(d.chunkHashes(), d.chunkLengths()), d.sha256());
        int offset = 0;
        int[] lengths = d.chunkLengths();
        for (int i = 0; i < lengths.length; i++) {
            assertTrue(lengths[i] <= params.maxBytes(), "chunk " + i + " length=" + lengths[i]);
            if (i < lengths.length - 1) {
                assertTrue(lengths[i] >= params.minBytes(), "chunk " + i + " length=" + lengths[i]);
            }
            assertTrue(lengths[i] > 0);
            byte[] expected = sha256(content, offset, lengths[i]);
            assertTrue(Arrays.equals(expected, 0, 32, d.chunkHashes(), i * 32, i * 32 + 32), "hash of chunk " + i);
            offset += lengths[i];
        }
        assertEquals(content.length, offset);
    }

    private static byte[] sha256(byte[] data, int off, int len) {
        MessageDigest md = Sha256.newDigest();
        md.update(data, off, len);
        return md.digest();
    }
}
