package io.skiff.bench.jmh;

import com.sun.nio.file.ExtendedOpenOption;
import io.skiff.engine.files.DirectoryTrees;
import io.skiff.engine.manifest.ManifestBuilder;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.engine.store.SegmentBuffers;
import io.skiff.engine.store.StagingRelease;
import io.skiff.protocol.ChunkTable;
import io.skiff.protocol.ChunkingParams;
import io.skiff.protocol.Manifest;
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
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Time to stage one new file as the receiver does, from verified chunks in memory to a file on disk that
 * {@code fdatasync} has returned for: {@link StagingRelease#write} of every chunk of a {@code fileMiB} file
 * (random bytes, seed 42, default content-defined chunking: ~64 KiB chunks), then
 * {@link StagingRelease#syncWritten} (the data fsync a journal record and a commit wait for) and
 * {@link StagingRelease#close}. One operation is one whole file, timed once ({@link Mode#SingleShotTime}: one
 * invocation per iteration), so <b>the score is milliseconds per file; MiB/s = fileMiB × 1000 / score</b>
 * (256 MiB at 500 ms/op is 512 MiB/s).
 *
 * <ul>
 *   <li>{@link #stage} with {@code mode=direct}: {@link SegmentBuffers} given, as the receiver runs: each chunk
 *       is copied into its file's 4 MiB segment buffer and every whole segment goes to disk in one aligned
 *       {@code O_DIRECT} write, bypassing the page cache. {@code mode=buffered}: {@code null} instead (the
 *       receiver before O_DIRECT, and {@code receive --no-direct-io}): a {@code pwrite} per chunk into the page
 *       cache, and the fsync then waits for the writeback of the whole file.</li>
 *   <li>{@code writers=2}: two threads take the chunks in ordinal order from one shared counter, as the
 *       receiver's two verifier threads take them from one queue (whichever is free takes the next); the
 *       benchmark thread waits for both, then syncs. {@code writers=1}: every chunk in ordinal order on the
 *       benchmark thread.</li>
 *   <li>{@link #directFloor}, the baseline: the same bytes from the same buffer, 4 MiB {@code O_DIRECT} writes
 *       straight to a new sparse file, then {@code fdatasync}: what the disk takes, with no chunks and no
 *       copies ({@code dd bs=4M oflag=direct} in Java). {@code direct} minus it is the cost of chunking.</li>
 * </ul>
 *
 * Not measured: making the staging tree ({@link StagingRelease#create}: directories, the file pre-sized
 * sparse with {@code ftruncate}, the manifest saved once) and deleting it afterwards, both in
 * {@code Level.Invocation} fixtures; receiving, decoding and hashing chunks ({@link ReceiverWriteBenchmark},
 * {@link ChunkHashPipelineBenchmark}); commit's permission changes, directory fsyncs and rename. The chunks
 * are slices of one direct buffer filled in trial setup, so no read of a source file is timed; the source
 * file the manifest is built from is deleted right after.
 *
 * <p>{@code Level.Invocation} fixtures: JMH warns against them because their timestamps and calls around
 * every invocation swamp short ones. An invocation here writes a whole file (hundreds of ms), so that is
 * noise, and it is the only way each operation gets a file that was never written before.
 *
 * <p>Pitfalls:
 * <ul>
 *   <li>The disk: files go under {@code java.io.tmpdir}, which must be on the disk under test; setup refuses
 *       tmpfs (no disk behind it). Elsewhere: {@code -jvmArgsAppend -Djava.io.tmpdir=/path}. If the file
 *       system refuses O_DIRECT, the staging release silently writes through the page cache, so the
 *       per-invocation teardown fails the run when {@code mode=direct} wrote no segment directly.</li>
 *   <li>Page cache state: each staged file is deleted after its fsync, so no operation inherits another's
 *       dirty pages, and the source file is deleted once chunked.</li>
 *   <li>Dirty writeback: in buffered mode a file under {@code vm.dirty_background_ratio} of free memory (10%,
 *       ~2 GB on a 24 GB VM) is not written back before the fsync, which then writes it all on the benchmark
 *       thread. A larger {@code fileMiB} starts background writeback by kernel flusher threads on the other
 *       core while the writers copy (competing with {@code writers=2}), and past {@code vm.dirty_ratio} the
 *       writers are throttled: {@code fileMiB} changes what buffered mode measures, not only how much. On a
 *       2-core machine, run nothing else meanwhile (a build, an e2e run).</li>
 *   <li>VM first touch: a guest page the hypervisor has not yet backed costs a fault on first use, which is
 *       why buffered writes of new files are slow and erratic here. Pages freed by deleting the previous
 *       operation's file are reused by the next, so after the first operations buffered mode can look better
 *       than a receiver writing more than the guest ever touched: compare the printed warm-up iterations.
 *       Direct mode touches only its 16 segment buffers, made during the first operation (a warm-up).</li>
 *   <li>The host: a virtio disk's writes may land in the host's cache; {@code fdatasync} is then only as
 *       durable as the host makes it, and scores can exceed the physical disk's.</li>
 *   <li>{@code writers=2}, direct: a writer more than 16 segments (64 MiB) ahead of the other would find no
 *       free segment buffer and spill that segment to the page cache, as the receiver would (unless some are
 *       being written: then it waits for one); teardown prints a
 *       note to stderr when that happens. With a shared counter the writers stay within a chunk or two of each
 *       other (dealing chunks round-robin instead let one run ahead while the other waited on a direct write,
 *       and half the segments spilled).</li>
 * </ul>
 *
 * <h2>How to run</h2>
 * <pre>
 * ./mvnw -B -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar StagingWriteBenchmark                                # ~1-2 min
 * java -jar benchmarks/target/benchmarks.jar StagingWriteBenchmark -f 1 -wi 0 -i 1 -p fileMiB=32   # smoke test
 * </pre>
 * Five runs (the floor, then {@code stage} for each mode and writer count), each 2 forks of 2 warm-up and 8
 * measured files; the time is estimated from a 32 MiB smoke run. No result is recorded here yet: measured
 * figures belong in {@code docs/benchmarks.md}.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// slf4j.internal.verbosity: the engine's "no SLF4J provider" warning would land inside the first iteration's line
@Fork(value = 2, jvmArgsAppend = {"-Xms512m", "-Xmx512m", "-XX:MaxDirectMemorySize=2g", "-Dslf4j.internal.verbosity=ERROR"})
@Warmup(iterations = 2)
@Measurement(iterations = 8)
public class StagingWriteBenchmark {
    static final long MIB = 1 << 20;
    static final String FILE_NAME = "data.bin";

    /** The file to stage: its bytes in one direct buffer, its manifest, its chunks as slices of the buffer. */
    @State(Scope.Benchmark)
    public static class Source {
        /** File size in MiB; up to 2047 (one buffer), and about 1900 for the fork's direct memory. */
        @Param({"256"})
        public int fileMiB;

        /** Under java.io.tmpdir: the staging root and the floor's file go here. */
        Path dir;
        /** The whole file, aligned for O_DIRECT (the floor writes from it directly). */
        ByteBuffer bytes;
        Manifest manifest;
        /** Chunk {@code i}'s bytes: a slice of {@link #bytes}, never moved (the staging release duplicates it). */
        ByteBuffer[] chunks;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            setUp(Path.of(System.getProperty("java.io.tmpdir")));
        }

        void setUp(Path under) throws IOException {
            if (fileMiB < 1 || fileMiB > 2047) {
                throw new IllegalArgumentException("fileMiB=" + fileMiB + " must be 1..2047");
            }
            String fsType = Files.getFileStore(under).type();
            if (fsType.equals("tmpfs") || fsType.equals("ramfs")) {
                throw new IllegalStateException(under + " is on " + fsType + ", not a disk: pass"
                        + " -jvmArgsAppend -Djava.io.tmpdir=<dir on the disk to measure>");
            }
            dir = Files.createTempDirectory(under, "skiff-staging-write-bench");
            int size = (int) (fileMiB * MIB);
            bytes = ByteBuffer.allocateDirect(size + SegmentBuffers.ALIGN).alignedSlice(SegmentBuffers.ALIGN).slice(0, size);
            Random random = new Random(42);
            byte[] piece = new byte[(int) MIB];
            for (int at = 0; at < size; at += piece.length) {
                random.nextBytes(piece);
                bytes.put(at, piece);
            }

            Path src = Files.createDirectories(dir.resolve("src"));
            Path file = src.resolve(FILE_NAME);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer all = bytes.duplicate();
                while (all.hasRemaining()) {
                    ch.write(all, all.position());
                }
            }
            manifest = ManifestBuilder.build(src, "ch", "v1", ChunkingParams.DEFAULT, 1);
            DirectoryTrees.deleteRecursively(src); // its pages leave the page cache; the bytes stay in `bytes`
            if (manifest.entries().size() != 1) {
                throw new IllegalStateException("one file expected, the manifest has " + manifest.entries());
            }
            ChunkTable table = manifest.chunks();
            chunks = new ByteBuffer[table.count()];
            for (int i = 0; i < chunks.length; i++) {
                chunks[i] = bytes.slice((int) table.offset(i), table.length(i)); // one file: its offsets are the buffer's
            }
        }

        /** Segments of the file, each one direct write when the staging release writes it direct. */
        int segments() {
            return (int) ((bytes.capacity() + SegmentBuffers.SEGMENT_BYTES - 1) / SegmentBuffers.SEGMENT_BYTES);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            DirectoryTrees.deleteRecursively(dir);
        }
    }

    /** A staging release of {@link Source}'s manifest, fresh for every invocation, written direct or buffered. */
    @State(Scope.Thread)
    public static class Staging {
        /** {@code direct}: with segment buffers, as the receiver writes; {@code buffered}: through the page cache. */
        @Param({"direct", "buffered"})
        public String mode;

        /** Threads writing the chunks, each taking the next one; 2 as the receiver's verifier threads. */
        @Param({"1", "2"})
        public int writers;

        /** Null in buffered mode; otherwise shared by every invocation, as the receiver's by its sessions. */
        SegmentBuffers segmentBuffers;
        ReleaseStore store;
        /** Null for one writer: the benchmark thread writes. */
        ExecutorService writerThreads;
        StagingRelease staging;
        private Path stagingRoot;

        @Setup(Level.Trial)
        public void setUpTrial(Source source) {
            segmentBuffers = switch (mode) {
                case "direct" -> new SegmentBuffers(SegmentBuffers.DEFAULT_MAX);
                case "buffered" -> null;
                default -> throw new IllegalArgumentException("mode=" + mode + " must be direct or buffered");
            };
            if (writers < 1) {
                throw new IllegalArgumentException("writers=" + writers + " must be >= 1");
            }
            stagingRoot = source.dir.resolve("root");
            store = new ReleaseStore(stagingRoot, 1);
            writerThreads = writers == 1 ? null : Executors.newFixedThreadPool(writers, r -> {
                Thread t = new Thread(r, "staging-writer");
                t.setDaemon(true);
                return t;
            });
        }

        @Setup(Level.Invocation)
        public void setUpInvocation(Source source) {
            staging = StagingRelease.create(store, source.manifest, segmentBuffers);
        }

        @TearDown(Level.Invocation)
        public void tearDownInvocation(Source source) throws IOException {
            try {
                int direct = staging.segmentsWrittenDirect();
                if (segmentBuffers != null && direct == 0) {
                    throw new IllegalStateException("mode=direct wrote no segment with O_DIRECT: the file system under "
                            + stagingRoot + " refused it, so this measured the page cache");
                }
                if (segmentBuffers != null && direct < source.segments()) {
                    System.err.printf("note: %d of %d segments spilled to the page cache%n", source.segments() - direct,
                            source.segments());
                }
            } finally {
                DirectoryTrees.deleteRecursively(staging.dir()); // after the fsync: no dirty pages carried over
            }
        }

        @TearDown(Level.Trial)
        public void tearDownTrial() {
            if (writerThreads != null) {
                writerThreads.shutdownNow();
            }
        }
    }

    /** A new, sparse file for the floor, made and deleted around every invocation. */
    @State(Scope.Thread)
    public static class Floor {
        Path file;

        @Setup(Level.Invocation)
        public void setUp(Source source) throws IOException {
            file = source.dir.resolve("floor.bin");
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                f.setLength(source.bytes.capacity()); // pre-sized sparse, as a staging file is
            }
        }

        @TearDown(Level.Invocation)
        public void tearDown() throws IOException {
            Files.deleteIfExists(file);
        }
    }

    /** Writes, syncs and closes one staging file; returns the segments written direct (0 in buffered mode). */
    @Benchmark
    public int stage(Source source, Staging s) throws Exception {
        StagingRelease staging = s.staging;
        AtomicInteger next = new AtomicInteger();
        if (s.writerThreads == null) {
            writeShare(staging, source.chunks, next);
        } else {
            List<Callable<Void>> shares = new ArrayList<>();
            for (int w = 0; w < s.writers; w++) {
                shares.add(() -> writeShare(staging, source.chunks, next));
            }
            for (Future<Void> done : s.writerThreads.invokeAll(shares)) {
                done.get(); // rethrows a writer's failure
            }
        }
        staging.syncWritten();
        staging.close();
        return staging.segmentsWrittenDirect();
    }

    /** Takes the next chunk not taken yet until none is left. */
    private static Void writeShare(StagingRelease staging, ByteBuffer[] chunks, AtomicInteger next) {
        for (int i = next.getAndIncrement(); i < chunks.length; i = next.getAndIncrement()) {
            staging.write(i, chunks[i]);
        }
        return null;
    }

    /** The baseline: the whole buffer in 4 MiB O_DIRECT writes, then fdatasync; returns the file's size. */
    @Benchmark
    public long directFloor(Source source, Floor floor) throws IOException {
        try (FileChannel ch = FileChannel.open(floor.file, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT)) {
            int size = source.bytes.capacity();
            for (int at = 0; at < size; at += SegmentBuffers.SEGMENT_BYTES) {
                ByteBuffer segment = source.bytes.slice(at, Math.min(SegmentBuffers.SEGMENT_BYTES, size - at));
                while (segment.hasRemaining()) {
                    ch.write(segment, at + segment.position());
                }
            }
            ch.force(false);
            return ch.size();
        }
    }
}
