package io.skiff.bench.e2e;

/** A tool failed, timed out, or its output could not be read: the benchmark stops, with this one-line reason. */
final class RunFailedException extends Exception {
    RunFailedException(String message) {
        super(message);
    }

    RunFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
