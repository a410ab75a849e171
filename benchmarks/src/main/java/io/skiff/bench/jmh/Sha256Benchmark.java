package io.skiff.bench.jmh;

import io.skiff.protocol.Sha256;
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
import org.openjdk.jmh.infra.Blackhole;

import java.security.DigestException;
import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of the JDK's SHA-256 ({@link MessageDigest}, with the SHA-NI/AVX2 intrinsics when the CPU
 * has them) on one core: the other per-byte cost of building a manifest (each byte is hashed twice:
 * once in its chunk, once in its file). One invocation digests a 16 MiB buffer as independent blocks of
 * {@code blockBytes} and counts as 16 operations, so <b>the score is MiB/s</b>.
 *
 * <ul>
 *   <li>{@link #baseline}: XORs the same buffer as longs: reading it from cache/memory.</li>
 *   <li>{@link #digestBlocks}: one {@code update} + {@code digest} per block into a reused output array,
 *       the way {@code FileChunker} hashes chunks. 64 KiB is the default average chunk.</li>
 * </ul>
 *
 * <h2>How to run</h2>
 * <pre>
 * ./mvnw -B -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar Sha256Benchmark
 * java -jar benchmarks/target/benchmarks.jar Sha256Benchmark -f 1 -wi 2 -i 3 -p blockBytes=65536
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
public class Sha256Benchmark {
    static final int BUFFER_MIB = 16;

    @Param({"4096", "65536", "1048576"})
    public int blockBytes;

    private byte[] buffer;
    private final byte[] out = new byte[Sha256.BYTES];
    private MessageDigest digest;

    @Setup(Level.Trial)
    public void setUp() {
        buffer = ChunkerBenchmark.random(BUFFER_MIB * 1024 * 1024, 7);
        digest = Sha256.newDigest();
    }

    @Benchmark
    @OperationsPerInvocation(BUFFER_MIB)
    public long baseline() {
        return ChunkerBenchmark.xorLongs(buffer);
    }

    @Benchmark
    @OperationsPerInvocation(BUFFER_MIB)
    public void digestBlocks(Blackhole bh) throws DigestException {
        byte[] b = buffer;
        for (int off = 0; off < b.length; off += blockBytes) {
            digest.update(b, off, blockBytes);
            digest.digest(out, 0, Sha256.BYTES);
            bh.consume(out[0]);
        }
    }
}
