package io.skiff.engine.inspect;

import io.skiff.engine.api.GcReport;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.engine.store.StagingCollector;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes partial transfers nobody resumed from a receiver root: their staging tree, journal, and a
 * manifest no activated release needs ({@link StagingCollector} decides and removes).
 */
public final class AbandonedTransfers {
    private AbandonedTransfers() {
    }

    /** Removes (or with {@code dryRun} only lists) the transfers untouched for at least {@code olderThan} at {@code now}. */
    public static GcReport collect(Path root, Duration olderThan, boolean dryRun, Instant now) {
        ReleaseStore store = ReleaseStore.inspect(root);
        List<GcReport.Transfer> removed = new ArrayList<>();
        List<GcReport.Transfer> kept = new ArrayList<>();
        for (StagingCollector.Candidate c : StagingCollector.scan(store)) {
            boolean old = c.olderThan(olderThan, now);
            if (old && (dryRun || StagingCollector.remove(store, c, olderThan, now))) {
                removed.add(transfer(store, c, now));
            } else {
                kept.add(transfer(store, c, now));
            }
        }
        return new GcReport(store.root(), olderThan, dryRun, removed, kept);
    }

    private static GcReport.Transfer transfer(ReleaseStore store, StagingCollector.Candidate c, Instant now) {
        List<Path> paths = c.paths().stream().map(store.root()::relativize).toList();
        return new GcReport.Transfer(c.channel(), c.releaseId(), c.version(), paths, c.bytes(), c.age(now));
    }
}
