package io.skiff.engine.api;

import java.time.Duration;
import java.util.Objects;

/**
 * A command a receiver runs after switching a release in ({@code receive --smoke-cmd}): through
 * {@code sh -c}, with {@code SKIFF_RELEASE_DIR}, {@code SKIFF_CHANNEL}, {@code SKIFF_VERSION} and
 * {@code SKIFF_PREVIOUS_DIR} (empty for a channel's first release) set. Exit 0 within {@code timeout}
 * keeps the release; anything else switches back to the previous one at once.
 */
public record SmokeTest(String command, Duration timeout) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    public SmokeTest {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(timeout, "timeout");
        if (command.isBlank() || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("smoke command '" + command + "' timeout " + timeout);
        }
    }
}
