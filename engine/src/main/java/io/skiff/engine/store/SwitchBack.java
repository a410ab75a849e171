package io.skiff.engine.store;

import io.skiff.engine.audit.Actor;
import io.skiff.engine.audit.AuditEvent;
import io.skiff.engine.files.DirectoryTrees;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.StorageException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

/**
 * A channel switched back from a release to the one before it, or to none: after a failed smoke test, an
 * operator's {@code skiff rollback}, or an activation the audit trail could not record. Atomic as an
 * activation; logged in {@code activations.log} as {@code to}'s activation, so crash recovery finds
 * {@code current} logged; and, when {@code audited}, recorded in the audit trail as a {@code rollback}.
 */
final class SwitchBack {
    private SwitchBack() {
    }

    /** {@code channel} from {@code from} back to retained {@code to} (null: no release), {@code reason} saying why; {@code from} stays retained. */
    static void run(ReleaseStore store, String channel, Manifest from, Sha256 to, Actor actor, String reason, boolean audited) {
        synchronized (store.channelLock(channel)) {
            Path channelDir = store.channelDir(channel);
            String toVersion = null;
            try {
                if (to == null) {
                    Files.deleteIfExists(channelDir.resolve(ReleaseStore.CURRENT));
                    DirectoryTrees.fsync(channelDir);
                } else {
                    toVersion = store.loadManifest(channel, to).map(Manifest::version).orElseThrow(() -> new StorageException(
                            store.manifestFile(channel, to), "cannot switch " + channel + " back to " + to.shortHex() + ": its manifest is gone", null));
                    ReleaseStore.pointCurrentAt(channelDir, to);
                    Files.setLastModifiedTime(store.manifestFile(channel, to), FileTime.from(Instant.now())); // the latest activation again
                }
            } catch (IOException e) {
                throw new StorageException("switch " + channel + " back from " + from.releaseId().shortHex(), e);
            }
            store.appendAudit(channel, to == null ? "deactivated release=" + from.releaseId().hex() + " reason=" + reason
                    : "activated release=" + to.hex() + " version=" + toVersion + " rolled-back-from=" + from.releaseId().hex()
                    + " reason=" + reason + " peer=" + actor.who());
            if (audited) {
                store.record(AuditEvent.of("rollback", actor, channel, toVersion, to == null ? null : to.hex())
                        .withOutcome(AuditEvent.OK, "from " + from.version() + " (" + from.releaseId().hex() + "): " + reason));
            }
        }
    }
}
