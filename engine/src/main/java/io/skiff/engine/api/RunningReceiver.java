package io.skiff.engine.api;

import java.nio.file.Path;
import java.util.Set;

/** A receiver started by the facade: where it keeps releases, and what it is receiving. */
public interface RunningReceiver extends RunningServer {
    /** Its receiver root, absolute and normalized. */
    Path root();

    /** Releases being received right now, as {@code channel/release-id} (hex). */
    Set<String> transfersInProgress();
}
