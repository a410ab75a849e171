package io.skiff.engine.inspect;

import io.skiff.engine.api.RollbackReport;
import io.skiff.engine.audit.Actor;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.UsageException;

import java.util.Optional;

/**
 * {@code skiff rollback}: the local, on-purpose switch of a channel to a retained release, which signed
 * releases otherwise refuse (a rollback is only taken when its publisher signs it, or when the operator on
 * the server says so here). Atomic as an activation, recorded in the audit trail as a {@code rollback} by
 * {@code operator}; safe while the receiver runs.
 */
public final class OperatorRollback {
    private OperatorRollback() {
    }

    /** Switches {@code channel} of {@code root} to retained {@code toVersion} (null: the one activated before the current). */
    public static RollbackReport run(java.nio.file.Path root, String channel, String toVersion) {
        ReleaseStore store = ReleaseStore.forOperator(root);
        Sha256 currentId = store.current(channel).orElseThrow(() -> new UsageException(channel + " has no current release under " + root));
        Manifest current = store.loadManifest(channel, currentId).orElseThrow(() -> new UsageException(
                "the manifest of " + channel + "'s current release " + currentId.shortHex() + " is missing: run skiff verify"));
        Manifest target = null;
        for (Sha256 id : store.releases(channel)) { // most recently activated first
            if (id.equals(currentId)) {
                continue;
            }
            Optional<Manifest> m = store.loadManifest(channel, id);
            if (m.isPresent() && (toVersion == null || m.get().version().equals(toVersion))) {
                target = m.get();
                break;
            }
        }
        if (target == null) {
            throw new UsageException(toVersion == null ? channel + " keeps no release besides the current " + current.version() + " to roll back to"
                    : channel + " keeps no release " + toVersion + " (skiff history --root " + root + " --channel " + channel + " lists them)");
        }
        store.rollBack(channel, current, target.releaseId(), Actor.operator(), "skiff rollback");
        return new RollbackReport(channel, current.version(), currentId.hex(), target.version(), target.releaseId().hex());
    }
}
