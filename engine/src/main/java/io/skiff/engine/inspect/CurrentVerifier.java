package io.skiff.engine.inspect;

import io.skiff.engine.api.VerifyReport;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.engine.store.ReleaseVerifier;
import io.skiff.engine.store.TenantStores;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.UsageException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Re-hashes the current release of each channel of a receiver root (untenanted, then each tenant's), or of
 * one tenant's, or of one channel, against its manifest.
 */
public final class CurrentVerifier {
    private CurrentVerifier() {
    }

    /**
     * @param tenant  only this tenant's channels; null for every channel
     * @param channel only this channel; null for all. {@code TENANT/CHANNEL} names a tenant's channel (as does
     *                {@code tenant} with the bare channel name); a bare name is an untenanted channel unless
     *                {@code tenant} is given. A channel without a current release is skipped.
     * @throws UsageException when {@code root} is not a directory, or the tenant or channel is not under it
     */
    public static VerifyReport verify(Path root, String tenant, String channel) {
        if (channel != null && channel.indexOf('/') >= 0) {
            String named = channel.substring(0, channel.indexOf('/'));
            if (tenant != null && !tenant.equals(named)) {
                throw new UsageException("channel " + channel + " is not tenant " + tenant + "'s");
            }
            tenant = named;
            channel = channel.substring(channel.indexOf('/') + 1);
        }
        List<TenantStores.Tenant> stores = TenantStores.inspect(root, tenant);
        if (channel != null) {
            ReleaseStore store = stores.get(0).store();
            if (!Files.isDirectory(store.channelDir(channel))) {
                String name = tenant == null ? channel : tenant + "/" + channel;
                throw new UsageException("no channel " + name + " under " + root.toAbsolutePath().normalize());
            }
            stores = stores.subList(0, 1);
        }
        List<VerifyReport.Channel> rows = new ArrayList<>();
        for (TenantStores.Tenant t : stores) {
            for (String c : channel == null ? t.store().channels() : List.of(channel)) {
                verify(t, c).ifPresent(rows::add);
            }
        }
        return new VerifyReport(rows);
    }

    private static Optional<VerifyReport.Channel> verify(TenantStores.Tenant t, String c) {
        ReleaseStore store = t.store();
        Optional<Sha256> current = store.current(c);
        if (current.isEmpty()) {
            return Optional.empty();
        }
        Sha256 id = current.get();
        Optional<Manifest> manifest = store.loadManifest(c, id);
        List<String> problems = manifest.map(m -> ReleaseVerifier.problems(store.releaseDir(c, id), m))
                .orElse(List.of("manifest missing for release " + id.hex()));
        return Optional.of(new VerifyReport.Channel(t.name(), c, id, manifest.map(Manifest::version).orElse(null), problems));
    }
}
