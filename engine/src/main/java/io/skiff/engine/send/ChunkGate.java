package io.skiff.engine.send;

/**
 * Which chunks a relay can forward yet: those it has verified and written (cut-through, not
 * store-then-forward). A sender reading a finished source tree has no gate.
 */
public interface ChunkGate {
    /** Chunk {@code ordinal} is verified and on disk: it can be read and sent. */
    boolean ready(int ordinal);

    /** The relay's own transfer ended without the release: what is not ready never will be. */
    boolean abandoned();

    /**
     * Runs {@code wakeUp} (on any thread, once) when {@code ordinal} is ready or the gate is
     * abandoned; at once if it already is.
     */
    void whenReady(int ordinal, Runnable wakeUp);
}
