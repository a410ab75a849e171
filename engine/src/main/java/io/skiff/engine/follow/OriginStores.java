package io.skiff.engine.follow;

import io.skiff.engine.store.ReleaseStore;
import io.skiff.engine.store.TenantStores;
import io.skiff.protocol.Sha256;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where an origin serves a channel from, read-only: the untenanted store {@code ROOT/<channel>}, or a
 * tenant's, {@code ROOT/<tenant>/<channel>} ({@link TenantStores}), as the deciding grant's tenant says.
 * A tenant's store is opened at its first follower and kept. Thread-safe.
 */
final class OriginStores {
    private final ReleaseStore untenanted;
    private final ConcurrentHashMap<String, ReleaseStore> tenants = new ConcurrentHashMap<>();

    /** @throws io.skiff.protocol.UsageException when {@code root} is not a directory */
    OriginStores(Path root) {
        this.untenanted = ReleaseStore.inspect(root);
    }

    /**
     * Where a channel is served from, as one string (the key of its waiters and of its served releases):
     * "channel", or "tenant/channel"; neither name holds a '/'.
     */
    static String where(String tenant, String channel) {
        return tenant == null ? channel : tenant + "/" + channel;
    }

    Path root() {
        return untenanted.root();
    }

    /** The store of {@code tenant}'s channels; the untenanted one for null. */
    ReleaseStore of(String tenant) {
        if (tenant == null) {
            return untenanted;
        }
        ReleaseStore s = tenants.get(tenant);
        return s != null ? s : tenants.computeIfAbsent(tenant, t -> TenantStores.inspectTenant(untenanted.root(), t));
    }

    /** The current release of the channel at {@code where} ({@link #where}). */
    Optional<Sha256> current(String where) {
        int slash = where.indexOf('/');
        return slash < 0 ? untenanted.current(where) : of(where.substring(0, slash)).current(where.substring(slash + 1));
    }
}
