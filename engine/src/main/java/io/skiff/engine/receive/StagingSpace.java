package io.skiff.engine.receive;

import io.skiff.engine.audit.Actor;
import io.skiff.engine.audit.AuditEvent;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.engine.store.StagingCollector;
import io.skiff.engine.store.TenantStores;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Disk space for staging, receiver-wide: a transfer starts only when the root's file system has what its
 * release still needs, what the transfers in progress still need, and the reserve, usable. When it does not,
 * abandoned partial transfers of other channels (any tenant's) are removed, oldest first, until it does; then
 * the transfer is refused (STORAGE_FAILURE, in one line) before anything is written. So one failed push that
 * filled the disk does not block every other channel until an operator runs {@code skiff gc}, and a push
 * that cannot fit fails at once instead of at the last chunk. Never touches {@code current}, retained
 * releases, or a transfer some session holds.
 */
final class StagingSpace {
    private static final Logger LOG = LoggerFactory.getLogger(ReceiveSession.class);

    private final TenantStores stores;
    private final TransferRegistry transfers;
    private final long reserveBytes;
    /** Bytes the transfers in progress have yet to write (their claims, less what they wrote). */
    private final AtomicLong promised = new AtomicLong();

    StagingSpace(TenantStores stores, TransferRegistry transfers, long reserveBytes) {
        this.stores = stores;
        this.transfers = transfers;
        this.reserveBytes = reserveBytes;
    }

    /**
     * Claims {@code needBytes} for {@code manifest}'s transfer (of {@code tenant}, held by this session as
     * {@code ownKey}), making room first if need be.
     *
     * @throws StorageException when there is not enough room even after that
     */
    synchronized Claim claim(String tenant, Manifest manifest, long needBytes, String ownKey, String peer) {
        Path root = stores.root();
        long usable = usableBytes(root);
        List<String> removed = new ArrayList<>();
        if (usable - promised.get() - reserveBytes < needBytes) {
            for (Abandoned a : abandonedOfOtherChannels(manifest.channel(), tenant, ownKey)) {
                if (StagingCollector.remove(a.store(), a.candidate(), Duration.ZERO, Instant.now())) {
                    String what = a.candidate().channel() + " " + a.candidate().releaseId().shortHex();
                    removed.add(what);
                    a.store().appendAudit(a.candidate().channel(), "removed-staging release=" + a.candidate().releaseId().hex()
                            + " reason=disk-space-for " + manifest.channel() + " peer=" + peer);
                    a.store().record(AuditEvent.of("remove-staging", Actor.receiver(), a.candidate().channel(), a.candidate().version(),
                            a.candidate().releaseId().hex()).withBytes(a.candidate().bytes())
                            .withOutcome(AuditEvent.OK, "disk space for " + manifest.channel() + " " + manifest.version()));
                    LOG.warn("{}: removed the abandoned partial transfer of {} ({} bytes) to make room for {} {}", peer, what,
                            a.candidate().bytes(), manifest.channel(), manifest.version());
                    usable = usableBytes(root);
                    if (usable - promised.get() - reserveBytes >= needBytes) {
                        break;
                    }
                }
            }
        }
        long available = usable - promised.get() - reserveBytes;
        if (available < needBytes) {
            throw new StorageException(root, "not enough disk space for " + manifest.channel() + " " + manifest.version() + " ("
                    + manifest.releaseId().shortHex() + "): it needs " + mib(needBytes) + " MiB, " + mib(Math.max(0, available))
                    + " MiB are free for it on " + root + " (" + mib(usable) + " usable, " + mib(promised.get())
                    + " promised to transfers in progress, " + mib(reserveBytes) + " kept free)"
                    + (removed.isEmpty() ? "" : "; removed " + removed.size() + " abandoned partial transfer(s) of other channels"), null);
        }
        promised.addAndGet(needBytes);
        return new Claim(needBytes);
    }

    private record Abandoned(ReleaseStore store, StagingCollector.Candidate candidate) {
    }

    /** Partial transfers of other channels than {@code channel} of {@code tenant} that no session holds, oldest first. */
    private List<Abandoned> abandonedOfOtherChannels(String channel, String tenant, String ownKey) {
        List<Abandoned> found = new ArrayList<>();
        List<String> tenants = new ArrayList<>();
        tenants.add(null);
        tenants.addAll(stores.tenants());
        for (String t : tenants) {
            ReleaseStore store = stores.forTenant(t);
            for (StagingCollector.Candidate c : StagingCollector.scan(store)) {
                String key = TransferRegistry.key(t, c.channel(), c.releaseId());
                boolean sameChannel = java.util.Objects.equals(t, tenant) && c.channel().equals(channel);
                if (!sameChannel && !key.equals(ownKey) && !transfers.inProgress().contains(key)) {
                    found.add(new Abandoned(store, c));
                }
            }
        }
        found.sort(Comparator.comparing(a -> a.candidate().lastModified()));
        return found;
    }

    private static long usableBytes(Path root) {
        try {
            return Files.getFileStore(root).getUsableSpace();
        } catch (IOException e) {
            throw new StorageException("read the free space of " + root, e);
        }
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f", bytes / (1024.0 * 1024.0));
    }

    /** One transfer's share: shrinks as it writes, and goes when it ends ({@link #close}, once). */
    final class Claim implements AutoCloseable {
        private final AtomicLong outstanding;

        private Claim(long bytes) {
            outstanding = new AtomicLong(bytes);
        }

        /** {@code bytes} of the claim are on disk now (called from verifier threads). */
        void wrote(long bytes) {
            long before = outstanding.getAndUpdate(o -> Math.max(0, o - bytes));
            promised.addAndGet(-Math.min(before, bytes));
        }

        @Override
        public void close() {
            promised.addAndGet(-outstanding.getAndSet(0));
        }
    }
}
