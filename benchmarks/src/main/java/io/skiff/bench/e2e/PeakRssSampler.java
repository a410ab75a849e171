package io.skiff.bench.e2e;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Polls a resident-set figure every {@value #INTERVAL_MS} ms on a background thread and keeps the
 * maximum. For the rsync daemon, whose transfer processes live only for the length of one connection,
 * so their VmHWM must be read while they run. Short-lived peaks between polls are missed.
 */
final class PeakRssSampler implements AutoCloseable {
    static final long INTERVAL_MS = 100;

    private final AtomicLong max = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    PeakRssSampler(LongSupplier rssKb) {
        thread = new Thread(() -> {
            while (running) {
                max.accumulateAndGet(rssKb.getAsLong(), Math::max);
                try {
                    Thread.sleep(INTERVAL_MS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "e2e-rss-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops polling; the largest figure seen, 0 if none. */
    long stop() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join();
        return max.get();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
