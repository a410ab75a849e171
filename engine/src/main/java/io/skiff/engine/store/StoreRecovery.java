package io.skiff.engine.store;

import io.skiff.engine.audit.Actor;
import io.skiff.engine.audit.AuditEvent;
import io.skiff.engine.files.DirectoryTrees;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SkiffException;
import io.skiff.protocol.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;

/** What a receiver's store puts right at start after a crash, before it takes any transfer. */
final class StoreRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(ReleaseStore.class);

    private StoreRecovery() {
    }

    /**
     * Startup: a crash between creating and renaming the temporary link leaves {@code current.tmp}; a
     * crash between switching {@code current} and logging the activation leaves a release active that
     * the audit trail does not name (found by the crash tests: SIGKILL right after the switch).
     */
    static void recover(ReleaseStore store) {
        for (String channel : store.channels()) {
            try {
                Files.deleteIfExists(store.root().resolve(channel).resolve(ReleaseStore.CURRENT + ".tmp"));
            } catch (IOException e) {
                throw new StorageException("recover " + channel, e);
            }
            logUnloggedActivation(store, channel);
            removeHalfPrunedReleases(store, channel);
        }
    }

    /** A release directory without its manifest is what a crash during pruning leaves (never current). */
    private static void removeHalfPrunedReleases(ReleaseStore store, String channel) {
        Optional<Sha256> current = store.current(channel);
        for (Sha256 id : store.releases(channel)) {
            if (current.isPresent() && current.get().equals(id) || Files.exists(store.manifestFile(channel, id))) {
                continue;
            }
            try {
                DirectoryTrees.deleteRecursively(store.releaseDir(channel, id));
                store.appendAudit(channel, "pruned release=" + id.hex() + " recorded-at=startup");
                store.record(AuditEvent.of("prune", Actor.receiver(), channel, null, id.hex()).withOutcome(AuditEvent.OK, "half-pruned by a crash"));
                LOG.warn("{}: removed release {}, left half-pruned by a crash", channel, id.shortHex());
            } catch (IOException e) {
                LOG.warn("could not remove half-pruned release {} of {}: {}", id.shortHex(), channel, e.toString());
            }
        }
    }

    /**
     * If {@code current} is not the release of the log's last "activated" line, the receiver stopped
     * after the switch and before {@link ReleaseStore#activate} logged it (and marked the manifest as the latest
     * activation): both are done now, the line saying it was recorded at startup.
     */
    private static void logUnloggedActivation(ReleaseStore store, String channel) {
        Optional<Sha256> current;
        try {
            current = store.current(channel);
        } catch (SkiffException e) {
            LOG.warn("{}: {}", channel, e.getMessage());
            return;
        }
        if (current.isEmpty() || current.get().hex().equals(ActivationsLog.of(store.channelDir(channel)).lastActivated())) {
            return;
        }
        Sha256 id = current.get();
        Optional<Manifest> manifest;
        try {
            manifest = store.loadManifest(channel, id);
            if (manifest.isPresent()) {
                Files.setLastModifiedTime(store.manifestFile(channel, id), FileTime.from(Instant.now()));
            }
        } catch (SkiffException | IOException e) {
            LOG.warn("{}: current release {} has no readable manifest: {}", channel, id.shortHex(), e.getMessage());
            manifest = Optional.empty();
        }
        String details = manifest.map(m -> " version=" + m.version() + " files=" + m.fileCount() + " bytes=" + m.totalBytes()).orElse("");
        store.appendAudit(channel, "activated release=" + id.hex() + details + " peer=unknown recorded-at=startup");
        store.record(AuditEvent.of("activate", Actor.receiver(), channel, manifest.map(Manifest::version).orElse(null), id.hex())
                .withOutcome(AuditEvent.OK, "recorded at startup: the receiver stopped right after the switch"));
        LOG.warn("{}: release {} is current but its activation was not logged (the receiver stopped right after the switch); logged now",
                channel, id.shortHex());
    }

}
