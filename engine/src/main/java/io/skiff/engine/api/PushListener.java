package io.skiff.engine.api;

import io.skiff.protocol.Manifest;

/** Progress callbacks of a push, called from I/O threads: implementations must be quick and thread-safe. */
public interface PushListener {
    PushListener NONE = new PushListener() {
    };

    default void manifestBuilt(Manifest manifest, double seconds) {
    }

    /** The target asked for {@code chunksWanted} chunks holding {@code bytesWanted} raw bytes. */
    default void planned(String target, int chunksWanted, long bytesWanted) {
    }

    /** The target's relay reports that the target asked for chunks holding {@code bytesWanted} raw bytes. */
    default void plannedByRelay(String target, String relay, long bytesWanted) {
    }

    /** One chunk of {@code rawBytes} was handed to the target's socket. */
    default void chunkSent(String target, int rawBytes) {
    }

    /** An attempt failed in a way a new connection may fix; the next starts after {@code wait}. */
    default void retrying(String target, int failedAttempt, java.time.Duration wait, TargetResult failed) {
    }

    /** The target's final result, after every attempt. */
    default void finished(TargetResult result) {
    }
}
