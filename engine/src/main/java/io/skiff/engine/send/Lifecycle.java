package io.skiff.engine.send;

import io.skiff.engine.api.PushListener;
import io.skiff.engine.api.PushOptions;
import io.skiff.engine.api.PushResult;
import io.skiff.engine.api.TargetResult;
import io.skiff.engine.api.Topology;
import io.skiff.engine.audit.Actor;
import io.skiff.engine.audit.AuditEvent;
import io.skiff.engine.audit.AuditTrail;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.SignedRelease;
import io.skiff.protocol.UsageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code push --lifecycle}: a release goes through the topology's environments in order ({@code env=} on its
 * targets, e.g. preprod then prod), each pushed as a push of its own, and on to the next only when every
 * target of the one before activated (and so passed its smoke test). The targets of the environments not
 * reached are reported {@code skipped}. Each promotion, and the stop, is recorded in the sender's trail.
 */
public final class Lifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

    private Lifecycle() {
    }

    /** Pushes {@code manifest} (with {@code signed}, or signed by the options, or unsigned) environment by environment. */
    public static PushResult push(Path source, Manifest manifest, SignedRelease signed, Topology topology, PushOptions options,
                                  PushListener listener) {
        List<String> environments = topology.environments();
        if (environments.isEmpty()) {
            throw new UsageException("--lifecycle needs environments: env=NAME on the topology file's targets");
        }
        List<TargetResult> all = new ArrayList<>();
        long wire = 0;
        double seconds = 0;
        String stoppedAt = null;
        for (int i = 0; i < environments.size(); i++) {
            String env = environments.get(i);
            Topology targets = topology.environment(env);
            if (stoppedAt != null) {
                for (Topology.Target t : targets.targets()) {
                    all.add(skipped(t, manifest, env, stoppedAt));
                }
                continue;
            }
            if (i > 0) {
                record(options, manifest, "promote", AuditEvent.OK, "to " + env + ": every target of " + environments.get(i - 1) + " activated");
                LOG.info("{} {}: promoted to {}", manifest.channel(), manifest.version(), env);
            }
            PushResult result = Pusher.push(source, manifest, signed, targets, options, listener);
            all.addAll(result.targets());
            wire += result.bytesWire();
            seconds += result.seconds();
            if (!result.allActivated()) {
                stoppedAt = env;
                long failed = result.targets().stream().filter(t -> !t.activated()).count();
                record(options, manifest, "lifecycle-stop", AuditEvent.FAILED, failed + " of " + result.targets().size() + " target(s) of " + env
                        + " did not activate" + (i + 1 < environments.size() ? ": " + String.join(", ", environments.subList(i + 1, environments.size()))
                        + " not pushed" : ""));
            }
        }
        return new PushResult(manifest, manifest.totalBytes(), wire, seconds, 0, all);
    }

    private static TargetResult skipped(Topology.Target t, Manifest manifest, String env, String stoppedAt) {
        return new TargetResult(t.address().toString(), false, false, 0, 0, manifest.chunks().count(), 0, 0, null,
                "not pushed (" + env + "): " + stoppedAt + " did not pass", TargetResult.Delta.none());
    }

    /** In the sender's trail (its state directory), when it has one. */
    private static void record(PushOptions options, Manifest manifest, String action, String outcome, String reason) {
        if (options.history() == null) {
            return;
        }
        try {
            AuditTrail.open(options.history().resolve(PushAudit.DIR)).append(AuditEvent.of(action, Actor.operator(), manifest.channel(),
                    manifest.version(), manifest.releaseId().hex()).withOutcome(outcome, reason));
        } catch (RuntimeException e) {
            LOG.warn("could not record the {} of {} {} in the sender's audit trail: {}", action, manifest.channel(), manifest.version(), e.getMessage());
        }
    }
}
