package io.skiff.engine.encode;

import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** The threads that read and encode chunks for a sender, an origin or a relay. */
public final class EncoderPools {
    private EncoderPools() {
    }

    /** {@code threads} daemon threads (a stuck push never keeps the JVM alive), idle ones ending after 30 s. */
    public static ExecutorService newPool(int threads, String name) {
        return new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), new DefaultThreadFactory(name, true));
    }
}
