package io.skiff.engine.receive;

import io.netty.util.concurrent.EventExecutor;
import io.skiff.engine.api.SmokeTest;
import io.skiff.engine.audit.Actor;
import io.skiff.engine.audit.AuditEvent;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SkiffException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * COMMIT once every chunk is in: the switch ({@link StagedTransfer#commit}), then, with a smoke test
 * configured, the test on its own thread (a session's thread is not held for a minute), and on failure or
 * timeout the switch back to the previous release at once. Each step is in the audit trail: activate, then
 * smoke-pass, or smoke-fail and rollback.
 */
final class Activation {
    private static final Logger LOG = LoggerFactory.getLogger(ReceiveSession.class);

    private Activation() {
    }

    /**
     * Runs on the session's thread ({@code sessionThread}); {@code done} gets, on that thread, null when the
     * release is active and stays, or the SMOKE_FAILED exception to answer with. A failing switch throws here.
     */
    static void commit(SessionContext context, ReleaseStore store, StagedTransfer transfer, Admission admission, String peer,
                       EventExecutor sessionThread, Consumer<SkiffException> done) {
        Manifest manifest = transfer.manifest();
        Sha256 previous = store.current(manifest.channel()).orElse(null);
        transfer.commit(peer, admission.actor(), context.config().rehashOnCommit());
        SmokeRunner smoke = context.smoke();
        SmokeTest test = smoke == null ? null : smoke.testFor(manifest.channel());
        if (test == null) {
            done.accept(null);
            return;
        }
        Path previousDir = previous == null ? null : store.releaseDir(manifest.channel(), previous);
        smoke.run(test, store.releaseDir(manifest.channel(), manifest.releaseId()), manifest.channel(), manifest.version(), previousDir)
                .whenComplete((result, error) -> sessionThread.execute(() -> {
                    SkiffException outcome;
                    try {
                        outcome = settle(store, manifest, previous, admission.actor(), peer,
                                result != null ? result : new SmokeRunner.Result(false, "the smoke test could not run: " + error, ""));
                    } catch (SkiffException e) { // the trail or the switch back failed: the session still answers, with that
                        LOG.error("{}: after the smoke test of {} {}: {}", peer, manifest.channel(), manifest.version(), e.getMessage());
                        outcome = e;
                    }
                    done.accept(outcome);
                }));
    }

    /** Keeps the release, or switches back and says why; null when it stays. */
    private static SkiffException settle(ReleaseStore store, Manifest manifest, Sha256 previous, Actor actor, String peer,
                                         SmokeRunner.Result result) {
        String what = manifest.channel() + " " + manifest.version() + " (" + manifest.releaseId().shortHex() + ")";
        AuditEvent step = AuditEvent.of(result.passed() ? "smoke-pass" : "smoke-fail", actor, manifest.channel(), manifest.version(),
                manifest.releaseId().hex());
        if (result.passed()) {
            store.record(step);
            LOG.info("{}: {} passed its smoke test", peer, what);
            return null;
        }
        store.record(step.withOutcome(AuditEvent.FAILED, result.describe()));
        try {
            store.rollBack(manifest.channel(), manifest, previous, Actor.receiver(), "smoke test failed");
        } catch (SkiffException e) {
            throw new SkiffException(e.code(), what + " failed its smoke test (" + result.describe() + ") and is still active: switching back failed: "
                    + e.getMessage());
        }
        String message = what + " failed its smoke test and was switched back to "
                + (previous == null ? "no release (it was the channel's first)" : previous.shortHex()) + ": " + result.describe();
        LOG.warn("{}: {}", peer, message);
        return new SkiffException(ErrorCode.SMOKE_FAILED, message); // the ERROR frame cuts it to its limit
    }
}
