package io.skiff.protocol.frame;

import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Sha256;

import java.util.Arrays;

/**
 * A relay's report on one of its targets (by index in the {@link RelayFrame}): while sending, about
 * once a second (which also keeps the sender's connection from idling out while the relay works), then
 * once with the outcome.
 *
 * @param bytesWire        bytes the relay wrote to the target's socket so far, framing included
 * @param bytesDelivered   release bytes (raw, before compression) of the chunks sent so far: progress
 * @param bytesWanted      release bytes of the chunks the target asked for (raw); 0 until it has asked
 * @param millis           since the relay started on this target
 * @param baseId           the base the relay encoded against; null for none
 * @param chunksByEncoding chunk frames sent per {@link ChunkEncoding} (indexed by wire value)
 * @param bytesByEncoding  their payload bytes
 * @param code             null unless {@code state} is FAILED
 * @param auditHead        where the target's audit trail stood as it answered (protocol 4, with an outcome); null: none
 */
public record RelayStatusFrame(int index, State state, long bytesWire, long bytesDelivered, long bytesWanted, int chunksSent, int chunksCopiedLocally,
                               int chunksRefetched, long manifestBytes, long millis, int attempts, Sha256 baseId,
                               long[] chunksByEncoding, long[] bytesByEncoding, ErrorCode code, String message,
                               AuditHeadFrame auditHead) implements Frame {
    public enum State {
        SENDING(0), ACTIVATED(1), ALREADY_ACTIVE(2), FAILED(3);

        private final int wire;

        State(int wire) {
            this.wire = wire;
        }

        public int wire() {
            return wire;
        }

        public boolean finished() {
            return this != SENDING;
        }

        /** The state for a wire value, or null if unknown. */
        public static State fromWire(int wire) {
            for (State s : values()) {
                if (s.wire == wire) {
                    return s;
                }
            }
            return null;
        }
    }

    /** A report without an audit head (progress, or to a sender before protocol 4). */
    public RelayStatusFrame(int index, State state, long bytesWire, long bytesDelivered, long bytesWanted, int chunksSent, int chunksCopiedLocally,
                            int chunksRefetched, long manifestBytes, long millis, int attempts, Sha256 baseId,
                            long[] chunksByEncoding, long[] bytesByEncoding, ErrorCode code, String message) {
        this(index, state, bytesWire, bytesDelivered, bytesWanted, chunksSent, chunksCopiedLocally, chunksRefetched, manifestBytes, millis,
                attempts, baseId, chunksByEncoding, bytesByEncoding, code, message, null);
    }

    /** This report without its audit head: what a sender that said protocol 3 may be sent. */
    public RelayStatusFrame withoutAuditHead() {
        return auditHead == null ? this : new RelayStatusFrame(index, state, bytesWire, bytesDelivered, bytesWanted, chunksSent,
                chunksCopiedLocally, chunksRefetched, manifestBytes, millis, attempts, baseId, chunksByEncoding, bytesByEncoding, code, message);
    }

    public RelayStatusFrame {
        if (chunksByEncoding.length != ChunkEncoding.values().length || bytesByEncoding.length != ChunkEncoding.values().length) {
            throw new IllegalArgumentException("one count per chunk encoding");
        }
        message = message == null ? "" : message;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RelayStatusFrame r && index == r.index && state == r.state && bytesWire == r.bytesWire && bytesDelivered == r.bytesDelivered && bytesWanted == r.bytesWanted
                && chunksSent == r.chunksSent && chunksCopiedLocally == r.chunksCopiedLocally && chunksRefetched == r.chunksRefetched
                && manifestBytes == r.manifestBytes && millis == r.millis && attempts == r.attempts
                && java.util.Objects.equals(baseId, r.baseId) && Arrays.equals(chunksByEncoding, r.chunksByEncoding)
                && Arrays.equals(bytesByEncoding, r.bytesByEncoding) && code == r.code && message.equals(r.message)
                && java.util.Objects.equals(auditHead, r.auditHead);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(index, state, bytesWire, chunksSent, millis, code, message);
    }

    @Override
    public String toString() {
        return "RelayStatusFrame[index=" + index + ", state=" + state + ", bytesWire=" + bytesWire + ", chunksSent=" + chunksSent
                + ", code=" + code + ", message=" + message + "]";
    }

    @Override
    public FrameType type() {
        return FrameType.RELAY_STATUS;
    }
}
