package io.skiff.engine.api;

/** A node listening on a port until closed: a receiver, or an origin followers pull from. */
public interface RunningServer extends AutoCloseable {
    /** The port it listens on (the bound one, when started on port 0). */
    int port();

    /**
     * Reads its TLS key files again now (what SIGHUP does; changed files are also picked up by themselves
     * on the next connection). False when it speaks plaintext, or the new files did not load and the
     * current ones stay in use.
     */
    boolean reloadTls();

    /** Blocks until it is closed. */
    void awaitClose() throws InterruptedException;

    /** Stops listening and releases its resources; idempotent. */
    @Override
    void close();
}
