package io.skiff.engine.api;

/**
 * What one receiver gives its peers at most, whatever they send: set by its operator, not by the peers.
 *
 * @param manifestBudgetBytes      heap for the manifests of transfers in progress, all peers together: a manifest of
 *                                 N bytes holds {@value #MANIFEST_CHARGE} N of it (its canonical bytes, the decoded
 *                                 chunk table, the compressed parts while they arrive) from OFFER until its transfer
 *                                 ends; one peer address holds at most half, so the largest manifest is a sixth of it
 *                                 (the default 64 MiB: ~10 MiB, a release of ~19 GiB at 64 KiB chunks).
 *                                 An offer that does not fit now is answered BUSY (the sender retries later)
 * @param maxConnections           accepted connections open at once; more are closed right after accept
 * @param maxConnectionsPerAddress accepted connections open at once from one peer address
 * @param diskReserveBytes         disk space staging never takes: a transfer starts only if the root's file system
 *                                 has what the release still needs, plus what transfers in progress still need,
 *                                 plus this, usable (abandoned partial transfers of other channels are removed,
 *                                 oldest first, to make room); else it is refused before anything is written
 */
public record ReceiverLimits(long manifestBudgetBytes, int maxConnections, int maxConnectionsPerAddress, long diskReserveBytes) {
    /** How many bytes of the budget each byte of a manifest holds. */
    public static final int MANIFEST_CHARGE = 3;
    public static final long DEFAULT_MANIFEST_BUDGET_BYTES = 64L * 1024 * 1024;
    public static final int DEFAULT_MAX_CONNECTIONS = 1024;
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 64;
    public static final long DEFAULT_DISK_RESERVE_BYTES = 64L * 1024 * 1024;
    public static final ReceiverLimits DEFAULTS = new ReceiverLimits(DEFAULT_MANIFEST_BUDGET_BYTES, DEFAULT_MAX_CONNECTIONS,
            DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, DEFAULT_DISK_RESERVE_BYTES);

    public ReceiverLimits {
        if (manifestBudgetBytes < 1024 || maxConnections < 1 || maxConnectionsPerAddress < 1 || diskReserveBytes < 0) {
            throw new IllegalArgumentException("manifestBudgetBytes=" + manifestBudgetBytes + " maxConnections=" + maxConnections
                    + " maxConnectionsPerAddress=" + maxConnectionsPerAddress + " diskReserveBytes=" + diskReserveBytes);
        }
    }

    /** The largest manifest one peer may send: its charge fits in the half of the budget one address may hold. */
    public long maxManifestBytes() {
        return manifestBudgetBytes / 2 / MANIFEST_CHARGE;
    }

    public ReceiverLimits withManifestBudget(long bytes) {
        return new ReceiverLimits(bytes, maxConnections, maxConnectionsPerAddress, diskReserveBytes);
    }

    public ReceiverLimits withConnections(int total, int perAddress) {
        return new ReceiverLimits(manifestBudgetBytes, total, perAddress, diskReserveBytes);
    }

    public ReceiverLimits withDiskReserve(long bytes) {
        return new ReceiverLimits(manifestBudgetBytes, maxConnections, maxConnectionsPerAddress, bytes);
    }
}
