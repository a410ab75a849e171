package io.skiff.engine.transfer;

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
