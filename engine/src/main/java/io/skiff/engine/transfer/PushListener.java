package io.skiff.engine.transfer;

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

    /** One chunk of {@code rawBytes} was handed to the target's socket. */
    default void chunkSent(String target, int rawBytes) {
    }

    default void finished(TargetResult result) {
    }
}
