package io.skiff.engine.receive;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.frame.ChunkEncoding;
import io.skiff.protocol.frame.ChunkFrame;
import io.skiff.protocol.frame.CommitFrame;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class ChunkBatcherTest {
    private static ChunkFrame chunk(int ordinal) {
        return new ChunkFrame(ordinal, ChunkEncoding.RAW, 3, Unpooled.wrappedBuffer(new byte[]{1, 2, 3}));
    }

    private static List<Integer> ordinals(Object msg) {
        List<Integer> ordinals = new ArrayList<>();
        for (ChunkFrame c : assertInstanceOf(ChunkBatcher.ChunkBatch.class, msg).chunks()) {
            ordinals.add(c.ordinal());
        }
        return ordinals;
    }

    @Test
    void shouldPassTheChunksOfOneReadBurstOnAsOneBatchInOrder() {
        EmbeddedChannel channel = new EmbeddedChannel(new ChunkBatcher());
        channel.pipeline().fireChannelRead(chunk(4)).fireChannelRead(chunk(5)).fireChannelRead(chunk(9));
        assertNull(channel.readInbound(), "nothing passes on before the burst ends");
        channel.pipeline().fireChannelReadComplete();
        Object batch = channel.readInbound();
        assertEquals(List.of(4, 5, 9), ordinals(batch));
        assertNull(channel.readInbound());
        ((ChunkBatcher.ChunkBatch) batch).chunks().forEach(ChunkFrame::release);
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldPassPendingChunksOnBeforeAnyOtherFrameAndAOneChunkBatchAsTheChunk() {
        EmbeddedChannel channel = new EmbeddedChannel(new ChunkBatcher());
        CommitFrame commit = new CommitFrame(Sha256.of(new byte[Sha256.BYTES]));
        channel.pipeline().fireChannelRead(chunk(1)).fireChannelRead(chunk(2)).fireChannelRead(commit).fireChannelRead(chunk(3));
        channel.pipeline().fireChannelReadComplete();
        Object first = channel.readInbound();
        assertEquals(List.of(1, 2), ordinals(first));
        assertSame(commit, channel.readInbound());
        ChunkFrame last = assertInstanceOf(ChunkFrame.class, channel.readInbound(), "a batch of one is the chunk itself");
        assertEquals(3, last.ordinal());
        ((ChunkBatcher.ChunkBatch) first).chunks().forEach(ChunkFrame::release);
        last.release();
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldPassAFullBatchOnWithoutWaitingForTheEndOfTheBurst() {
        EmbeddedChannel channel = new EmbeddedChannel(new ChunkBatcher());
        for (int i = 0; i < ChunkBatcher.MAX_BATCH + 1; i++) {
            channel.pipeline().fireChannelRead(chunk(i));
        }
        Object full = channel.readInbound();
        assertEquals(ChunkBatcher.MAX_BATCH, ordinals(full).size());
        assertNull(channel.readInbound());
        channel.pipeline().fireChannelInactive(); // the connection ends: what arrived whole is passed on
        assertEquals(ChunkBatcher.MAX_BATCH, assertInstanceOf(ChunkFrame.class, channel.readInbound()).ordinal());
        ((ChunkBatcher.ChunkBatch) full).chunks().forEach(ChunkFrame::release);
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldReleaseChunksStillPendingWhenRemoved() {
        EmbeddedChannel channel = new EmbeddedChannel(new ChunkBatcher());
        ChunkFrame a = chunk(1);
        ChunkFrame b = chunk(2);
        channel.pipeline().fireChannelRead(a).fireChannelRead(b);
        channel.pipeline().removeFirst();
        assertEquals(0, a.refCnt());
        assertEquals(0, b.refCnt());
        channel.finishAndReleaseAll();
    }
}
