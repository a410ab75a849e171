package io.skiff.engine.transport;

import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps on accepted connections open at once, in total and per peer address, checked right after accept,
 * before any handshake work: a connection over a cap is closed at once (the sender sees a cut and retries
 * with backoff). The refusals are logged once per address while over, not once per connection.
 */
public final class ConnectionLimits {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimits.class);

    private final int total;
    private final int perAddress;
    private final AtomicInteger open = new AtomicInteger();
    /** Open connections per address; an address leaves the map with its last connection. */
    private final ConcurrentHashMap<InetAddress, Integer> openByAddress = new ConcurrentHashMap<>();
    /** Most addresses remembered as refused: past it they are forgotten (a flood from many addresses logs again, memory stays bounded). */
    private static final int MAX_REMEMBERED = 10_000;
    /** Addresses refused since they were last under their cap: logged once each. */
    private final java.util.Set<InetAddress> refusing = ConcurrentHashMap.newKeySet();

    private final ConnectionRefusals refusals;

    /** {@code refusals} hears of the first refusal of an address while it is over its cap (as the log does). */
    public ConnectionLimits(int total, int perAddress, ConnectionRefusals refusals) {
        this.total = total;
        this.perAddress = perAddress;
        this.refusals = refusals;
    }

    /** Counts {@code ch} until it closes, or returns false (and counts nothing) when a cap is reached. */
    public boolean admit(Channel ch) {
        java.net.SocketAddress remote = ch.remoteAddress();
        InetAddress address = ch.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        if (open.incrementAndGet() > total) {
            open.decrementAndGet();
            refuse(remote, address, total + " connections open, this receiver's maximum (--max-connections)");
            return false;
        }
        if (address != null && !takeFrom(address)) {
            open.decrementAndGet();
            refuse(remote, address, perAddress + " connections open from it, the maximum per address (--max-connections-per-address)");
            return false;
        }
        if (address != null) {
            refusing.remove(address);
        }
        ch.closeFuture().addListener(f -> {
            open.decrementAndGet();
            if (address != null) {
                openByAddress.computeIfPresent(address, (a, n) -> n == 1 ? null : n - 1);
            }
        });
        return true;
    }

    private boolean takeFrom(InetAddress address) {
        boolean[] taken = {false};
        openByAddress.compute(address, (a, n) -> {
            int now = n == null ? 0 : n;
            if (now >= perAddress) {
                return n;
            }
            taken[0] = true;
            return now + 1;
        });
        return taken[0];
    }

    /** Accepted connections open now. */
    public int open() {
        return open.get();
    }

    private void refuse(java.net.SocketAddress remote, InetAddress address, String why) {
        if (refusing.size() >= MAX_REMEMBERED) {
            refusing.clear();
        }
        if (address == null || refusing.add(address)) {
            LOG.warn("closing connections from {}: {}", address == null ? "?" : address.getHostAddress(), why);
            refusals.refused(remote, "busy: " + why);
        }
    }
}
