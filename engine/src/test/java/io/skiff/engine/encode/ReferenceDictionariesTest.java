package io.skiff.engine.encode;

import com.github.luben.zstd.ZstdDictCompress;
import io.skiff.engine.manifest.ManifestBuilder;
import io.skiff.engine.testing.TestTrees;
import io.skiff.protocol.ChunkingParams;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.frame.ChunkReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sender's compiled reference windows, over a real base release on disk. */
class ReferenceDictionariesTest {
    @TempDir
    Path tmp;

    private BaseChunks base() {
        Path dir = tmp.resolve("base");
        TestTrees.textFile(dir.resolve("codes.txt"), 3_000_000, 5);
        Manifest manifest = ManifestBuilder.build(dir, "ch", "v1", ChunkingParams.DEFAULT, 1);
        assertTrue(manifest.chunks().count() >= 12, "enough chunks for three windows of four");
        return new BaseChunks(manifest, dir);
    }

    @Test
    void shouldBuildAWindowOnceForThreadsThatReachItTogether() throws Exception {
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (ReferenceDictionaries<ZstdDictCompress> dictionaries = new ReferenceDictionaries<>(base(), ChunkCompressor.referenceDictionary(3), 16)) {
            for (int window = 0; window < 3; window++) {
                ChunkReference ref = new ChunkReference(4 * window, 4);
                CyclicBarrier together = new CyclicBarrier(threads);
                List<Future<Boolean>> uses = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    uses.add(pool.submit(() -> {
                        together.await(10, TimeUnit.SECONDS);
                        return dictionaries.with(ref, dictionary -> dictionary != null);
                    }));
                }
                for (Future<Boolean> use : uses) {
                    assertTrue(use.get(30, TimeUnit.SECONDS), "every thread got the compiled window");
                }
                assertEquals(window + 1, dictionaries.builds(), "window " + window + " was indexed once, not once per thread");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldBuildAgainOnlyWhatWasEvicted() {
        try (ReferenceDictionaries<ZstdDictCompress> dictionaries = new ReferenceDictionaries<>(base(), ChunkCompressor.referenceDictionary(3), 2)) {
            ChunkReference a = new ChunkReference(0, 4);
            ChunkReference b = new ChunkReference(4, 4);
            ChunkReference c = new ChunkReference(8, 4);
            assertTrue(dictionaries.available(a));
            assertTrue(dictionaries.available(b));
            assertTrue(dictionaries.available(a));
            assertEquals(2, dictionaries.builds(), "a used again while held");
            assertTrue(dictionaries.available(c)); // evicts b, the least recently used
            assertTrue(dictionaries.available(a));
            assertEquals(3, dictionaries.builds());
            assertTrue(dictionaries.available(b));
            assertEquals(4, dictionaries.builds(), "b was evicted and built again");
        }
    }

    @Test
    void shouldAnswerNullForAReferenceBeyondTheBaseAndRememberIt() {
        try (ReferenceDictionaries<ZstdDictCompress> dictionaries = new ReferenceDictionaries<>(base(), ChunkCompressor.referenceDictionary(3), 4)) {
            ChunkReference beyond = new ChunkReference(1_000_000, 2);
            assertFalse(dictionaries.available(beyond));
            assertNull(dictionaries.with(beyond, dictionary -> "used"));
            assertEquals(1, dictionaries.builds(), "the answer is cached like a dictionary");
        }
    }
}
