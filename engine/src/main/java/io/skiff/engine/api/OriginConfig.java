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
 * @param tls                 the origin's key material: followers connect with mutual TLS; null: plaintext (loopback only)
 * @param grants              the grants file: which identities may follow which channel, under which tenant; null: any
 */
public record OriginConfig(HostPort listen, Path root, Duration idleTimeout, String name, int maxWaitingFollowers,
                           TlsFiles tls, Path grants) {
    /** The default of {@link #maxWaitingFollowers}. */
    public static final int DEFAULT_MAX_WAITING_FOLLOWERS = 10_000;

    /** A plaintext origin without grants (loopback, tests). */
    public static OriginConfig plaintext(HostPort listen, Path root, Duration idleTimeout, String name, int maxWaitingFollowers) {
        return new OriginConfig(listen, root, idleTimeout, name, maxWaitingFollowers, null, null);
    }
}
