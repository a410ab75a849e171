package io.skiff.engine.store;

import com.sun.nio.file.ExtendedOpenOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Write-behind in aligned segments with O_DIRECT, on real files of this machine's file system. */
class DirectSegmentsTest {
    private static final int SEGMENT = SegmentBuffers.SEGMENT_BYTES;

    @TempDir
    Path tmp;

    private final List<FileChannel> open = new ArrayList<>();
    /** Bytes that went through each path, to tell a direct write from a page-cache one. */
    private final AtomicInteger directWrites = new AtomicInteger();
    private final AtomicInteger bufferedBytes = new AtomicInteger();

    @AfterEach
    void closeFiles() throws IOException {
        for (FileChannel ch : open) {
            ch.close();
        }
    }

    /** A sparse file of {@code size} and writers onto it as the staging release opens them: O_DIRECT and plain. */
    private DirectSegments.FileIo fileIo(Path file, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
        FileChannel direct = FileChannel.open(file, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
        FileChannel plain = FileChannel.open(file, StandardOpenOption.WRITE);
        open.add(direct);
        open.add(plain);
        return new DirectSegments.FileIo() {
            @Override
            public void writeDirect(ByteBuffer src, long position) throws IOException {
                directWrites.incrementAndGet();
                for (long at = position; src.hasRemaining(); ) {
                    at += direct.write(src, at);
                }
            }

            @Override
            public void writeBuffered(ByteBuffer src, long position) throws IOException {
                bufferedBytes.addAndGet(src.remaining());
                for (long at = position; src.hasRemaining(); ) {
                    at += plain.write(src, at);
                }
            }
        };
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Cuts {@code size} bytes into chunk-like pieces of 1 B to 300 KB, as [offset, length] pairs. */
    private static List<int[]> pieces(int size, long seed) {
        Random r = new Random(seed);
        List<int[]> pieces = new ArrayList<>();
        for (int at = 0; at < size; ) {
            int len = Math.min(size - at, r.nextInt(10) == 0 ? 1 + r.nextInt(100) : 1 + r.nextInt(300_000));
            pieces.add(new int[] {at, len});
            at += len;
        }
        return pieces;
    }

    @Test
    void shouldWriteEveryWholeSegmentInOneDirectWriteWhateverOrderAndThreadThePiecesComeIn() throws Exception {
        int size = 3 * SEGMENT + 12_345; // the last segment ends in a partial block
        byte[] data = random(size, 1);
        Path file = tmp.resolve("f.bin");
        SegmentBuffers buffers = new SegmentBuffers(8);
        DirectSegments segments = new DirectSegments(size, buffers, fileIo(file, size));
        List<int[]> pieces = pieces(size, 2);
        Collections.shuffle(pieces, new Random(3));
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int[] p : pieces) {
                done.add(threads.submit(() -> {
                    segments.write(ByteBuffer.wrap(data, p[0], p[1]).slice(), p[0]);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            threads.shutdown();
        }
        segments.flush();

        assertArrayEquals(data, Files.readAllBytes(file));
        assertEquals(4, segments.segmentsWrittenDirect(), "every segment completed in memory went in one direct write");
        assertEquals(0, segments.segmentsSpilled());
        assertEquals(4, directWrites.get());
        assertEquals(12_345 % SegmentBuffers.ALIGN, bufferedBytes.get(), "only the file's last partial block went through the page cache");
        assertEquals(8, buffers.available(), "every buffer is back");
    }

    @Test
    void shouldPutHeldPiecesOnDiskWhenFlushedAndSendTheRestOfTheirSegmentThroughThePageCache() throws IOException {
        int size = 2 * SEGMENT;
        byte[] data = random(size, 4);
        Path file = tmp.resolve("f.bin");
        SegmentBuffers buffers = new SegmentBuffers(2);
        DirectSegments segments = new DirectSegments(size, buffers, fileIo(file, size));

        segments.write(ByteBuffer.wrap(data, 0, 100_000).slice(), 0);
        segments.write(ByteBuffer.wrap(data, 500_000, 70_000).slice(), 500_000);
        assertEquals(1, buffers.available(), "a partial segment holds a buffer");
        segments.flush(); // what a journal sync does before naming these pieces

        byte[] onDisk = Files.readAllBytes(file);
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 0, 100_000), java.util.Arrays.copyOfRange(onDisk, 0, 100_000));
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 500_000, 570_000), java.util.Arrays.copyOfRange(onDisk, 500_000, 570_000));
        assertEquals(2, buffers.available(), "the flushed segment gave its buffer back");
        assertEquals(170_000, bufferedBytes.get());

        segments.write(ByteBuffer.wrap(data, 100_000, 400_000).slice(), 100_000);
        segments.write(ByteBuffer.wrap(data, 570_000, SEGMENT - 570_000).slice(), 570_000);
        segments.write(ByteBuffer.wrap(data, SEGMENT, SEGMENT).slice(), SEGMENT);
        segments.flush();

        assertArrayEquals(data, Files.readAllBytes(file));
        assertEquals(SEGMENT, bufferedBytes.get(), "the flushed segment finished through the page cache");
        assertEquals(1, segments.segmentsWrittenDirect(), "the other one still went in one direct write");
        assertEquals(1, segments.segmentsSpilled());
    }

