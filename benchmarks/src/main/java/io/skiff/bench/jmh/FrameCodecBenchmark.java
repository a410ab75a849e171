package io.skiff.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.skiff.protocol.frame.ChunkEncoding;
import io.skiff.protocol.frame.ChunkFrame;
import io.skiff.protocol.frame.FrameDecoder;
import io.skiff.protocol.frame.FrameDescriptor;
import io.skiff.protocol.frame.FrameEncoder;
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
import org.openjdk.jmh.infra.Blackhole;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of the CHUNK frame codec. One operation handles one chunk of {@code payloadBytes}
 * (64 KiB, the default FastCDC average), so <b>MB/s = ops/s &times; payloadBytes / 2<sup>20</sup></b>
 * (at 64 KiB: MB/s = ops/s / 16).
 *
 * <ul>
 *   <li>{@link #baselineCopyFrame}: one copy of the frame into a pooled direct buffer, which is what a
 *       socket read costs every received byte. It is the memory-bandwidth limit of this machine for
 *       the path: a codec that copies nothing should come close to it, never beat it.</li>
 *   <li>{@link #encodeChunk}: what {@link FrameEncoder} does per CHUNK: a 14-byte header buffer plus the
 *       payload passed on by reference (no copy). Should be far above the baseline.</li>
 *   <li>{@link #decodeChunk}: {@link FrameDecoder} (in an {@link EmbeddedChannel}) parsing a whole frame
 *       that arrived in one buffer; the payload leaves as a retained slice (no copy).</li>
 *   <li>{@link #encodeCopyDecodeChunk}: the whole path: header and payload copied into one wire buffer
 *       (standing in for the socket) and decoded back. Expect about the baseline plus a constant.</li>
 * </ul>
 *
 * Every op releases what it allocated, so the pooled allocator recycles the same memory; leak
 * detection is disabled in the fork because its sampling would show up in the numbers.
 *
 * <p>Pitfall: one 64 KiB payload is reused for every op, so it stays in the CPU caches. The baseline
 * is therefore cache bandwidth, not DRAM or NIC bandwidth; compare the codec to the baseline, not to
 * the link speed.</p>
 *
 * <h2>How to run</h2>
 * <pre>
 * ./mvnw -B -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar FrameCodecBenchmark
 * java -jar benchmarks/target/benchmarks.jar FrameCodecBenchmark -p payloadBytes=16384,65536,262144
 * </pre>
 *
 * <h2>Results</h2>
 * In docs/benchmarks.md, each with its date, machine and JDK.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
@Warmup(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
public class FrameCodecBenchmark {
    private static final long SEED = 42;
    private static final int ORDINAL = 7;

    /** Chunk payload size in bytes; 64 KiB is the default average chunk. */
    @Param({"65536"})
    public int payloadBytes;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    /** The chunk as the sender holds it; owns {@link #payload}. */
    private ChunkFrame chunk;
    private ByteBuf payload;
    /** Header and payload in one buffer, as the receiver reads it off the socket. */
    private ByteBuf wireFrame;
    private EmbeddedChannel decoder;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] data = new byte[payloadBytes];
        new Random(SEED).nextBytes(data);
        payload = alloc.directBuffer(payloadBytes).writeBytes(data);
        chunk = new ChunkFrame(ORDINAL, ChunkEncoding.RAW, payloadBytes, payload);
        wireFrame = copyToWire(chunk);
        decoder = new EmbeddedChannel(new FrameDecoder());
        decoder.config().setAllocator(alloc);

        // Check once that the decoder yields the chunk we encoded, so the benchmark measures real work.
        decoder.writeInbound(wireFrame.retainedDuplicate());
        Object decoded = decoder.readInbound();
        try {
            if (!(decoded instanceof ChunkFrame c) || c.ordinal() != ORDINAL || !c.payload().equals(payload)) {
                throw new IllegalStateException("decoder returned " + decoded);
            }
        } finally {
            ReferenceCountUtil.release(decoded);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        decoder.finishAndReleaseAll();
        wireFrame.release();
        chunk.release();
    }

    /** Memory-bandwidth floor: copy one frame's bytes into a fresh pooled buffer. */
    @Benchmark
    public void baselineCopyFrame(Blackhole bh) {
        ByteBuf wire = alloc.directBuffer(wireFrame.readableBytes());
        wire.writeBytes(wireFrame, wireFrame.readerIndex(), wireFrame.readableBytes());
        bh.consume(wire.getByte(wire.writerIndex() - 1));
        wire.release();
    }

    /** FrameEncoder's work for one CHUNK: the header, and the payload passed on by reference. */
    @Benchmark
    public void encodeChunk(Blackhole bh) {
        ByteBuf header = FrameEncoder.chunkHeader(alloc, chunk);
        ByteBuf body = chunk.payload().retainedDuplicate();
        bh.consume(header);
        bh.consume(body);
        header.release();
        body.release();
    }

    /** FrameDecoder's work for one CHUNK that arrived in a single read. */
    @Benchmark
    public void decodeChunk(Blackhole bh) {
        decoder.writeInbound(wireFrame.retainedDuplicate());
        ChunkFrame decoded = decoder.readInbound();
        try {
            bh.consume(decoded.ordinal());
            bh.consume(decoded.payload().getByte(payloadBytes - 1));
        } finally {
            decoded.release();
        }
    }

    /** Encode, copy header and payload into one wire buffer (the socket's copy), decode. */
    @Benchmark
    public void encodeCopyDecodeChunk(Blackhole bh) {
        decoder.writeInbound(copyToWire(chunk));
        ChunkFrame decoded = decoder.readInbound();
        try {
            bh.consume(decoded.ordinal());
            bh.consume(decoded.payload().getByte(payloadBytes - 1));
        } finally {
            decoded.release();
        }
    }

    private ByteBuf copyToWire(ChunkFrame frame) {
        ByteBuf header = FrameEncoder.chunkHeader(alloc, frame);
        try {
            ByteBuf body = frame.payload();
            ByteBuf wire = alloc.directBuffer(FrameDescriptor.HEADER_BYTES + FrameDescriptor.CHUNK_HEADER_BYTES + body.readableBytes());
            return wire.writeBytes(header).writeBytes(body, body.readerIndex(), body.readableBytes());
        } finally {
            header.release();
        }
    }
}
