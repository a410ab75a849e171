package io.skiff.engine.audit;

import java.util.Objects;

/**
 * Who an audit record attributes an action to: a peer's certificate identity (with its address), or
 * the receiver itself, or an operator's command on the server.
 *
 * @param who     a certificate identity; {@link #PLAINTEXT} for a peer without one (loopback, --insecure);
 *                {@link #RECEIVER} or {@link #OPERATOR}
 * @param address the peer's address; null when no connection was involved
 */
public record Actor(String who, String address) {
    public static final String PLAINTEXT = "plaintext";
    public static final String RECEIVER = "receiver";
    public static final String OPERATOR = "operator";

    public Actor {
        Objects.requireNonNull(who, "who");
    }

    /** A peer: its identity, or {@link #PLAINTEXT} when it has none. */
    public static Actor peer(String identity, String address) {
        return new Actor(identity == null ? PLAINTEXT : identity, address);
    }

    /** The receiver's own housekeeping (startup recovery, pruning, making room). */
    public static Actor receiver() {
        return new Actor(RECEIVER, null);
    }

    /** A command an operator ran on the server ({@code skiff gc}, {@code skiff rollback}). */
    public static Actor operator() {
        return new Actor(OPERATOR, null);
    }
}
