package io.skiff.engine.api;

import io.skiff.protocol.Sha256;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a garbage collection of abandoned partial transfers removed (or, on a dry run, would remove).
 *
 * @param root    the receiver root, absolute and normalized
 * @param removed transfers untouched for at least the threshold, removed (or to be removed)
 * @param kept    transfers written to within the threshold, or touched again before their removal
 */
public record GcReport(Path root, Duration olderThan, boolean dryRun, List<Transfer> removed, List<Transfer> kept) {
    public GcReport {
        removed = List.copyOf(removed);
        kept = List.copyOf(kept);
    }

    /**
     * A partial transfer in {@code staging/}.
     *
     * @param tenant  the tenant whose channel it is; null for an untenanted one
     * @param version null when its manifest is gone
     * @param paths   what removing it deletes, relative to the root
     * @param bytes   apparent size of those files (a sparse staging file counts its full length)
     * @param age     time since its staging tree or journal was last written
     */
    public record Transfer(String tenant, String channel, Sha256 releaseId, String version, List<Path> paths, long bytes, Duration age) {
        public Transfer {
            paths = List.copyOf(paths);
        }

        /** {@code tenant/channel}, or the channel alone when untenanted. */
        public String qualifiedName() {
            return tenant == null ? channel : tenant + "/" + channel;
        }
    }

    /** Bytes of the removed transfers. */
    public long bytesReclaimed() {
        return removed.stream().mapToLong(Transfer::bytes).sum();
    }
}
