package io.skiff.bench.jmh;

import com.github.luben.zstd.EndDirective;
import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDictCompress;
import io.skiff.corpus.CodeSetCorpus;
import io.skiff.corpus.CorpusRelease;
import io.skiff.engine.delta.BaseRange;
import io.skiff.engine.delta.ChunkEnds;
import io.skiff.engine.delta.ReferencePlanner;
import io.skiff.engine.manifest.ManifestBuilder;
import io.skiff.protocol.ChunkTable;
import io.skiff.protocol.ChunkingParams;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.Sha256;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The sender's reference encoding as the engine does it: the changed chunks of a generated code-set
 * update, each compressed (zstd level 3) against the 512 KiB window of the old release that
 * {@code ReferencePlanner} aims it at through the two trees' {@code ChunkEnds}. Windows sit on a grid,
 * so neighbouring chunks share one. One invocation encodes every changed chunk of the ~12 MB release;
 * <b>the score is invocations per second</b> (divide by the printed chunk count for chunks per second).
 *
 * <ul>
 *   <li>{@link #dictionaryPerChunk}: {@code loadDict(window bytes)} then compress, for every chunk
 *       (what the first version of the engine did).</li>
 *   <li>{@link #compiledDictionaryPerWindow}: each distinct window compiled once per invocation into
 *       a {@code ZstdDictCompress} and shared by the chunks aimed at it (what the engine does; its
 *       cache keeps the last 16).</li>
 *   <li>{@link #compressOnly}: the compiled dictionaries prepared in setup: the cost of compressing
 *       alone, the floor for this approach.</li>
 * </ul>
 * {@code dictionaryUse}: {@code attached}, each chunk streamed into a frame begun without its size, so
 * zstd searches the compiled dictionary's tables in place (what the engine does); {@code copied}, one
 * call with the size known, so zstd copies the tables into the context first (what it did before).
 *
 * <h2>How to run</h2>
 * <pre>
 * ./mvnw -B -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar ReferenceWindowBenchmark -f 1 -wi 2 -i 3
 * </pre>
 * Results: docs/benchmarks.md.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class ReferenceWindowBenchmark {
    static final int LEVEL = 3;
    static final int WINDOW_BYTES = 512 * 1024;

    private final List<ByteBuffer> chunks = new ArrayList<>();
    /** Per chunk, the key of its window in {@link #windows}. */
    private final List<String> windowOfChunk = new ArrayList<>();
    private final Map<String, byte[]> windows = new HashMap<>();
    private final Map<String, ZstdDictCompress> compiled = new HashMap<>();
    @Param({"attached", "copied"})
    public String dictionaryUse;

    private ZstdCompressCtx ctx;
    private ByteBuffer out;
    private long rawBytes;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Path dir = Files.createTempDirectory("skiff-ref-window-bench");
        try {
            CorpusRelease v1 = CodeSetCorpus.generate(dir.resolve("v1"), 42, 12_000_000L);
            CorpusRelease v2 = CodeSetCorpus.next(v1, dir.resolve("v2"), 43);
            Manifest base = ManifestBuilder.build(v1.dir(), "bench", "v1", ChunkingParams.DEFAULT, 2);
            Manifest next = ManifestBuilder.build(v2.dir(), "bench", "v2", ChunkingParams.DEFAULT, 2);
            // aimed through the trees' chunk ends, as the engine's sender does
            ChunkEnds ends = ChunkEnds.read(base, e -> v1.dir().resolve(base.entries().get(e).path()),
                    next, e -> v2.dir().resolve(next.entries().get(e).path()));
            ReferencePlanner planner = new ReferencePlanner(base, next, WINDOW_BYTES, ends);
            Set<Sha256> held = new HashSet<>();
            for (int o = 0; o < base.chunks().count(); o++) {
                held.add(base.chunks().hash(o));
            }
            for (int o = 0; o < next.chunks().count(); o++) {
                BaseRange range = planner.referenceFor(o);
                if (held.contains(next.chunks().hash(o)) || range == null) {
                    continue;
                }
                byte[] chunk = read(v2.dir(), next, o, 1);
                ByteBuffer direct = ByteBuffer.allocateDirect(chunk.length).put(chunk).flip();
                chunks.add(direct);
                rawBytes += chunk.length;
                String key = range.start() + "+" + range.count();
                windowOfChunk.add(key);
                if (!windows.containsKey(key)) {
                    windows.put(key, read(v1.dir(), base, range.start(), range.count()));
                    compiled.put(key, new ZstdDictCompress(windows.get(key), LEVEL));
                }
            }
        } finally {
            ZstdBenchmark.deleteTree(dir);
        }
        ctx = new ZstdCompressCtx().setLevel(LEVEL).setChecksum(false).setContentSize(true);
        out = ByteBuffer.allocateDirect((int) Zstd.compressBound(ChunkingParams.DEFAULT.maxBytes()));
        System.out.printf("%n%d changed chunks (%d raw bytes) aimed at %d distinct %d KiB windows%n", chunks.size(), rawBytes,
                windows.size(), WINDOW_BYTES / 1024);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        long total = compressOnly();
        System.out.printf("compressed against their windows: %d bytes (%.3f %% of raw)%n", total, 100.0 * total / rawBytes);
        compiled.values().forEach(ZstdDictCompress::close);
        ctx.close();
    }

    @Benchmark
    public long dictionaryPerChunk() {
        long total = 0;
        for (int i = 0; i < chunks.size(); i++) {
            ctx.loadDict(windows.get(windowOfChunk.get(i)));
            total += compress(i);
        }
        return total;
    }

    @Benchmark
    public long compiledDictionaryPerWindow() {
        Map<String, ZstdDictCompress> built = new HashMap<>();
        long total = 0;
        for (int i = 0; i < chunks.size(); i++) {
            String key = windowOfChunk.get(i);
            ZstdDictCompress dictionary = built.get(key);
            if (dictionary == null) {
                dictionary = new ZstdDictCompress(windows.get(key), LEVEL);
                built.put(key, dictionary);
            }
            ctx.loadDict(dictionary);
            total += compress(i);
        }
        built.values().forEach(ZstdDictCompress::close);
        return total;
    }

    @Benchmark
    public long compressOnly() {
        long total = 0;
        for (int i = 0; i < chunks.size(); i++) {
            ctx.loadDict(compiled.get(windowOfChunk.get(i)));
            total += compress(i);
        }
        return total;
    }

    private int compress(int i) {
        ByteBuffer chunk = chunks.get(i);
        if (dictionaryUse.equals("copied")) {
            return ctx.compressDirectByteBuffer(out, 0, out.capacity(), chunk, 0, chunk.limit());
        }
        ByteBuffer src = chunk.duplicate();
        out.clear();
        ctx.compressDirectByteBufferStream(out, src, EndDirective.CONTINUE);
        if (!ctx.compressDirectByteBufferStream(out, src, EndDirective.END)) {
            throw new IllegalStateException("frame not finished");
        }
        return out.position();
    }

    /** Base chunks [first, first + count) of one file, concatenated. */
    private static byte[] read(Path root, Manifest manifest, int first, int count) throws IOException {
        ChunkTable c = manifest.chunks();
        long from = c.offset(first);
        long to = c.offset(first + count - 1) + c.length(first + count - 1);
        byte[] bytes = new byte[(int) (to - from)];
        try (RandomAccessFile f = new RandomAccessFile(root.resolve(manifest.entries().get(c.entryIndex(first)).path()).toFile(), "r")) {
            f.seek(from);
            f.readFully(bytes);
        }
        return bytes;
    }
}
