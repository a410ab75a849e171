package io.skiff.engine.send;

import io.skiff.engine.api.TargetResult;
import io.skiff.engine.encode.FileRegionChunk;
import io.skiff.engine.transport.WireByteCounter;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.frame.ChunkEncoding;
import io.skiff.protocol.frame.ChunkFrame;

import java.util.EnumMap;

/**
 * What one push session has sent to its target: chunks and payload bytes per encoding, chunks sent
 * again, manifest bytes, and (from the {@link WireByteCounter} on its connections) every byte on the
 * wire; turned into the {@link TargetResult} the session completes with. Event loop only.
 */
final class TransferCounters {
    private final String target;
    private final int chunkCount;
    private final WireByteCounter wire;
    private final long startNanos = System.nanoTime();
    private final long[] chunksByEncoding = new long[ChunkEncoding.values().length];
    private final long[] bytesByEncoding = new long[ChunkEncoding.values().length];
    private int chunksSent;
    private int chunksRefetched;
    private long manifestBytes;

    /** @param chunkCount the manifest's chunks, which every result reports */
    TransferCounters(String target, int chunkCount, WireByteCounter wire) {
        this.target = target;
        this.chunkCount = chunkCount;
        this.wire = wire;
    }

    /**
     * Counts a prepared chunk (a {@link ChunkFrame} or a {@link FileRegionChunk}, one chunk or a run)
     * as it is written; returns its raw bytes. A region's payload is its raw bytes; a frame's is what it carries.
     */
    int chunkWritten(Object prepared) {
        if (prepared instanceof FileRegionChunk zeroCopy) {
            count(ChunkEncoding.RAW, zeroCopy.chunks(), zeroCopy.rawLength());
            chunksSent += zeroCopy.chunks();
            return zeroCopy.rawLength();
        }
        ChunkFrame chunk = (ChunkFrame) prepared;
        count(chunk.encoding(), 1, chunk.payload().readableBytes());
        chunksSent++;
        return chunk.rawLength();
    }

    void refetched(int chunks) {
        chunksRefetched += chunks;
    }

    int chunksRefetched() {
        return chunksRefetched;
    }

    void manifestSent(long bytes) {
        manifestBytes = bytes;
    }

    long manifestBytes() {
        return manifestBytes;
    }

    /** @param baseId the delta base the chunks were encoded against; null for none (or not chosen yet) */
    TargetResult activated(boolean alreadyActive, int copiedLocally, Sha256 baseId) {
        return new TargetResult(target, true, alreadyActive, wire.bytesWritten(), elapsedSeconds(),
                chunkCount, chunksSent, copiedLocally, null, null, details(baseId));
    }

    TargetResult failed(ErrorCode code, String message, Sha256 baseId) {
        return new TargetResult(target, false, false, wire.bytesWritten(), elapsedSeconds(),
                chunkCount, chunksSent, 0, code, message, details(baseId));
    }

    private void count(ChunkEncoding encoding, int chunks, long payloadBytes) {
        chunksByEncoding[encoding.ordinal()] += chunks;
        bytesByEncoding[encoding.ordinal()] += payloadBytes;
    }

    private TargetResult.Delta details(Sha256 baseId) {
        EnumMap<ChunkEncoding, TargetResult.EncodingCount> byEncoding = new EnumMap<>(ChunkEncoding.class);
        for (ChunkEncoding e : ChunkEncoding.values()) {
            byEncoding.put(e, new TargetResult.EncodingCount(chunksByEncoding[e.ordinal()], bytesByEncoding[e.ordinal()]));
        }
        return new TargetResult.Delta(baseId, manifestBytes, chunksRefetched, byEncoding);
    }

    private double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
