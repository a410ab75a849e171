package io.skiff.bench.jmh;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import io.skiff.corpus.CodeSetCorpus;
import io.skiff.corpus.CorpusRelease;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Throughput and ratio of zstd with a reference, the way {@code zstd --patch-from=old new} works: a
 * changed 64 KiB chunk is compressed with the 64 KiB chunk it replaces (its raw bytes, which the
 * receiver already has) loaded as a raw-content dictionary, and decompressed with the same
 * dictionary. One invocation handles 64 (old, new) pairs, 4 MiB of new raw bytes, and counts as 4
 * operations, so <b>the score is MiB/s of new raw (uncompressed) bytes</b> in both directions.
 *
 * <ul>
 *   <li>{@link #baseline}: memcpy of each new chunk into a 64 KiB direct scratch buffer.</li>
 *   <li>{@link #encodePlain} / {@link #decodePlain}: zstd without a reference, exactly
 *       {@link ZstdBenchmark}'s encode/decode on these chunks: what the reference has to beat.</li>
 *   <li>{@link #encodeWithReference}: {@code ZstdCompressCtx.loadDict(old)} then
 *       {@code compressDirectByteBuffer(new)}. The reference differs for every chunk, so loading it
 *       (copying it and indexing its 64 KiB into the match finder's tables) is paid per chunk and is
 *       part of the measurement.</li>
 *   <li>{@link #decodeWithReference}: {@code ZstdDecompressCtx.loadDict(old)} then
 *       {@code decompressDirectByteBuffer}; a raw-content dictionary needs no indexing on this side.</li>
 * </ul>
 *
 * The pairs: a ~12 MB release made by {@link CodeSetCorpus} (seed 42) and its next version
 * ({@link CodeSetCorpus#next}, seed 43: ~0.5 % rows inserted, ~1 % edited, ~0.2 % retired). From
 * the description table (the largest file) 64 old chunks are taken at even spacing, each starting at
 * a row; the new chunk is the 64 KiB of the next version starting at the same row, as a
 * content-defined chunk boundary would place it. Each pair therefore differs by a few inserted and
 * changed rows (the count is printed), and the new chunk's tail is shifted against the old one's. The
 * compressed sizes with and without the reference are printed once per trial (at tear-down).
 *
 * <p>Pitfalls: with every chunk's reference loaded once and reused (a single {@code loadDict} in
 * setup) the encode would look much faster than it can be in a transfer. The inputs sit in L2/L3
 * across invocations, so these are CPU costs.</p>
 *
 * <h2>How to run</h2>
 * <pre>
 * ./mvnw -B -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar ZstdReferenceBenchmark
 * java -jar benchmarks/target/benchmarks.jar ZstdReferenceBenchmark -f 1 -wi 2 -i 3     # quick look
 * </pre>
 *
 * <h2>Results</h2>
 * In docs/benchmarks.md, each with its date, machine and JDK.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(value = 2, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ZstdReferenceBenchmark {
    static final int CHUNK_BYTES = ZstdBenchmark.CHUNK_BYTES;
    static final int CHUNKS = ZstdBenchmark.CHUNKS;
    static final int BATCH_MIB = ZstdBenchmark.BATCH_MIB;

    @Param({"1", "3"})
    public int level;

    /** The old chunks: the references. */
    private final byte[][] oldChunks = new byte[CHUNKS][];
    /** The 64 new chunks back to back. */
    private ByteBuffer newRaw;
    private final ByteBuffer[] newViews = new ByteBuffer[CHUNKS];
    private int changedRows;
    private int rows;
    private int bound;
    /** New chunk i compressed without / with its reference, at {@code i * bound}. */
    private ByteBuffer plainFrames;
    private ByteBuffer refFrames;
    private final int[] plainSizes = new int[CHUNKS];
    private final int[] refSizes = new int[CHUNKS];
    private ByteBuffer encodeOut;
    private ByteBuffer scratch;
    private ZstdCompressCtx plainCctx;
    private ZstdCompressCtx refCctx;
    private ZstdDecompressCtx plainDctx;
    private ZstdDecompressCtx refDctx;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        newRaw = ByteBuffer.allocateDirect(CHUNKS * CHUNK_BYTES);
        makePairs();
        bound = (int) Zstd.compressBound(CHUNK_BYTES);
        plainFrames = ByteBuffer.allocateDirect(CHUNKS * bound);
        refFrames = ByteBuffer.allocateDirect(CHUNKS * bound);
        encodeOut = ByteBuffer.allocateDirect(bound);
        scratch = ByteBuffer.allocateDirect(CHUNK_BYTES);
        plainCctx = ZstdBenchmark.newCompressCtx(level);
        refCctx = ZstdBenchmark.newCompressCtx(level);
        plainDctx = new ZstdDecompressCtx();
        refDctx = new ZstdDecompressCtx();
        for (int i = 0; i < CHUNKS; i++) {
            newViews[i] = newRaw.slice(i * CHUNK_BYTES, CHUNK_BYTES);
            plainSizes[i] = plainCctx.compressDirectByteBuffer(plainFrames, i * bound, bound, newRaw, i * CHUNK_BYTES, CHUNK_BYTES);
            refCctx.loadDict(oldChunks[i]);
            refSizes[i] = refCctx.compressDirectByteBuffer(refFrames, i * bound, bound, newRaw, i * CHUNK_BYTES, CHUNK_BYTES);
        }
        // Check once that every frame decodes to its chunk, so the benchmark measures real work.
        for (int i = 0; i < CHUNKS; i++) {
            int n = plainDctx.decompressDirectByteBuffer(scratch, 0, CHUNK_BYTES, plainFrames, i * bound, plainSizes[i]);
            if (n != CHUNK_BYTES || !scratch.clear().equals(newViews[i])) {
                throw new IllegalStateException("plain chunk " + i + " does not round-trip");
            }
            refDctx.loadDict(oldChunks[i]);
            n = refDctx.decompressDirectByteBuffer(scratch, 0, CHUNK_BYTES, refFrames, i * bound, refSizes[i]);
            if (n != CHUNK_BYTES || !scratch.clear().equals(newViews[i])) {
                throw new IllegalStateException("referenced chunk " + i + " does not round-trip");
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        long raw = (long) CHUNKS * CHUNK_BYTES;
        long plain = 0;
        long ref = 0;
        for (int i = 0; i < CHUNKS; i++) {
            plain += plainSizes[i];
            ref += refSizes[i];
        }
        System.out.printf("%nzstd level=%d, %d pairs, %.1f of %.0f rows new or changed per 64 KiB chunk: %d raw bytes -> plain %d"
                        + " (%.2f %% of raw), with reference %d (%.2f %% of raw, %.1f x smaller than plain)%n",
                level, CHUNKS, (double) changedRows / CHUNKS, (double) rows / CHUNKS, raw, plain, 100.0 * plain / raw, ref, 100.0 * ref / raw,
                (double) plain / ref);
        plainCctx.close();
        refCctx.close();
        plainDctx.close();
        refDctx.close();
    }

    /** memcpy of each new chunk into the scratch buffer. */
    @Benchmark
    @OperationsPerInvocation(BATCH_MIB)
    public long baseline() {
        long x = 0;
        for (int i = 0; i < CHUNKS; i++) {
            scratch.clear().put(newViews[i].clear());
            x += scratch.get(CHUNK_BYTES - 1);
        }
        return x;
    }

    /** Returns the total compressed size, so the work cannot be eliminated. */
    @Benchmark
    @OperationsPerInvocation(BATCH_MIB)
    public long encodePlain() {
        long total = 0;
        for (int i = 0; i < CHUNKS; i++) {
            total += plainCctx.compressDirectByteBuffer(encodeOut, 0, bound, newRaw, i * CHUNK_BYTES, CHUNK_BYTES);
        }
        return total;
    }

    /** Loads chunk i's reference, then compresses it; returns the total compressed size. */
    @Benchmark
    @OperationsPerInvocation(BATCH_MIB)
    public long encodeWithReference() {
        long total = 0;
        for (int i = 0; i < CHUNKS; i++) {
            refCctx.loadDict(oldChunks[i]);
            total += refCctx.compressDirectByteBuffer(encodeOut, 0, bound, newRaw, i * CHUNK_BYTES, CHUNK_BYTES);
        }
        return total;
    }

    /** Returns the total decoded size. */
    @Benchmark
    @OperationsPerInvocation(BATCH_MIB)
    public long decodePlain() {
        long total = 0;
        for (int i = 0; i < CHUNKS; i++) {
            total += plainDctx.decompressDirectByteBuffer(scratch, 0, CHUNK_BYTES, plainFrames, i * bound, plainSizes[i]);
        }
        return total;
    }

    /** Loads chunk i's reference, then decompresses it; returns the total decoded size. */
    @Benchmark
    @OperationsPerInvocation(BATCH_MIB)
    public long decodeWithReference() {
        long total = 0;
        for (int i = 0; i < CHUNKS; i++) {
            refDctx.loadDict(oldChunks[i]);
            total += refDctx.decompressDirectByteBuffer(scratch, 0, CHUNK_BYTES, refFrames, i * bound, refSizes[i]);
        }
        return total;
    }

    /** Fills {@link #oldChunks} and {@link #newRaw} with aligned (old, new) pairs of the description table. */
    private void makePairs() throws IOException {
        Path dir = Files.createTempDirectory("skiff-zstd-ref-bench");
        try {
            CorpusRelease v1 = CodeSetCorpus.generate(dir.resolve("v1"), 42, 12_000_000L);
            CorpusRelease v2 = CodeSetCorpus.next(v1, dir.resolve("v2"), 43);
            Path largest = null;
            for (Path file : ZstdBenchmark.regularFiles(v1.dir())) {
                if (largest == null || Files.size(file) > Files.size(largest)) {
                    largest = file;
                }
            }
            byte[] old = Files.readAllBytes(largest);
            byte[] next = Files.readAllBytes(v2.dir().resolve(v1.dir().relativize(largest)));
            long stride = (old.length - 2L * CHUNK_BYTES) / CHUNKS;
            if (stride < CHUNK_BYTES) {
                throw new IllegalStateException(largest + " of " + old.length + " bytes is too small");
            }
            int searchFrom = 0;
            for (int i = 0; i < CHUNKS; i++) {
                int oldRow = indexOf(old, (byte) '\n', (int) (i * stride)) + 1;
                int newRow;
                // The first row of the old chunk, found in the new version (skip rows the new version removed).
                while ((newRow = indexOf(next, rowKey(old, oldRow), searchFrom)) < 0) {
                    oldRow = indexOf(old, (byte) '\n', oldRow) + 1;
                }
                newRow += 1; // past the '\n' the key starts with
                searchFrom = newRow;
                oldChunks[i] = Arrays.copyOfRange(old, oldRow, oldRow + CHUNK_BYTES);
                newRaw.put(i * CHUNK_BYTES, next, newRow, CHUNK_BYTES);
                byte[] newChunk = Arrays.copyOfRange(next, newRow, newRow + CHUNK_BYTES);
                changedRows += countNewRows(oldChunks[i], newChunk);
                rows += completeRows(newChunk).size();
            }
        } finally {
            ZstdBenchmark.deleteTree(dir);
        }
    }

    /** "\n" + the row's id + "\t": unique to the row in a table sorted by id. */
    private static byte[] rowKey(byte[] table, int rowStart) {
        int tab = indexOf(table, (byte) '\t', rowStart);
        byte[] key = new byte[tab - rowStart + 2];
        key[0] = '\n';
        System.arraycopy(table, rowStart, key, 1, tab - rowStart + 1);
        return key;
    }

    /** Complete rows of {@code next} that are not rows of {@code old}: inserted or changed. */
    private static int countNewRows(byte[] old, byte[] next) {
        Set<String> oldRows = new HashSet<>(completeRows(old));
        int n = 0;
        for (String row : completeRows(next)) {
            if (!oldRows.contains(row)) {
                n++;
            }
        }
        return n;
    }

    private static List<String> completeRows(byte[] chunk) {
        String s = new String(chunk, StandardCharsets.UTF_8);
        return List.of(s.substring(0, s.lastIndexOf('\n')).split("\n"));
    }

    private static int indexOf(byte[] a, byte b, int from) {
        for (int i = from; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        throw new IllegalStateException("no " + b + " after " + from);
    }

    private static int indexOf(byte[] a, byte[] key, int from) {
        outer:
        for (int i = from; i <= a.length - key.length; i++) {
            for (int j = 0; j < key.length; j++) {
                if (a[i + j] != key[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