    @Test
    void shouldWriteThroughThePageCacheWhenNoBufferIsFree() throws IOException {
        int size = 2 * SEGMENT;
        byte[] data = random(size, 5);
        Path file = tmp.resolve("f.bin");
        SegmentBuffers buffers = new SegmentBuffers(1);
        DirectSegments segments = new DirectSegments(size, buffers, fileIo(file, size));

        segments.write(ByteBuffer.wrap(data, 0, 1000).slice(), 0); // holds the only buffer
        segments.write(ByteBuffer.wrap(data, SEGMENT, SEGMENT).slice(), SEGMENT); // no buffer: straight to the page cache
        assertEquals(SEGMENT, bufferedBytes.get());
        segments.write(ByteBuffer.wrap(data, 1000, SEGMENT - 1000).slice(), 1000);
        segments.flush();

        assertArrayEquals(data, Files.readAllBytes(file));
        assertEquals(1, segments.segmentsWrittenDirect());
        assertEquals(1, segments.segmentsSpilled(), "the segment that found no buffer");
        assertEquals(1, buffers.available());
    }

    @Test
    void shouldCountAPieceWrittenTwiceOnce() throws IOException {
        int size = SEGMENT;
        byte[] data = random(size, 6);
        Path file = tmp.resolve("f.bin");
        DirectSegments segments = new DirectSegments(size, new SegmentBuffers(1), fileIo(file, size));

        segments.write(ByteBuffer.wrap(new byte[1000]), 0); // wrong bytes first, then the right ones at the same offset
        segments.write(ByteBuffer.wrap(data, 0, 1000).slice(), 0);
        assertEquals(0, segments.segmentsWrittenDirect(), "the same piece twice does not complete the segment");
        segments.write(ByteBuffer.wrap(data, 1000, size - 1000).slice(), 1000);
        segments.awaitWrites(); // the direct write runs on the buffers' writer thread

        assertEquals(1, segments.segmentsWrittenDirect());
        assertArrayEquals(data, Files.readAllBytes(file));
    }

    @Test
    void shouldFailEveryLaterWriteAndFlushOnceAWriteFailedAndGiveItsBufferBack() throws IOException {
        SegmentBuffers buffers = new SegmentBuffers(2);
        DirectSegments.FileIo broken = new DirectSegments.FileIo() {
            @Override
            public void writeDirect(ByteBuffer src, long position) throws IOException {
                throw new IOException("No space left on device");
            }

            @Override
            public void writeBuffered(ByteBuffer src, long position) throws IOException {
                throw new IOException("No space left on device");
            }
        };
        DirectSegments segments = new DirectSegments(2L * SEGMENT, buffers, broken);
        segments.write(ByteBuffer.wrap(new byte[1000]), SEGMENT); // held in memory: no I/O yet

        segments.write(ByteBuffer.allocate(SEGMENT), 0); // segment 0 is whole: its direct write fails on the writer thread
        IOException failed = assertThrows(IOException.class, segments::flush, "a journal sync after the failure must not pass");
        assertTrue(failed.getMessage().contains("No space left"), failed.getMessage());
        assertThrows(IOException.class, segments::flush, "nor any later one");
        assertThrows(IOException.class, () -> segments.write(ByteBuffer.allocate(10), SEGMENT + 1000));
        segments.discard();
        assertEquals(2, buffers.available());
    }

