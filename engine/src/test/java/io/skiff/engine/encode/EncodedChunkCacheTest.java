package io.skiff.engine.encode;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.frame.ChunkEncoding;
import io.skiff.protocol.frame.ChunkFrame;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Encode once, send many: concurrent askers share one encoding; eviction and close release every buffer. */
class EncodedChunkCacheTest {
    private static final Sha256 BASE = Sha256.digest("base".getBytes(StandardCharsets.UTF_8));

    private static ChunkFrame frame(int ordinal, int bytes, List<ByteBuf> made) {
        ByteBuf payload = Unpooled.directBuffer(bytes).writeZero(bytes);
        made.add(payload);
        return new ChunkFrame(ordinal, ChunkEncoding.ZSTD_REF, 65536, payload);
    }

    @Test
    void shouldEncodeOnceWhenFourTargetsAskForTheSameChunkAtOnce() throws Exception {
        EncodedChunkCache cache = new EncodedChunkCache(1 << 20);
        List<ByteBuf> made = new ArrayList<>();
        AtomicInteger encodings = new AtomicInteger();
        CountDownLatch allAsked = new CountDownLatch(1);
        ExecutorService targets = Executors.newFixedThreadPool(4);
        try {
            List<Future<ChunkFrame>> answers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                answers.add(targets.submit(() -> cache.get(BASE, 7, () -> {
                    encodings.incrementAndGet();
                    try {
                        allAsked.await(5, TimeUnit.SECONDS); // the others ask while this one encodes
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return frame(7, 100, made);
                })));
            }
            Thread.sleep(200);
            allAsked.countDown();
            for (Future<ChunkFrame> answer : answers) {
                ChunkFrame f = answer.get(5, TimeUnit.SECONDS);
                assertEquals(7, f.ordinal());
                assertEquals(100, f.payload().readableBytes());
                f.release();
            }
        } finally {
            targets.shutdownNow();
        }
        assertEquals(1, encodings.get());
        assertEquals(1, made.size());
        assertEquals(1, made.get(0).refCnt(), "only the cache's reference is left");
        cache.close();
        assertEquals(0, made.get(0).refCnt());
    }

