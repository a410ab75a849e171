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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestException;
import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of the receiver's per-chunk write path on one core, after the chunk is decoded: SHA-256
 * of the chunk held in a direct buffer ({@code MessageDigest.update(ByteBuffer)} + {@code digest}, as
 * {@code ReceiveSession} verifies it) and a positional {@code FileChannel.write} at its offset in a
 * staging file (as {@code StagingRelease.write} does). One invocation handles 64 chunks of
 * {@code chunkBytes} (64 KiB, the default average chunk: 4 MiB) and counts as 4 operations, so
 * <b>the score is MiB/s</b>.
 *
 * <ul>
 *   <li>{@link #baseline}: copies the chunk into another direct buffer ({@code ByteBuffer.put}, a
 *       memcpy): what any pass over the bytes costs at least.</li>
 *   <li>{@link #hashOnly}: SHA-256 of the chunk. The JDK's SHA-256 digests byte arrays, so for a
 *       direct buffer {@code MessageDigestSpi} first copies each 4 KiB into a heap array: expect
 *       {@link Sha256Benchmark} (heap array) minus a little.</li>
 *   <li>{@link #writeOnly}: {@code FileChannel.write(chunk, offset)}; the buffer is direct, so the JDK
 *       passes it to {@code pwrite} without a copy. The kernel copies it into the page cache.</li>
 *   <li>{@link #hashThenWrite}: both, one after the other, as the receiver does. Expect
 *       1 / (1/hash + 1/write).</li>
 * </ul>
 *
 * The staging file is 256 MiB in {@code java.io.tmpdir}, fully written and flushed in setup; chunks go
 * to consecutive offsets, wrapping at the end, so every write overwrites a page that is already in
 * the page cache. The same chunk buffer (random bytes, seed 42) is written every time, as the receiver
 * reuses one decode scratch buffer.
 *
 * <p>Pitfalls: the numbers are the page-cache write cost, not the disk's: the kernel writes the dirty
 * pages back in the background (after {@code vm.dirty_expire_centisecs}), on the other core, and a
 * disk slower than the score would only show once dirty pages reach {@code vm.dirty_ratio}. A real
 * staging file is sparse, so its first write of a block also allocates it, which this does not
 * measure: {@link StagingWriteBenchmark} measures first writes of new staging files, direct and buffered,
 * through {@code StagingRelease}. If free memory is short, the file falls out of the page cache. The
 * 64 KiB chunk and its copy stay in L1/L2, so the baseline is cache bandwidth, well above a DRAM-to-DRAM
 * copy.</p>
 *
 * <h2>How to run</h2>
 * <pre>
 * ./mvnw -B -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar ReceiverWriteBenchmark
 * java -jar benchmarks/target/benchmarks.jar ReceiverWriteBenchmark -f 1 -wi 2 -i 3     # quick look
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
public class ReceiverWriteBenchmark {
    static final int FILE_MIB = 256;
    static final long FILE_BYTES = FILE_MIB * 1024L * 1024;
    static final int BATCH_MIB = 4;

    /** Chunk size in bytes; 64 KiB is the default average chunk. Must divide 4 MiB. */
    @Param({"65536"})
    public int chunkBytes;

    private int chunksPerBatch;
    private ByteBuffer chunk;
    private ByteBuffer copy;
    private MessageDigest digest;
    private final byte[] out = new byte[Sha256.BYTES];
    private Path file;
    private FileChannel channel;
    /** Where the next chunk goes in the staging file. */
    private long offset;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        chunksPerBatch = BATCH_MIB * 1024 * 1024 / chunkBytes;
        chunk = ByteBuffer.allocateDirect(chunkBytes).put(ChunkerBenchmark.random(chunkBytes, 42)).clear();
        copy = ByteBuffer.allocateDirect(chunkBytes);
        digest = Sha256.newDigest();
        file = Files.createTempFile("skiff-receiver-write-bench", ".bin");
        channel = FileChannel.open(file, StandardOpenOption.WRITE);
        // Pre-size and fill the file so its pages exist and are in the page cache, then flush them so the
        // run starts without a backlog of dirty pages from setup.
        for (long n = FILE_BYTES / chunkBytes; n > 0; n--) {
            write();
        }
        channel.force(false);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        channel.close();
        Files.deleteIfExists(file);
    }

    /** memcpy of the chunk into another direct buffer. */
    @Benchmark
    @OperationsPerInvocation(BATCH_MIB)
    public long baseline() {
        long x = 0;
        for (int i = 0; i < chunksPerBatch; i++) {
            copy.clear().put(chunk.clear());
            x += copy.get(chunkBytes - 1);
        }
        return x;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH_MIB)
    public void hashOnly(Blackhole bh) throws DigestException {
        for (int i = 0; i < chunksPerBatch; i++) {
            hash();
            bh.consume(out[0]);
        }
    }

    /** Returns the offset reached, so the writes cannot be eliminated. */
    @Benchmark
    @OperationsPerInvocation(BATCH_MIB)
    public long writeOnly() throws IOException {
        for (int i = 0; i < chunksPerBatch; i++) {
            write();
        }
        return offset;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH_MIB)
    public void hashThenWrite(Blackhole bh) throws DigestException, IOException {
        for (int i = 0; i < chunksPerBatch; i++) {
            hash();
            bh.consume(out[0]);
            write();
        }
    }

    private void hash() throws DigestException {
        digest.update(chunk.clear());
        digest.digest(out, 0, Sha256.BYTES);
    }

    /** Writes the whole chunk at {@link #offset} and advances it, wrapping at the end of the file. */
    private void write() throws IOException {
        ByteBuffer src = chunk.clear();
        long at = offset;
        while (src.hasRemaining()) {
            at += channel.write(src, at);
        }
        offset = at == FILE_BYTES ? 0 : at;
    }
}
