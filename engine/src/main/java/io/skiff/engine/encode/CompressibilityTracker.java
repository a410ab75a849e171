package io.skiff.engine.encode;

import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Decides per file whether trying zstd on its next chunk is worth the CPU. After
 * {@value #MISSES_BEFORE_SKIPPING} chunks in a row of a file did not compress (already-compressed or
 * random data), only every {@value #PROBE_EVERY}th chunk of it is tried, so a file that becomes
 * compressible later is noticed. Thread-safe; shared by the encoder threads of one push.
 */
public final class CompressibilityTracker {
    static final int MISSES_BEFORE_SKIPPING = 4;
    static final int PROBE_EVERY = 32;

    private final AtomicIntegerArray consecutiveMisses;

    public CompressibilityTracker(int entries) {
        this.consecutiveMisses = new AtomicIntegerArray(entries);
    }

    public boolean shouldTry(int entry, int ordinal) {
        return consecutiveMisses.get(entry) < MISSES_BEFORE_SKIPPING || ordinal % PROBE_EVERY == 0;
    }

    public void record(int entry, boolean compressed) {
        if (compressed) {
            consecutiveMisses.set(entry, 0);
        } else {
            consecutiveMisses.incrementAndGet(entry);
        }
    }
}
