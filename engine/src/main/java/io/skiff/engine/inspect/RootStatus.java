package io.skiff.engine.inspect;

import io.skiff.engine.api.StatusReport;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.engine.store.StagingProgress;
import io.skiff.engine.store.TenantStores;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SkiffException;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a receiver root holds: per channel (untenanted, then each tenant's) its current release, retained
 * releases and partial transfers. Read-only.
 */
public final class RootStatus {
    private RootStatus() {
    }

    /**
     * Reads {@code root}; ages are measured at {@code now}.
     *
     * @param tenant only this tenant's channels; null for every channel
     * @throws io.skiff.protocol.UsageException when {@code root} is not a directory or {@code tenant} is not under it
     */
    public static StatusReport read(Path root, String tenant, Instant now) {
        List<StatusReport.Channel> channels = new ArrayList<>();
        List<TenantStores.Tenant> stores = TenantStores.inspect(root, tenant);
        for (TenantStores.Tenant t : stores) {
            for (String channel : t.store().channels()) {
                channels.add(channel(t, channel, now));
            }
        }
        return new StatusReport(root.toAbsolutePath().normalize(), channels);
    }

    private static StatusReport.Channel channel(TenantStores.Tenant t, String channel, Instant now) {
        ReleaseStore store = t.store();
        Optional<Sha256> current = store.current(channel);
        List<StatusReport.Release> releases = new ArrayList<>();
        for (Sha256 id : store.releases(channel)) {
            releases.add(release(store, channel, id, current.isPresent() && current.get().equals(id)));
        }
        List<StatusReport.Staging> staging = new ArrayList<>();
        for (Sha256 id : store.staging(channel)) {
            StagingProgress p = StagingProgress.of(store, channel, id);
            staging.add(new StatusReport.Staging(id, p.version(), p.bytesTotal(), p.bytesDone(), p.bytesMissing(),
                    p.percentDone(), p.chunksTotal(), p.chunksDone(), p.age(now)));
        }
        return new StatusReport.Channel(t.name(), channel, current.map(id -> release(store, channel, id, true)).orElse(null),
                releases, staging);
    }

    private static StatusReport.Release release(ReleaseStore store, String channel, Sha256 id, boolean current) {
        try {
            return new StatusReport.Release(id, store.loadManifest(channel, id).map(Manifest::version).orElse(null), null, current);
        } catch (SkiffException e) {
            return new StatusReport.Release(id, null, e.getMessage(), current);
        }
    }
}
