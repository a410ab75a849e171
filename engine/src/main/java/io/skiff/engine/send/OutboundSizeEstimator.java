package io.skiff.engine.send;

import io.netty.channel.DefaultMessageSizeEstimator;
import io.netty.channel.FileRegion;
import io.netty.channel.MessageSizeEstimator;

/**
 * Sizes outbound messages for a connection's write-buffer water marks, counting a {@link FileRegion}
 * as the bytes it will send. Netty's default counts a region as 0 bytes, so zero-copy chunks never made
 * a sending connection unwritable: a session queued every chunk of its release in the outbound buffer
 * (heap per chunk, and chunks prepared on an encoder thread, such as compressibility probes, behind all
 * of them, so the receiver held every segment of the file open waiting for them).
 */
public final class OutboundSizeEstimator implements MessageSizeEstimator {
    public static final OutboundSizeEstimator INSTANCE = new OutboundSizeEstimator();

    private static final Handle DEFAULT = DefaultMessageSizeEstimator.DEFAULT.newHandle();
    private static final Handle HANDLE = msg -> msg instanceof FileRegion region
            ? (int) Math.min(Integer.MAX_VALUE, region.count())
            : DEFAULT.size(msg);

    private OutboundSizeEstimator() {
    }

    @Override
    public Handle newHandle() {
        return HANDLE;
    }
}
