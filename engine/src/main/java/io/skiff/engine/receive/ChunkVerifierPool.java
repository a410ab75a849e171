package io.skiff.engine.receive;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.skiff.engine.encode.ChunkDecompressor;
import io.skiff.protocol.ProtocolLimits;
import io.skiff.protocol.Sha256;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Threads that decode, hash and write received chunks, shared by all sessions of a receiver, so one
 * transfer's SHA-256 work spreads over every core instead of one session thread. Chunks are
 * independent (each lands at its own offsets), so they may complete in any order. Each thread owns
 * a {@link Worker}: a zstd context, a digest and a decode buffer for the largest possible chunk.
 * The queue is unbounded here because each session bounds what it hands over (its read-ahead).
 */
final class ChunkVerifierPool implements AutoCloseable {
    /** Per-thread tools for one chunk at a time. */
    static final class Worker {
        final ChunkDecompressor decompressor = new ChunkDecompressor();
        final MessageDigest digest = Sha256.newDigest();
        final byte[] digestOut = new byte[Sha256.BYTES];
        final ByteBuffer scratch = ByteBuffer.allocateDirect(ProtocolLimits.MAX_CHUNK_BYTES);
    }

    private final ExecutorService threads;
    private final ThreadLocal<Worker> workers = ThreadLocal.withInitial(Worker::new);

    ChunkVerifierPool(int threadCount) {
        this.threads = new ThreadPoolExecutor(threadCount, threadCount, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                new DefaultThreadFactory("skiff-rx-verify", true));
    }

    void execute(Consumer<Worker> task) {
        threads.execute(() -> task.accept(workers.get()));
    }

    @Override
    public void close() {
        threads.shutdown();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
