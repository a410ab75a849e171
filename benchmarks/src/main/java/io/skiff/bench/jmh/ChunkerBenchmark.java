package io.skiff.bench.jmh;

import io.skiff.engine.chunk.FastCdcChunker;
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
import org.openjdk.jmh.annotations.Warmup;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of {@link FastCdcChunker} on one core: cut a 64 MiB in-memory buffer into chunks with the
 * default parameters (16/64/256 KiB). One invocation processes the whole buffer and counts as 64
 * operations ({@code @OperationsPerInvocation(64)}), so <b>the score is MiB/s</b>.
 *
 * <ul>
 *   <li>{@link #baseline}: XORs the buffer as longs: the cost of merely reading 64 MiB from memory on
 *       this core, close to the memory bandwidth. The chunker, which does a dependent shift-add and a
 *       table load per byte, stays well below it.</li>
 *   <li>{@link #chunk}: the real chunker. It skips the first {@code minBytes} of every chunk (no
 *       hashing there), so it reads only ~3/4 of the bytes through the gear hash.</li>
 * </ul>
 *
 * {@code data=random} is incompressible noise (chunk sizes as designed); {@code data=text} is
 * code-set-like tab-separated rows (sorted codes, a small vocabulary), the data skiff exists for. The
 * buffer is 64 MiB so it does not fit in any cache: the numbers include DRAM reads.
 *
 * <h2>How to run</h2>
 * <pre>
 * ./mvnw -B -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar ChunkerBenchmark
 * java -jar benchmarks/target/benchmarks.jar ChunkerBenchmark -f 1 -wi 2 -i 3     # quick look
 * </pre>
 *
 * <h2>Results</h2>
 * In docs/benchmarks.md, each with its date, machine and JDK.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ChunkerBenchmark {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    static final int BUFFER_MIB = 64;
    static final int BUFFER_BYTES = BUFFER_MIB * 1024 * 1024;

    @Param({"random", "text"})
    public String data;

    private byte[] buffer;
    private FastCdcChunker chunker;

    @Setup(Level.Trial)
    public void setUp() {
        buffer = "text".equals(data) ? codeSetText(BUFFER_BYTES, 42) : random(BUFFER_BYTES, 42);
        chunker = new FastCdcChunker(ChunkingParams.DEFAULT);
    }

    @Benchmark
    @OperationsPerInvocation(BUFFER_MIB)
    public long baseline() {
        return ChunkerBenchmark.xorLongs(buffer);
    }

    /** Returns the number of chunks, so the work cannot be eliminated. */
    @Benchmark
    @OperationsPerInvocation(BUFFER_MIB)
    public int chunk() {
        byte[] b = buffer;
        FastCdcChunker c = chunker;
        int chunks = 0;
        for (int pos = 0; pos < b.length; chunks++) {
            pos += c.cut(b, pos, b.length - pos);
        }
        return chunks;
    }

    /** Reads {@code b} eight bytes at a time (length a multiple of 8). */
    static long xorLongs(byte[] b) {
        long x = 0;
        for (int i = 0; i < b.length; i += Long.BYTES) {
            x ^= (long) LONGS.get(b, i);
        }
        return x;
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** Tab-separated rows shaped like a code-set release: ascending codes, descriptions from a small vocabulary. */
    static byte[] codeSetText(int size, long seed) {
        Random random = new Random(seed);
        String[] words = {"acute", "chronic", "fracture", "of", "left", "right", "femur", "unspecified", "initial",
                "encounter", "with", "without", "complication", "disorder", "neoplasm", "malignant", "type 2",
                "diabetes", "mellitus", "hyperglycemia", "subsequent", "sequela", "displaced", "closed"};
        byte[] out = new byte[size];
        StringBuilder row = new StringBuilder(256);
        int code = 0;
        int at = 0;
        while (at < size) {
            row.setLength(0);
            code += 1 + random.nextInt(7);
            row.append((char) ('A' + code / 1_000_000 % 26)).append(String.format("%06d", code % 1_000_000))
                    .append('\t').append(random.nextInt(2)).append('\t');
            int n = 3 + random.nextInt(9);
            for (int i = 0; i < n; i++) {
                row.append(words[random.nextInt(words.length)]).append(i + 1 < n ? ' ' : '\n');
            }
            byte[] bytes = row.toString().getBytes(StandardCharsets.US_ASCII);
            int len = Math.min(bytes.length, size - at);
            System.arraycopy(bytes, 0, out, at, len);
            at += len;
        }
        return out;
    }
}
