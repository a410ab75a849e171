package io.skiff.engine.api;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How to run an origin that followers pull releases from.
 *
 * @param root                a receiver root or a sender's history: {@code ROOT/<channel>/current}, {@code releases/}
 * @param idleTimeout         a follower silent this long is dropped; a waiting one is answered after at most this long
 * @param name                the name it gives itself in its handshake
 * @param maxWaitingFollowers followers kept waiting for a new release at once; one more is answered busy
 */
public record OriginConfig(HostPort listen, Path root, Duration idleTimeout, String name, int maxWaitingFollowers) {
    /** The default of {@link #maxWaitingFollowers}. */
    public static final int DEFAULT_MAX_WAITING_FOLLOWERS = 10_000;
}
