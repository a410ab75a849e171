package io.skiff.engine.inspect;

import io.skiff.engine.api.GcReport;
import io.skiff.engine.audit.Actor;
import io.skiff.engine.audit.AuditEvent;
import io.skiff.engine.audit.AuditTrail;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.engine.store.StagingCollector;
import io.skiff.engine.store.TenantStores;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes partial transfers nobody resumed from a receiver root (untenanted channels and every tenant's): their
 * staging tree, journal, and a manifest no activated release needs ({@link StagingCollector} decides and removes).
 */
public final class AbandonedTransfers {
    private AbandonedTransfers() {
    }

    /**
     * Removes (or with {@code dryRun} only lists) the transfers untouched for at least {@code olderThan} at {@code now}.
     *
     * @param tenant only this tenant's transfers; null for every channel's
     */
    public static GcReport collect(Path root, String tenant, Duration olderThan, boolean dryRun, Instant now) {
        Path top = root.toAbsolutePath().normalize();
        List<GcReport.Transfer> removed = new ArrayList<>();
        List<GcReport.Transfer> kept = new ArrayList<>();
        AuditTrail audit = null;
        for (TenantStores.Tenant t : TenantStores.inspect(root, tenant)) {
            ReleaseStore store = t.store();
            for (StagingCollector.Candidate c : StagingCollector.scan(store)) {
                boolean old = c.olderThan(olderThan, now);
                if (old && (dryRun || StagingCollector.remove(store, c, olderThan, now))) {
                    removed.add(transfer(top, t.name(), c, now));
                    if (!dryRun) { // an operator's removal, in the receiver's trail as its own are
                        audit = audit != null ? audit : AuditTrail.open(top.resolve(TenantStores.AUDIT_DIR));
                        audit.append(AuditEvent.of("gc", Actor.operator(), c.channel(), c.version(), c.releaseId().hex()).withTenant(t.name())
                                .withBytes(c.bytes()).withOutcome(AuditEvent.OK, "untouched for " + c.age(now).toSeconds() + " s"));
                    }
                } else {
                    kept.add(transfer(top, t.name(), c, now));
                }
            }
        }
        return new GcReport(top, olderThan, dryRun, removed, kept);
    }

    private static GcReport.Transfer transfer(Path root, String tenant, StagingCollector.Candidate c, Instant now) {
        List<Path> paths = c.paths().stream().map(root::relativize).toList();
        return new GcReport.Transfer(tenant, c.channel(), c.releaseId(), c.version(), paths, c.bytes(), c.age(now));
    }
}
