package io.skiff.engine.receive;

import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.frame.ChunkFrame;
import io.skiff.protocol.frame.JoinFrame;

import java.util.concurrent.RejectedExecutionException;

/**
 * An extra stream of a push (JOIN frame): a connection whose CHUNK frames belong to the transfer another
 * session is receiving. Each chunk is handed to that session's thread and taken there as if it had come on
 * its own connection; the stream's read-ahead hears when it is done.
 */
final class StreamJoin {
    private final ReceiveSession joined;

    private StreamJoin(ReceiveSession joined) {
        this.joined = joined;
    }

    /**
     * Joins the transfer {@code j} names (in the tenant the peer's grant for the channel says: a stream
     * needs {@code push} as its first connection did); UNEXPECTED_FRAME when none of it is receiving chunks here.
     */
    static StreamJoin of(TransferRegistry transfers, JoinFrame j, Admission admission) {
        admission.admitPush(j.channel(), false);
        ReceiveSession session = transfers.toJoin(TransferRegistry.key(admission.tenant(), j.channel(), j.releaseId()));
        if (session == null) {
            throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME, "JOIN of " + j.channel() + " " + j.releaseId().shortHex()
                    + ": no transfer of it is receiving chunks here");
        }
        return new StreamJoin(session);
    }

    /**
     * Hands {@code chunk} to the joined session's thread (retaining it; released there). Returns whether it
     * was taken: false when this receiver is shutting down; then the caller still counts it done.
     */
    boolean pass(ChunkFrame chunk, ReadAheadLimiter streamReadAhead) {
        chunk.retain();
        try {
            joined.executor().execute(() -> {
                boolean handedOff = false;
                try {
                    handedOff = joined.takeFromStream(chunk, streamReadAhead);
                } finally {
                    if (!handedOff) {
                        streamReadAhead.processed(ReadAheadLimiter.sizeOf(chunk));
                    }
                    chunk.release();
                }
            });
        } catch (RejectedExecutionException e) {
            chunk.release();
            return false;
        }
        return true;
    }

    /** The joined transfer no longer takes chunks: this stream can close. */
    boolean over() {
        return joined.over();
    }
}
