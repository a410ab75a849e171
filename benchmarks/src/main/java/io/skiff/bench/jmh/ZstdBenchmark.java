package io.skiff.bench.jmh;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import io.skiff.corpus.CodeSetCorpus;
import io.skiff.engine.files.DirectoryTrees;
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

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Throughput of zstd (zstd-jni, one native context, direct buffers, the calls
 * {@code ChunkCompressor}/{@code ChunkDecompressor} make) on 64 KiB chunks, one core. One invocation
 * encodes (or decodes) 64 different chunks, 4 MiB of raw input, and counts as 4 operations
 * ({@code @OperationsPerInvocation(4)}), so <b>the score is MiB/s of raw (uncompressed) bytes</b> in
 * both directions.
 *
 * <ul>
 *   <li>{@link #baseline}: copies each raw chunk into a 64 KiB direct scratch buffer
 *       ({@code ByteBuffer.put}, a memcpy): the least any per-chunk pass over the bytes costs here.</li>
 *   <li>{@link #encode}: {@code ZstdCompressCtx.compressDirectByteBuffer} of each chunk into one reused
 *       output buffer of {@code compressBound(64 KiB)}, checksum off, content size on, as the sender
 *       does.</li>
 *   <li>{@link #decode}: {@code ZstdDecompressCtx.decompressDirectByteBuffer} of each chunk's frame
 *       (prepared in setup) into the 64 KiB scratch, as the receiver does before hashing.</li>
 * </ul>
 *
 * On random data zstd gives up early (its fast strategies skip ahead through input that does not
 * match) and stores raw blocks, so {@code encode} is several times faster than on text and
 * {@code decode} is about a memcpy. skiff sends such chunks raw anyway ({@code ChunkCompressor} keeps
 * zstd only when it saves 1/32), so {@code random} measures the cost of trying.
 *
 * {@code data=text} is 64 chunks taken at even spacing from the concatenated files of a ~12 MB release
 * made by {@link CodeSetCorpus} (seed 42): mostly RF2 tables, some ICD order file and release notes,
 * the data skiff exists for. {@code data=random} is incompressible noise (seed 42). {@code level} 3 is
 * zstd's and skiff's default. The compressed
 * size of the 4 MiB is printed once per trial (at tear-down).
 *
 * <p>Pitfalls: the 4 MiB of input and the compressed frames sit in L2/L3 across invocations, so the
 * numbers are CPU cost, not DRAM bandwidth; since the codec is far below memory speed that changes
 * little. Every chunk is a separate frame with a fresh window, as on the wire: compressing the 4 MiB
 * as one stream would score a better ratio that skiff never gets.</p>
 *
 * <h2>How to run</h2>
 * <pre>
 * ./mvnw -B -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar ZstdBenchmark
 * java -jar benchmarks/target/benchmarks.jar ZstdBenchmark -f 1 -wi 2 -i 3     # quick look
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
public class ZstdBenchmark {
    static final int CHUNK_BYTES = 64 * 1024;
    static final int CHUNKS = 64;
    static final int BATCH_MIB = CHUNKS * CHUNK_BYTES / (1024 * 1024);

    @Param({"text", "random"})
    public String data;

    @Param({"1", "3"})
    public int level;

    /** The 64 raw chunks back to back. */
    private ByteBuffer raw;
    /** Chunk i as a view of {@link #raw}, for the baseline. */
    private final ByteBuffer[] chunkViews = new ByteBuffer[CHUNKS];
    /** Chunk i's zstd frame at {@code i * bound}, {@code frameSizes[i]} bytes. */
    private ByteBuffer frames;
    private final int[] frameSizes = new int[CHUNKS];
    private int bound;
    private ByteBuffer encodeOut;
    private ByteBuffer scratch;
    private ZstdCompressCtx cctx;
    private ZstdDecompressCtx dctx;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        byte[] bytes = "text".equals(data)
                ? codeSetChunks(CHUNKS, CHUNK_BYTES, 42)
                : ChunkerBenchmark.random(CHUNKS * CHUNK_BYTES, 42);
        raw = ByteBuffer.allocateDirect(bytes.length).put(bytes).clear();
        bound = (int) Zstd.compressBound(CHUNK_BYTES);
        frames = ByteBuffer.allocateDirect(CHUNKS * bound);
        encodeOut = ByteBuffer.allocateDirect(bound);
        scratch = ByteBuffer.allocateDirect(CHUNK_BYTES);
        cctx = newCompressCtx(level);
        dctx = new ZstdDecompressCtx();
        for (int i = 0; i < CHUNKS; i++) {
            chunkViews[i] = raw.slice(i * CHUNK_BYTES, CHUNK_BYTES);
            frameSizes[i] = cctx.compressDirectByteBuffer(frames, i * bound, bound, raw, i * CHUNK_BYTES, CHUNK_BYTES);
        }
        // Check once that every frame decodes to its chunk, so the benchmark measures real work.
        for (int i = 0; i < CHUNKS; i++) {
            int n = dctx.decompressDirectByteBuffer(scratch, 0, CHUNK_BYTES, frames, i * bound, frameSizes[i]);
            if (n != CHUNK_BYTES || !scratch.clear().equals(chunkViews[i])) {
                throw new IllegalStateException("chunk " + i + " does not round-trip");
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        long compressed = 0;
        for (int size : frameSizes) {
            compressed += size;
        }
        System.out.printf("%nzstd level=%d data=%s: %d chunks of %d bytes -> %d bytes, %.1f %% of raw%n",
                level, data, CHUNKS, CHUNK_BYTES, compressed, 100.0 * compressed / ((long) CHUNKS * CHUNK_BYTES));
        cctx.close();
        dctx.close();
    }

    /** memcpy of each chunk into the scratch buffer. */
    @Benchmark
    @OperationsPerInvocation(BATCH_MIB)
    public long baseline() {
        long x = 0;
        for (int i = 0; i < CHUNKS; i++) {
            scratch.clear().put(chunkViews[i].clear());
            x += scratch.get(CHUNK_BYTES - 1);
        }
        return x;
    }

    /** Returns the total compressed size, so the work cannot be eliminated. */
    @Benchmark
    @OperationsPerInvocation(BATCH_MIB)
    public long encode() {
        long total = 0;
        for (int i = 0; i < CHUNKS; i++) {
            total += cctx.compressDirectByteBuffer(encodeOut, 0, bound, raw, i * CHUNK_BYTES, CHUNK_BYTES);
        }
        return total;
    }

    /** Returns the total decoded size. */
    @Benchmark
    @OperationsPerInvocation(BATCH_MIB)
    public long decode() {
        long total = 0;
        for (int i = 0; i < CHUNKS; i++) {
            total += dctx.decompressDirectByteBuffer(scratch, 0, CHUNK_BYTES, frames, i * bound, frameSizes[i]);
        }
        return total;
    }

    /** A context set up the way {@code ChunkCompressor} sets up its own. */
    static ZstdCompressCtx newCompressCtx(int level) {
        return new ZstdCompressCtx().setLevel(level).setChecksum(false).setContentSize(true);
    }

    /**
     * {@code chunks} pieces of {@code chunkBytes}, taken at even spacing from the files of a generated
     * code-set release (files concatenated in path order), back to back in one array.
     */
    static byte[] codeSetChunks(int chunks, int chunkBytes, long seed) throws IOException {
        Path dir = Files.createTempDirectory("skiff-zstd-bench");
        try {
            CodeSetCorpus.generate(dir, seed, 12_000_000L);
            ByteArrayOutputStream all = new ByteArrayOutputStream(12_500_000);
            for (Path file : regularFiles(dir)) {
                all.write(Files.readAllBytes(file));
            }
            byte[] release = all.toByteArray();
            long stride = (release.length - chunkBytes) / chunks;
            if (stride < chunkBytes) {
                throw new IllegalStateException("release of " + release.length + " bytes is too small");
            }
            byte[] out = new byte[chunks * chunkBytes];
            for (int i = 0; i < chunks; i++) {
                System.arraycopy(release, (int) (i * stride), out, i * chunkBytes, chunkBytes);
            }
            return out;
        } finally {
            deleteTree(dir);
        }
    }

    static List<Path> regularFiles(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
        }
    }

    static void deleteTree(Path dir) throws IOException {
        DirectoryTrees.deleteRecursively(dir);
    }
}