    @Test
    void shouldReturnBeforeTheDirectWriteEndsAndWaitForItsBufferRatherThanSpill() throws Exception {
        int size = 2 * SEGMENT;
        byte[] data = random(size, 8);
        Path file = tmp.resolve("f.bin");
        DirectSegments.FileIo real = fileIo(file, size);
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch disk = new CountDownLatch(1);
        DirectSegments.FileIo slowDisk = new DirectSegments.FileIo() {
            @Override
            public void writeDirect(ByteBuffer src, long position) throws IOException {
                writing.countDown();
                try {
                    assertTrue(disk.await(30, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    throw new InterruptedIOException();
                }
                real.writeDirect(src, position);
            }

            @Override
            public void writeBuffered(ByteBuffer src, long position) throws IOException {
                real.writeBuffered(src, position);
            }
        };
        SegmentBuffers buffers = new SegmentBuffers(1);
        DirectSegments segments = new DirectSegments(size, buffers, slowDisk);
        ExecutorService verifier = Executors.newSingleThreadExecutor();
        try {
            segments.write(ByteBuffer.wrap(data, 0, SEGMENT).slice(), 0); // returns with the segment's write in flight
            assertTrue(writing.await(30, TimeUnit.SECONDS));
            assertTrue(segments.holds(0, 1), "a segment being written is not on disk yet");
            Future<?> next = verifier.submit(() -> {
                segments.write(ByteBuffer.wrap(data, SEGMENT, SEGMENT).slice(), SEGMENT); // the one buffer is the writer's
                return null;
            });
            Future<?> flush = verifier.submit(() -> {
                segments.flush();
                return null;
            });
            assertThrows(TimeoutException.class, () -> next.get(200, TimeUnit.MILLISECONDS), "waits for the buffer");
            disk.countDown();
            next.get(30, TimeUnit.SECONDS);
            flush.get(30, TimeUnit.SECONDS);
            segments.awaitWrites();
        } finally {
            disk.countDown();
            verifier.shutdown();
        }
        assertEquals(2, segments.segmentsWrittenDirect(), "the second segment waited for the buffer instead of spilling");
        assertEquals(0, segments.segmentsSpilled());
        assertFalse(segments.holds(0, size));
        assertArrayEquals(data, Files.readAllBytes(file));
        assertEquals(1, buffers.available());
    }

    @Test
    void shouldWriteAWholeSegmentItselfOnceTheWriterHasStopped() throws IOException {
        int size = 2 * SEGMENT;
        byte[] data = random(size, 10);
        Path file = tmp.resolve("f.bin");
        SegmentBuffers buffers = new SegmentBuffers(2);
        DirectSegments segments = new DirectSegments(size, buffers, fileIo(file, size));
        segments.write(ByteBuffer.wrap(data, 0, SEGMENT).slice(), 0); // whole: the writer thread writes it
        segments.awaitWrites();
        segments.write(ByteBuffer.wrap(data, SEGMENT, 1000).slice(), SEGMENT);
        buffers.close(); // the receiver is stopping
        segments.write(ByteBuffer.wrap(data, SEGMENT + 1000, SEGMENT - 1000).slice(), SEGMENT + 1000);

        segments.flush(); // would wait forever for a write nobody runs
        assertEquals(2, segments.segmentsWrittenDirect());
        assertArrayEquals(data, Files.readAllBytes(file));
        assertEquals(2, buffers.available());
    }

    @Test
    void shouldRefuseAWriteBeyondTheFilesSize() throws IOException {
        Path file = tmp.resolve("f.bin");
        DirectSegments segments = new DirectSegments(5000, new SegmentBuffers(1), fileIo(file, 5000));
        assertThrows(IOException.class, () -> segments.write(ByteBuffer.allocate(100), 4950));
    }
}
