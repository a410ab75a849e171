package io.skiff.engine.send;

import io.skiff.engine.api.AuditAnchor;
import io.skiff.engine.api.PushListener;
import io.skiff.engine.api.TargetResult;
import io.skiff.engine.api.Topology;
import io.skiff.protocol.frame.ChunkEncoding;
import io.skiff.protocol.frame.RelayFrame;
import io.skiff.protocol.frame.RelayStatusFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Pushes one named region through a relay. The sender sends the release once, to the region's first
 * target (the relay), which forwards each chunk to the region's other targets as soon as it has
 * verified it. If the relay fails, the targets it had not reported on go through the next target as
 * relay, and after {@value #MAX_RELAYS} failed relays the sender pushes to them directly; a failed
 * relay is itself pushed to directly. Every result says which way the release went.
 */
final class RegionPush {
    private static final Logger LOG = LoggerFactory.getLogger(RegionPush.class);
    /** Relays tried per region before the sender falls back to pushing to each target itself. */
    static final int MAX_RELAYS = 2;

    private final FanOut fanOut;
    private final Topology.Region region;

    RegionPush(FanOut fanOut, Topology.Region region) {
        this.fanOut = fanOut;
        this.region = region;
    }

    /** Completes with one result per target of the region, when every one of them is done. */
    CompletableFuture<List<TargetResult>> start() {
        return run(region.targets(), 0, null);
    }

    private CompletableFuture<List<TargetResult>> run(List<Topology.Target> targets, int relaysTried, String failedRelay) {
        if (targets.size() < 2 || relaysTried >= MAX_RELAYS) {
            return direct(targets, failedRelay);
        }
        Topology.Target relay = targets.get(0);
        List<Topology.Target> downstream = List.copyOf(targets.subList(1, targets.size()));
        TargetResult[] relayed = new TargetResult[downstream.size()];
        long[] delivered = new long[downstream.size()];
        long[] wanted = new long[downstream.size()];
        PushListener listener = fanOut.listener();
        RelayReports.Observer observer = status -> { // on the relay connection's event loop
            int i = status.index();
            String target = downstream.get(i).address().toString();
            if (status.bytesWanted() != wanted[i]) {
                wanted[i] = status.bytesWanted();
                listener.plannedByRelay(target, relay.address().toString(), status.bytesWanted());
            }
            long progress = status.bytesDelivered() - delivered[i];
            if (progress > 0) {
                delivered[i] = status.bytesDelivered();
                listener.chunkSent(target, (int) Math.min(Integer.MAX_VALUE, progress));
            }
            if (status.state().finished()) {
                relayed[i] = relayedResult(target, status, relay.address().toString());
                listener.finished(relayed[i]);
            }
        };
        List<RelayFrame.Target> relayTargets = downstream.stream()
                .map(t -> new RelayFrame.Target(t.regionAddress().toString(), t.bandwidthLimit())).toList();
        LOG.info("region {}: {} relays to {} target(s)", region.name(), relay, downstream.size());
        return fanOut.pushToRelay(relay.address(), relay.bandwidthLimit(), new RelayReports.Role(relayTargets, observer),
                        r -> r.routed(region.name(), TargetResult.Route.RELAY, null))
                .thenCompose(own -> {
                    List<TargetResult> results = new ArrayList<>();
                    List<Topology.Target> unreported = new ArrayList<>();
                    for (int i = 0; i < downstream.size(); i++) {
                        if (relayed[i] != null) {
                            results.add(relayed[i]);
                        } else {
                            unreported.add(downstream.get(i));
                        }
                    }
                    List<CompletableFuture<List<TargetResult>>> more = new ArrayList<>();
                    if (own.activated()) {
                        results.add(own);
                    } else {
                        LOG.warn("region {}: relay {} failed ({} {}); {} target(s) it had not finished fall back", region.name(), relay,
                                own.code().label(), own.error(), unreported.size());
                        more.add(direct(List.of(relay), relay.toString()));
                    }
                    if (!unreported.isEmpty()) {
                        more.add(run(unreported, relaysTried + 1, relay.toString()));
                    }
                    return CompletableFuture.allOf(more.toArray(CompletableFuture[]::new)).thenApply(v -> {
                        more.forEach(f -> results.addAll(f.join()));
                        return results;
                    });
                });
    }

    /** The sender pushes to each target itself: no relay in the region, or after {@code failedRelay} failed. */
    private CompletableFuture<List<TargetResult>> direct(List<Topology.Target> targets, String failedRelay) {
        List<CompletableFuture<TargetResult>> pushes = new ArrayList<>();
        TargetResult.Route route = failedRelay == null ? TargetResult.Route.DIRECT : TargetResult.Route.FALLBACK;
        for (Topology.Target t : targets) {
            pushes.add(fanOut.pushWithRetries(t.address(), t.bandwidthLimit(), fanOut.options().retries(),
                    r -> r.routed(region.name(), route, failedRelay)));
        }
        return CompletableFuture.allOf(pushes.toArray(CompletableFuture[]::new))
                .thenApply(v -> pushes.stream().map(CompletableFuture::join).toList());
    }

    private TargetResult relayedResult(String target, RelayStatusFrame s, String relay) {
        Map<ChunkEncoding, TargetResult.EncodingCount> encodings = new EnumMap<>(ChunkEncoding.class);
        for (ChunkEncoding e : ChunkEncoding.values()) {
            encodings.put(e, new TargetResult.EncodingCount(s.chunksByEncoding()[e.wire()], s.bytesByEncoding()[e.wire()]));
        }
        boolean activated = s.state() == RelayStatusFrame.State.ACTIVATED || s.state() == RelayStatusFrame.State.ALREADY_ACTIVE;
        return new TargetResult(target, activated, s.state() == RelayStatusFrame.State.ALREADY_ACTIVE, s.bytesWire(), s.millis() / 1000.0,
                fanOut.manifest().chunks().count(), s.chunksSent(), s.chunksCopiedLocally(), s.code(),
                activated ? null : s.message(), new TargetResult.Delta(s.baseId(), s.manifestBytes(), s.chunksRefetched(), encodings),
                Math.max(1, s.attempts()), region.name(), TargetResult.Route.RELAYED, relay)
                .withAuditHead(s.auditHead() == null ? null : new AuditAnchor(s.auditHead().trail().hex(), s.auditHead().seq(),
                        s.auditHead().hash().hex()));
    }
}
