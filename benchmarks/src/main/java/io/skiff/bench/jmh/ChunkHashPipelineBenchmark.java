package io.skiff.bench.jmh;

import io.skiff.engine.chunk.FileChunker;
import io.skiff.engine.chunk.FileDigest;
import io.skiff.protocol.ChunkingParams;
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
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of {@link FileChunker} on one 256 MiB file in the page cache: read, FastCDC, SHA-256 of
 * every chunk, and the file digest over the chunk list. One invocation digests the whole file and counts as 256
 * operations, so <b>the score is MiB/s</b>.
 *
 * <ul>
 *   <li>{@link #baselineRead}: reads the file through a 4 MiB heap buffer and does nothing else: the
 *       page-cache copy cost that every mode pays.</li>
 *   <li>{@link #digest} with {@code threads=1}: everything on the calling thread
 *       ({@code hashWorkers == null}). Bound by CDC + one SHA-256 pass per byte on one core.</li>
 *   <li>{@link #digest} with {@code threads=2}: the calling thread reads and cuts, one hash worker
 *       shares the chunk hashing with it. On two cores the ideal is twice the one-thread score.</li>
 * </ul>
 *
 * <p>Pitfall: the file is created in {@code java.io.tmpdir} and read once in setup so it sits in the
 * page cache; if the machine has little free memory the numbers include disk reads. Nothing else
 * should run on the machine: the two-thread mode needs both cores.</p>
 *
 * <h2>How to run</h2>
 * <pre>
 * ./mvnw -B -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar ChunkHashPipelineBenchmark
 * java -jar benchmarks/target/benchmarks.jar ChunkHashPipelineBenchmark -f 1 -wi 2 -i 3
 * </pre>
 *
 * <h2>Results</h2>
 * In docs/benchmarks.md, each with its date, machine and JDK.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 2, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class ChunkHashPipelineBenchmark {
    static final int FILE_MIB = 256;

    @Param({"1", "2"})
    public int threads;

    private Path file;
    private ExecutorService hashWorkers;
    private FileChunker chunker;
    private final byte[] readBuffer = new byte[FileChunker.MIN_BUFFER_BYTES];

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        file = Files.createTempFile("skiff-pipeline-bench", ".bin");
        Random random = new Random(256);
        byte[] block = new byte[1024 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < FILE_MIB; i++) {
                random.nextBytes(block);
                out.write(block);
            }
        }
        hashWorkers = threads > 1 ? Executors.newFixedThreadPool(threads - 1) : null;
        chunker = new FileChunker(ChunkingParams.DEFAULT, hashWorkers);
        baselineRead(); // pull the file into the page cache
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (hashWorkers != null) {
            hashWorkers.shutdownNow();
        }
        Files.deleteIfExists(file);
    }

    @Benchmark
    @OperationsPerInvocation(FILE_MIB)
    public long baselineRead() throws IOException {
        long total = 0;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer bb = ByteBuffer.wrap(readBuffer);
            int n;
            while ((n = channel.read(bb.clear())) >= 0) {
                total += n + readBuffer[0];
            }
        }
        return total;
    }

    @Benchmark
    @OperationsPerInvocation(FILE_MIB)
    public FileDigest digest() throws IOException {
        return chunker.digest(file);
    }
}
