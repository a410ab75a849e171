package io.skiff.engine.receive;

import io.skiff.engine.audit.Actor;
import io.skiff.engine.audit.AuditEvent;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.engine.transport.ConnectionRefusals;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Connections refused before any session (a failed TLS handshake, plaintext to a TLS receiver, a connection
 * cap) as {@code connect-refused} records in the audit trail. A scanner must not flood the trail or stall an
 * event loop on fsyncs: one record per address per {@value #QUIET_SECONDS} s (saying how many it stands for),
 * written by one thread of its own from a bounded queue.
 */
final class RefusalAudit implements ConnectionRefusals, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RefusalAudit.class);
    static final long QUIET_SECONDS = 60;
    /** Most addresses tracked at once: past it, the quiet ones are forgotten, so a flood from many addresses cannot grow the map. */
    private static final int MAX_ADDRESSES = 10_000;

    private final ReleaseStore store;
    /** Per address: when its last record was written, and refusals since. */
    private final Map<String, long[]> recent = new ConcurrentHashMap<>();
    private final AtomicLong dropped = new AtomicLong();
    private final ThreadPoolExecutor writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1000), r -> {
        Thread t = new Thread(r, "skiff-audit-refusals");
        t.setDaemon(true);
        return t;
    }, (task, pool) -> dropped.incrementAndGet());

    /** Records into {@code store}'s trail (the untenanted store: a refused connection has no tenant). */
    RefusalAudit(ReleaseStore store) {
        this.store = store;
    }

    @Override
    public void refused(SocketAddress address, String reason) {
        String host = address instanceof InetSocketAddress a && a.getAddress() != null ? a.getAddress().getHostAddress() : String.valueOf(address);
        long now = System.nanoTime();
        if (recent.size() >= MAX_ADDRESSES) {
            recent.values().removeIf(st -> now - st[0] >= TimeUnit.SECONDS.toNanos(QUIET_SECONDS));
        }
        long[] state = recent.computeIfAbsent(host, h -> new long[]{now - TimeUnit.SECONDS.toNanos(QUIET_SECONDS + 1), 0});
        long count;
        synchronized (state) {
            state[1]++;
            if (now - state[0] < TimeUnit.SECONDS.toNanos(QUIET_SECONDS)) {
                return; // counted in the next record of this address
            }
            state[0] = now;
            count = state[1];
            state[1] = 0;
        }
        String why = reason + (count > 1 ? " (" + count + " refusals since the last record of this address)" : "");
        writer.execute(() -> {
            try {
                store.record(AuditEvent.of("connect-refused", new Actor("unauthenticated", host), null, null, null)
                        .withOutcome(AuditEvent.REFUSED, why));
            } catch (RuntimeException e) {
                LOG.error("could not record a refused connection from {} in the audit trail: {}", host, e.getMessage());
            }
        });
    }

    /** Refusals not recorded because the queue was full (a flood). */
    long dropped() {
        return dropped.get();
    }

    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
