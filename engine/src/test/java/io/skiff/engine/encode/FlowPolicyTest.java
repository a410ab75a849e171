package io.skiff.engine.encode;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.skiff.engine.receive.ReadAheadLimiter;
import io.skiff.protocol.frame.ChunkEncoding;
import io.skiff.protocol.frame.ChunkFrame;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The small policies that keep a transfer fast and bounded, tested on their own. */
class FlowPolicyTest {
    @Test
    void shouldStopTryingZstdOnAFileAfterConsecutiveMissesButKeepProbing() {
        CompressibilityTracker tracker = new CompressibilityTracker(2);
        for (int i = 1; i <= CompressibilityTracker.MISSES_BEFORE_SKIPPING; i++) {
            assertTrue(tracker.shouldTry(0, i));
            tracker.record(0, false);
        }
        assertFalse(tracker.shouldTry(0, 33), "skips after repeated misses");
        assertTrue(tracker.shouldTry(0, 64), "probes every " + CompressibilityTracker.PROBE_EVERY + "th chunk");
        assertTrue(tracker.shouldTry(1, 33), "another file is not affected");
        tracker.record(0, true);
        assertTrue(tracker.shouldTry(0, 33), "a chunk that compressed resets the file");
    }

    @Test
    void shouldPauseReadingAboveTheHighMarkAndResumeBelowTheLowMark() {
        ReadAheadLimiter limiter = new ReadAheadLimiter(100_000, 50_000);
        EmbeddedChannel channel = new EmbeddedChannel(limiter);
        for (int i = 0; i < 2; i++) {
            channel.writeInbound(new ChunkFrame(i, ChunkEncoding.RAW, 60_000, Unpooled.wrappedBuffer(new byte[60_000])));
        }
        assertFalse(channel.config().isAutoRead(), "120 kB queued > 100 kB");
        limiter.processed(readAndRelease(channel));
        assertFalse(channel.config().isAutoRead(), "60 kB queued is above the low mark");
        limiter.processed(readAndRelease(channel));
        channel.runPendingTasks();
        assertTrue(channel.config().isAutoRead(), "nothing queued");
        channel.finishAndReleaseAll();
    }

    /** What the session does with a message: take it, release it, report its size. */
    private static int readAndRelease(EmbeddedChannel channel) {
        Object msg = channel.readInbound();
        int size = ReadAheadLimiter.sizeOf(msg);
        ReferenceCountUtil.release(msg);
        return size;
    }
}
