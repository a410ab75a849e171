package io.skiff.engine.chunk;

import io.skiff.protocol.ChunkListDigest;
import io.skiff.protocol.ChunkingParams;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SkiffException;
import io.skiff.protocol.SourceException;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestException;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Streams one file: cuts it into chunks with {@link FastCdcChunker} and computes the SHA-256 of every
 * chunk, reading through pooled heap buffers (the file is never loaded whole). The file's digest is
 * the {@link ChunkListDigest} of its chunks: one SHA-256 pass per byte in all.
 *
 * <h2>Two cores on one file</h2>
 * Per byte the work is one CDC pass (~0.45 ns) and one SHA-256 pass (~0.55 ns). The reading thread
 * fills a buffer, cuts its chunks and publishes it as a <em>segment</em>; then it moves on to the next
 * buffer. A task on {@code hashWorkers} claims chunks of the segment one by one from an atomic counter.
 * When the reader runs out of buffers it claims the same work itself, so the two threads share the
 * hashing as evenly as the chunk granularity allows, whatever their speeds.
 *
 * <pre>
 *   reader:  read+cut s0 | read+cut s1 | read+cut s2 | read+cut s3 | (no buffer) hash chunks of s0.. |
 *   worker:  chunks(s0) | chunks(s1) | chunks(s2) ...
 * </pre>
 *
 * <h2>Buffers</h2>
 * Each buffer is {@code max(4 MiB, 2 × maxBytes)}; one with no {@code hashWorkers}, at most four with
 * them (16 MiB in flight at the defaults). A buffer returns to the pool when all its chunks are hashed. The unchunked tail of a buffer (less than {@code maxBytes}) is copied to the
 * start of the next one.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>An instance handles one file at a time (it owns the buffer pool); give each thread its own.
 *       {@code hashWorkers} may be shared by many instances: its tasks never block.</li>
 *   <li>A file whose size changes while it is read fails with {@link ErrorCode#SOURCE_INVALID}; reading
 *       stops one byte past the size seen at open, so a growing file cannot keep it reading.</li>
 *   <li>Symbolic links are not followed ({@link LinkOption#NOFOLLOW_LINKS}).</li>
 * </ul>
 */
public final class FileChunker {
    /** Smallest read buffer; larger when {@code 2 × maxBytes} is larger. */
    public static final int MIN_BUFFER_BYTES = 4 * 1024 * 1024;
    /** Buffers per instance when hashing is shared with a worker. */
    public static final int PIPELINE_BUFFERS = 4;

    private static final ThreadLocal<MessageDigest> CHUNK_DIGEST = ThreadLocal.withInitial(Sha256::newDigest);

    private final FastCdcChunker chunker;
    private final ExecutorService hashWorkers;
    private final int bufferBytes;
    private final int maxBuffers;
    private final BlockingQueue<byte[]> freeBuffers;
    private int allocatedBuffers;

    /**
     * @param hashWorkers threads that share the hashing of a file with the calling thread; {@code null}
     *                    hashes everything on the calling thread with a single buffer
     */
    public FileChunker(ChunkingParams params, ExecutorService hashWorkers) {
        this.chunker = new FastCdcChunker(Objects.requireNonNull(params, "params"));
        this.hashWorkers = hashWorkers;
        this.bufferBytes = Math.max(MIN_BUFFER_BYTES, 2 * params.maxBytes());
        this.maxBuffers = hashWorkers == null ? 1 : PIPELINE_BUFFERS;
        this.freeBuffers = new ArrayBlockingQueue<>(maxBuffers);
    }

    /** Chunks and hashes {@code file} on the calling thread only. */
    public static FileDigest digestSingleThreaded(Path file, ChunkingParams params) throws IOException {
        return new FileChunker(params, null).digest(file);
    }

    public ChunkingParams params() {
        return new ChunkingParams(chunker.minBytes(), chunker.avgBytes(), chunker.maxBytes());
    }

    /**
     * @throws IOException    if the file cannot be opened or read
     * @throws SkiffException {@link ErrorCode#SOURCE_INVALID} if the file changes size while it is read
     */
    public FileDigest digest(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            return digest(channel, file);
        }
    }

    private FileDigest digest(FileChannel channel, Path file) throws IOException {
        long expectedSize = channel.size();
        Run run = new Run();
        byte[] buf = null;
        try {
            buf = acquire(run);
            int start = 0;      // first byte of buf not yet cut into a chunk
            int end = 0;        // end of valid data in buf
            long total = 0;
            boolean eof = false;
            int maxBytes = chunker.maxBytes();
            while (true) {
                while (!eof && end < buf.length) {
                    int room = (int) Math.min(buf.length - end, expectedSize + 1 - total);
                    int n = channel.read(ByteBuffer.wrap(buf, end, room));
                    if (n < 0) {
                        eof = true;
                    } else {
                        end += n;
                        total += n;
                        if (total > expectedSize) {
                            throw changed(file, expectedSize, "it grew");
                        }
                    }
                }
                Segment segment = new Segment(buf, (end - start) / chunker.minBytes() + 1);
                while (end - start >= maxBytes || (eof && start < end)) {
                    int length = chunker.cut(buf, start, end - start);
                    segment.addChunk(start, length);
                    run.chunkLengths.add(length);
                    start += length;
                }
                run.publish(segment);
                if (eof) {
                    buf = null;
                    break;
                }
                byte[] previous = buf;
                buf = null;
                byte[] next = acquire(run);
                // may be previous itself when its work is done; arraycopy handles the overlap
                System.arraycopy(previous, start, next, 0, end - start);
                buf = next;
                end -= start;
                start = 0;
            }
            run.finish();
            if (total != expectedSize || channel.size() != expectedSize) {
                throw changed(file, expectedSize, "read " + total + " bytes");
            }
            byte[] chunkHashes = run.chunkHashes();
            int[] chunkLengths = run.chunkLengths.toArray();
            return new FileDigest(total, ChunkListDigest.of(chunkHashes, chunkLengths), chunkHashes, chunkLengths);
        } finally {
            if (buf != null) {
                freeBuffers.offer(buf);
            }
            run.finish();
        }
    }

    private static SourceException changed(Path file, long expectedSize, String what) {
        return new SourceException(file,
                "file changed while being read: " + file + " (size was " + expectedSize + ", " + what + ")");
    }

    private byte[] acquire(Run run) throws InterruptedIOException {
        byte[] buf = freeBuffers.poll();
        if (buf != null) {
            return buf;
        }
        if (allocatedBuffers < maxBuffers) {
            allocatedBuffers++;
            return new byte[bufferBytes];
        }
        run.helpAll();
        try {
            return freeBuffers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while chunking");
        }
    }

    /** One buffer's share of the work: its chunks. */
    private final class Segment {
        final byte[] buf;
        int[] offsets;
        int[] lengths;
        int count;
        byte[] hashes;
        final AtomicInteger nextChunk = new AtomicInteger();
        /** Chunks not yet hashed. */
        AtomicInteger pending;

        Segment(byte[] buf, int expectedChunks) {
            this.buf = buf;
            this.offsets = new int[expectedChunks];
            this.lengths = new int[expectedChunks];
        }

        void addChunk(int offset, int length) {
            if (count == offsets.length) {
                offsets = Arrays.copyOf(offsets, count * 2);
                lengths = Arrays.copyOf(lengths, count * 2);
            }
            offsets[count] = offset;
            lengths[count] = length;
            count++;
        }

        /** Called by the reader before the segment is visible to any worker. */
        void seal() {
            hashes = new byte[count * Sha256.BYTES];
            pending = new AtomicInteger(count);
            if (count == 0) {
                freeBuffers.offer(buf); // nothing to hash: the buffer is free at once
            }
        }

        /** Hashes unclaimed chunks until none is left; safe from any thread. */
        void hashChunks() {
            MessageDigest md = CHUNK_DIGEST.get();
            int i;
            while ((i = nextChunk.getAndIncrement()) < count) {
                md.update(buf, offsets[i], lengths[i]);
                try {
                    md.digest(hashes, i * Sha256.BYTES, Sha256.BYTES);
                } catch (DigestException e) {
                    throw new IllegalStateException("SHA-256 output does not fit 32 bytes", e);
                }
                partDone();
            }
        }

        boolean isDone() {
            return pending.get() == 0;
        }

        void partDone() {
            if (pending.decrementAndGet() == 0) {
                freeBuffers.offer(buf);
            }
        }
    }

    /** State of one {@link #digest} call. */
    private final class Run {
        final IntList chunkLengths = new IntList();
        final List<byte[]> segmentHashes = new ArrayList<>();
        final ArrayDeque<Segment> inFlight = new ArrayDeque<>();
        final List<WorkerTask> workerTasks = new ArrayList<>();
        boolean finished;

        void publish(Segment segment) {
            segment.seal();
            segmentHashes.add(segment.hashes);
            inFlight.add(segment);
            if (hashWorkers != null) {
                WorkerTask task = new WorkerTask(segment);
                task.future = hashWorkers.submit(task);
                workerTasks.add(task);
                if (workerTasks.size() >= 64) {
                    workerTasks.removeIf(t -> t.future.isDone());
                }
            }
        }

        /** The reader does whatever work is still unclaimed. */
        void helpAll() {
            for (Segment s : inFlight) {
                s.hashChunks();
            }
            inFlight.removeIf(Segment::isDone);
        }

        /** Completes all work: afterwards no worker touches this run's buffers or digest. */
        void finish() throws InterruptedIOException {
            if (finished) {
                return;
            }
            finished = true;
            helpAll();
            boolean interrupted = false;
            for (WorkerTask task : workerTasks) {
                // Future.cancel would not do: it also "cancels" a task that is already running
                if (task.claimed.compareAndSet(false, true)) {
                    continue; // never started, and helpAll() did its work
                }
                while (true) {
                    try {
                        task.future.get();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true; // must not return while a worker still reads our buffers
                    } catch (ExecutionException e) {
                        throw new IllegalStateException("chunk hash task failed", e.getCause());
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while chunking");
            }
        }

        /** A worker's share of one segment; runs at most once, and not at all once the reader claimed it. */
        final class WorkerTask implements Runnable {
            final Segment segment;
            final AtomicBoolean claimed = new AtomicBoolean();
            Future<?> future;

            WorkerTask(Segment segment) {
                this.segment = segment;
            }

            @Override
            public void run() {
                if (claimed.compareAndSet(false, true)) {
                    segment.hashChunks();
                }
            }
        }

        byte[] chunkHashes() {
            byte[] all = new byte[chunkLengths.size() * Sha256.BYTES];
            int at = 0;
            for (byte[] h : segmentHashes) {
                System.arraycopy(h, 0, all, at, h.length);
                at += h.length;
            }
            return all;
        }
    }

    /** A growable int array. */
    private static final class IntList {
        private int[] values = new int[64];
        private int size;

        void add(int value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        int size() {
            return size;
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
