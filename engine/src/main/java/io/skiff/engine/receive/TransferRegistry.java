package io.skiff.engine.receive;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The transfers one receiver is running, by "[tenant/]channel/release-id": which are in flight (a second push
 * of the same release gets BUSY) and which are receiving chunks now (extra streams of a push JOIN
 * those). Shared by every session of the receiver; thread-safe.
 */
final class TransferRegistry {
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final Map<String, ReceiveSession> joinable = new ConcurrentHashMap<>();

    /** The key of a release of a channel, as the registry and JOIN frames name it. */
    static String key(String tenant, String channel, io.skiff.protocol.Sha256 releaseId) {
        return (tenant == null ? "" : tenant + "/") + channel + "/" + releaseId.hex();
    }

    /** Claims {@code key}; false: another session is receiving that release. */
    boolean tryBegin(String key) {
        return inFlight.add(key);
    }

    void end(String key) {
        inFlight.remove(key);
    }

    void joinable(String key, ReceiveSession session) {
        joinable.put(key, session);
    }

    void notJoinable(String key, ReceiveSession session) {
        joinable.remove(key, session);
    }

    /** The session receiving {@code key} that an extra stream can join, or null. */
    ReceiveSession toJoin(String key) {
        return joinable.get(key);
    }

    /** A snapshot of the keys in flight (a cut transfer stays until its chunks are journaled). */
    Set<String> inProgress() {
        return Set.copyOf(inFlight);
    }
}
