package io.skiff.engine.transport;

import java.net.SocketAddress;

/** Told of each connection a server refused before any session began (TLS, connection caps): e.g. to audit them. */
@FunctionalInterface
public interface ConnectionRefusals {
    /** {@code address} was refused for {@code reason} (an error code's label, then why); called on an event loop: must not block long. */
    void refused(SocketAddress address, String reason);
}