    @Test
    void shouldTellEveryWaitingAskerWhenTheEncoderRunsOutOfMemory() throws Exception {
        EncodedChunkCache cache = new EncodedChunkCache(1 << 20);
        CountDownLatch secondAsking = new CountDownLatch(1);
        ExecutorService targets = Executors.newFixedThreadPool(2);
        try {
            Future<ChunkFrame> first = targets.submit(() -> cache.get(BASE, 3, () -> {
                try {
                    secondAsking.await(5, TimeUnit.SECONDS);
                    Thread.sleep(100); // the second asker is waiting on this encoding by now
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new OutOfMemoryError("Cannot reserve 4194304 bytes of direct buffer memory");
            }));
            Future<ChunkFrame> second = targets.submit(() -> {
                secondAsking.countDown();
                return cache.get(BASE, 3, () -> {
                    throw new IllegalStateException("encoding again on its own");
                });
            });
            java.util.concurrent.ExecutionException firstFailure = org.junit.jupiter.api.Assertions.assertThrows(
                    java.util.concurrent.ExecutionException.class, () -> first.get(5, TimeUnit.SECONDS));
            assertTrue(firstFailure.getCause() instanceof OutOfMemoryError, firstFailure.toString());
            // the waiter does not hang: it hears of the failure and encodes on its own (here: fails its own way)
            java.util.concurrent.ExecutionException secondFailure = org.junit.jupiter.api.Assertions.assertThrows(
                    java.util.concurrent.ExecutionException.class, () -> second.get(5, TimeUnit.SECONDS));
            assertTrue(secondFailure.getCause() instanceof IllegalStateException, secondFailure.toString());
        } finally {
            targets.shutdownNow();
            cache.close();
        }
    }

    @Test
    void shouldReleaseAnEncodingPutWhileAnAskerIsEncodingTheSameChunk() throws Exception {
        EncodedChunkCache cache = new EncodedChunkCache(1 << 20);
        List<ByteBuf> made = new ArrayList<>();
        CountDownLatch encoding = new CountDownLatch(1);
        CountDownLatch putDone = new CountDownLatch(1);
        ExecutorService asker = Executors.newSingleThreadExecutor();
        try {
            Future<ChunkFrame> asked = asker.submit(() -> cache.get(BASE, 5, () -> {
                encoding.countDown();
                try {
                    putDone.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return frame(5, 100, made);
            }));
            assertTrue(encoding.await(5, TimeUnit.SECONDS));
            ChunkFrame received = frame(5, 80, made); // a relay's received copy of the same chunk, arriving meanwhile
            cache.put(BASE, 5, received);
            putDone.countDown();
            ChunkFrame answer = asked.get(5, TimeUnit.SECONDS);
            assertEquals(100, answer.payload().readableBytes(), "the asker gets its own encoding");
            answer.release();
            assertEquals(0, made.get(0).refCnt(), "the encoding put while the asker encoded is released at once");
        } finally {
            asker.shutdownNow();
        }
        cache.close();
        assertEquals(0, made.get(1).refCnt(), "close releases the cached encoding: nothing leaks");
    }

    @Test
    void shouldPeekOnlyAtFinishedEncodingsAndNeverEncode() {
        EncodedChunkCache cache = new EncodedChunkCache(1 << 20);
        List<ByteBuf> made = new ArrayList<>();
        assertEquals(null, cache.peek(BASE, 1), "nothing cached");
        cache.put(BASE, 1, frame(1, 50, made));
        ChunkFrame peeked = cache.peek(BASE, 1);
        assertEquals(50, peeked.payload().readableBytes());
        assertEquals(null, cache.peek(null, 1), "another base is another encoding");
        peeked.release();
        assertEquals(1, made.get(0).refCnt(), "a peek hands out its own reference");
        cache.close();
        assertEquals(0, made.get(0).refCnt());
    }

    @Test
    void shouldKeepACompressedChunkInABufferItsOwnSize() {
        byte[] text = "A00.0\tCholera due to Vibrio cholerae 01, biovar cholerae\n".repeat(2000).getBytes(StandardCharsets.US_ASCII);
        try (ChunkCompressor compressor = new ChunkCompressor(1)) {
            ByteBuf raw = io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(text.length).writeBytes(text);
            ChunkFrame frame = compressor.encode(io.netty.buffer.PooledByteBufAllocator.DEFAULT, 0, raw, true);
            try {
                assertEquals(ChunkEncoding.ZSTD, frame.encoding());
                assertTrue(frame.payload().readableBytes() < text.length / 10, "compressed: " + frame.payload().readableBytes());
                assertEquals(frame.payload().readableBytes(), frame.payload().capacity(),
                        "the frame pins its bytes, not zstd's worst case of " + text.length + "+ bytes");
            } finally {
                frame.release();
            }
        }
    }

    @Test
    void shouldEncodeAgainAfterEvictionAndKeepDifferentBasesApart() {
        EncodedChunkCache cache = new EncodedChunkCache(250);
        List<ByteBuf> made = new ArrayList<>();
        AtomicInteger encodings = new AtomicInteger();
        for (int ordinal = 0; ordinal < 4; ordinal++) {
            int o = ordinal;
            cache.get(BASE, o, () -> {
                encodings.incrementAndGet();
                return frame(o, 100, made);
            }).release();
        }
        cache.get(null, 3, () -> {
            encodings.incrementAndGet();
            return frame(3, 100, made);
        }).release(); // same ordinal, no base: a different encoding
        cache.get(BASE, 0, () -> {
            encodings.incrementAndGet();
            return frame(0, 100, made);
        }).release(); // evicted long ago

        assertEquals(6, encodings.get());
        long held = made.stream().filter(b -> b.refCnt() > 0).count();
        assertTrue(held <= 2, "at most 250 bytes held: " + held + " buffers");
        cache.close();
        made.forEach(b -> assertEquals(0, b.refCnt()));
    }
}
