package io.skiff.engine.receive;

import io.skiff.engine.api.ReceiverLimits;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.SkiffException;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * The receiver-wide heap for manifests of transfers in progress ({@link ReceiverLimits#manifestBudgetBytes}).
 * A session reserves its manifest's charge at OFFER, from the length the offer states and before anything is
 * allocated or read from disk, and gives it back when its transfer ends. Without it, a few offers of valid,
 * highly compressible manifests (kilobytes on the wire, hundreds of MiB decoded) exhaust the heap. One peer
 * address holds at most half, so one peer cannot keep the others out.
 */
final class ManifestBudget {
    private final long total;
    private long used;
    private final Map<InetAddress, Long> usedByAddress = new HashMap<>();

    ManifestBudget(long total) {
        this.total = total;
    }

    /** What holding a manifest of {@code manifestBytes} costs. */
    static long charge(long manifestBytes) {
        return ReceiverLimits.MANIFEST_CHARGE * manifestBytes;
    }

    /**
     * Reserves the charge of a manifest of {@code manifestBytes} for {@code address}.
     *
     * @throws ProtocolException MANIFEST_INVALID when it could never fit (larger than a peer's half)
     * @throws SkiffException    BUSY when it does not fit now: the sender retries once transfers end
     */
    synchronized Reservation reserve(InetAddress address, long manifestBytes) {
        long charge = charge(manifestBytes);
        if (charge > total / 2) {
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "manifest of " + manifestBytes + " bytes exceeds this receiver's limit of "
                    + total / 2 / ReceiverLimits.MANIFEST_CHARGE + " (a sixth of its manifest budget, --manifest-budget)");
        }
        long byAddress = usedByAddress.getOrDefault(address, 0L);
        if (used + charge > total || byAddress + charge > total / 2) {
            throw new SkiffException(ErrorCode.BUSY, "this receiver's manifest budget is in use (" + mib(used) + " of " + mib(total)
                    + " MiB, " + mib(byAddress) + " MiB by " + address.getHostAddress() + "); a manifest of " + manifestBytes
                    + " bytes needs " + mib(charge) + " MiB more");
        }
        used += charge;
        usedByAddress.put(address, byAddress + charge);
        return new Reservation(address, charge);
    }

    synchronized long used() {
        return used;
    }

    private synchronized void release(InetAddress address, long charge) {
        used -= charge;
        usedByAddress.merge(address, -charge, (a, b) -> a + b == 0 ? null : a + b);
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f", bytes / (1024.0 * 1024.0));
    }

    /** One session's share; {@link #close} gives it back (once). */
    final class Reservation implements AutoCloseable {
        private final InetAddress address;
        private final long charge;
        private boolean closed;

        private Reservation(InetAddress address, long charge) {
            this.address = address;
            this.charge = charge;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                release(address, charge);
            }
        }
    }
}
