package io.skiff.engine.api;

import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.frame.ChunkEncoding;

import java.util.Map;

/**
 * How one target's push ended.
 *
 * @param activated      the target's current release is now the pushed one
 * @param alreadyActive  it already was: only the handshake crossed the wire
 * @param bytesWire      bytes the sender wrote to this target's socket, framing included
 * @param chunksTotal    chunks in the manifest
 * @param chunksSent     chunk frames sent: the chunks the target asked for, plus any it asked for again
 * @param chunksCopiedLocally chunks the target found on its own disk
 * @param error          null when activated; otherwise a one-line reason with {@code code}
 * @param delta          what the bytes were (of the last attempt): base, manifest, chunks by encoding
 * @param attempts       connections it took (1 without a retry); bytesWire and seconds cover all of them
 * @param region         the target's region in the topology; {@link Topology#NO_REGION} for none
 * @param route          how the release reached it
 * @param via            the relay it came through ({@link Route#RELAYED}), or the relay that failed
 *                       before the sender pushed to it directly ({@link Route#FALLBACK}); else null
 * @param auditHead      where the target's audit trail stood as it answered (activated, or refused what it recorded);
 *                       null when it did not say (an older receiver, a cut, a target a relay pushed)
 */
public record TargetResult(String target, boolean activated, boolean alreadyActive, long bytesWire,
                           double seconds, int chunksTotal, int chunksSent, int chunksCopiedLocally,
                           ErrorCode code, String error, Delta delta, int attempts, String region, Route route, String via,
                           AuditAnchor auditHead) {
    /** How a target got the release. bytesWire of a RELAYED target left its relay, not the sender. */
    public enum Route {
        /** pushed by the sender */
        DIRECT,
        /** pushed by the sender, and forwarded by this target to the rest of its region */
        RELAY,
        /** pushed by its region's relay */
        RELAYED,
        /** pushed by the sender after the region's relay failed */
        FALLBACK
    }

    public TargetResult(String target, boolean activated, boolean alreadyActive, long bytesWire, double seconds, int chunksTotal,
                        int chunksSent, int chunksCopiedLocally, ErrorCode code, String error, Delta delta, int attempts) {
        this(target, activated, alreadyActive, bytesWire, seconds, chunksTotal, chunksSent, chunksCopiedLocally, code, error, delta,
                attempts, Topology.NO_REGION, Route.DIRECT, null, null);
    }

    public TargetResult(String target, boolean activated, boolean alreadyActive, long bytesWire, double seconds, int chunksTotal,
                        int chunksSent, int chunksCopiedLocally, ErrorCode code, String error, Delta delta, int attempts, String region,
                        Route route, String via) {
        this(target, activated, alreadyActive, bytesWire, seconds, chunksTotal, chunksSent, chunksCopiedLocally, code, error, delta,
                attempts, region, route, via, null);
    }

    public TargetResult(String target, boolean activated, boolean alreadyActive, long bytesWire, double seconds, int chunksTotal,
                        int chunksSent, int chunksCopiedLocally, ErrorCode code, String error, Delta delta) {
        this(target, activated, alreadyActive, bytesWire, seconds, chunksTotal, chunksSent, chunksCopiedLocally, code, error, delta, 1);
    }

    /** This last attempt's result as the outcome of {@code attempts} attempts. */
    public TargetResult afterAttempts(int attempts, long totalBytesWire, double totalSeconds) {
        return new TargetResult(target, activated, alreadyActive, totalBytesWire, totalSeconds, chunksTotal, chunksSent,
                chunksCopiedLocally, code, error, delta, attempts, region, route, via, auditHead);
    }

    /** This result as reached through {@code route} in {@code region}. */
    public TargetResult routed(String region, Route route, String via) {
        return new TargetResult(target, activated, alreadyActive, bytesWire, seconds, chunksTotal, chunksSent, chunksCopiedLocally,
                code, error, delta, attempts, region, route, via, auditHead);
    }

    /** This result with the target's audit head (null: none said). */
    public TargetResult withAuditHead(AuditAnchor head) {
        return new TargetResult(target, activated, alreadyActive, bytesWire, seconds, chunksTotal, chunksSent, chunksCopiedLocally,
                code, error, delta, attempts, region, route, via, head);
    }

    /** Whether its bytes left the sender (not a relay). */
    public boolean fromSender() {
        return route != Route.RELAYED;
    }

    /** Chunks sent in one encoding and their payload bytes (frame headers not included). */
    public record EncodingCount(long chunks, long bytes) {
    }

    /**
     * @param base            the release the target held that chunks were encoded against; null for none
     * @param manifestBytes   encoded manifest bytes sent (0 when the target knew it)
     * @param chunksRefetched chunks the target could not decode with their reference, sent again
     */
    public record Delta(Sha256 base, long manifestBytes, int chunksRefetched, Map<ChunkEncoding, EncodingCount> encodings) {
        public Delta {
            encodings = Map.copyOf(encodings);
        }

        /**
         * Chunks sent per encoding, by its lower-case name ({@code raw}, {@code zstd}, {@code zstd_ref}),
         * in the encodings' wire order (a {@link java.util.LinkedHashMap}: iterate it for output).
         */
        public Map<String, EncodingCount> byEncodingName() {
            java.util.LinkedHashMap<String, EncodingCount> named = new java.util.LinkedHashMap<>();
            for (ChunkEncoding e : ChunkEncoding.values()) {
                named.put(e.name().toLowerCase(java.util.Locale.ROOT), encodings.getOrDefault(e, new EncodingCount(0, 0)));
            }
            return named;
        }

        public static Delta none() {
            Map<ChunkEncoding, EncodingCount> zero = new java.util.EnumMap<>(ChunkEncoding.class);
            for (ChunkEncoding e : ChunkEncoding.values()) {
                zero.put(e, new EncodingCount(0, 0));
            }
            return new Delta(null, 0, 0, zero);
        }
    }

    public String status() {
        return activated ? "activated" : code == ErrorCode.SMOKE_FAILED ? "rolled_back" : code == null ? "skipped" : "failed";
    }
}
