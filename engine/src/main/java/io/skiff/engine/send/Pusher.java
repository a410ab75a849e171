package io.skiff.engine.send;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.traffic.GlobalTrafficShapingHandler;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.PushListener;
import io.skiff.engine.api.PushOptions;
import io.skiff.engine.api.PushResult;
import io.skiff.engine.api.TargetResult;
import io.skiff.engine.api.Topology;
import io.skiff.engine.encode.ChunkSource;
import io.skiff.engine.encode.EncoderPools;
import io.skiff.engine.encode.ReleaseEncodings;
import io.skiff.engine.history.PublishedReleases;
import io.skiff.engine.manifest.ManifestBuilder;
import io.skiff.engine.security.ReleaseSigner;
import io.skiff.engine.security.RotationFiles;
import io.skiff.engine.security.TlsMaterial;
import io.skiff.engine.transport.Allocators;
import io.skiff.engine.transport.Transport;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.SignedKeyRotation;
import io.skiff.protocol.SignedRelease;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Pushes one release to many targets: builds the manifest once, then runs one {@link PushSession}
 * per target in parallel over a shared event loop and a shared encoder pool. A target that is down,
 * slow or failing only affects its own result. Regions with a relay go through {@link RegionPush}; the
 * connections and retries are {@link FanOut}'s.
 */
public final class Pusher {
    private static final Logger LOG = LoggerFactory.getLogger(Pusher.class);
    private Pusher() {
    }

    public static PushResult push(Path source, String channel, String version, List<HostPort> targets,
                                  PushOptions options, PushListener listener) {
        return push(source, channel, version, Topology.direct(targets), options, listener);
    }

    /** Pushes a release whose manifest is already built from {@code source}. */
    public static PushResult push(Path source, Manifest manifest, List<HostPort> targets, PushOptions options,
                                  PushListener listener) {
        return push(source, manifest, Topology.direct(targets), options, listener);
    }

    /** Builds the manifest of {@code source}, then pushes it to every target of {@code topology}. */
    public static PushResult push(Path source, String channel, String version, Topology topology,
                                  PushOptions options, PushListener listener) {
        long start = System.nanoTime();
        TlsMaterial tls = loadTls(options); // its files checked before the hashing, its context built during it
        ReleaseSigner signer = loadSigner(options); // a bad key file: refused before the hashing too
        List<SignedKeyRotation> rotations = loadRotations(options); // and bad rotation files
        Manifest manifest = ManifestBuilder.build(source, channel, version, options.chunking(),
                Runtime.getRuntime().availableProcessors());
        double manifestSeconds = (System.nanoTime() - start) / 1e9;
        listener.manifestBuilt(manifest, manifestSeconds);
        return push(source, manifest, topology, options, listener, start, manifestSeconds, tls,
                signer == null ? null : signer.sign(manifest, Instant.now()), rotations);
    }

    /** Pushes a release whose manifest is already built from {@code source} to every target of {@code topology}. */
    public static PushResult push(Path source, Manifest manifest, Topology topology, PushOptions options,
                                  PushListener listener) {
        return push(source, manifest, null, topology, options, listener);
    }

    /**
     * As {@link #push(Path, Manifest, Topology, PushOptions, PushListener)}, sending {@code signed}, the
     * publishers' statement made beforehand ({@code skiff manifest --sign-key}); null: none, or
     * {@code options.signing()} signs now. One for another release, or expired, is refused before connecting.
     */
    public static PushResult push(Path source, Manifest manifest, SignedRelease signed, Topology topology, PushOptions options,
                                  PushListener listener) {
        if (signed != null && options.signing() != null) {
            throw new IllegalArgumentException("a statement signed beforehand and signing options exclude each other");
        }
        TlsMaterial tls = loadTls(options);
        ReleaseSigner signer = loadSigner(options);
        List<SignedKeyRotation> rotations = loadRotations(options);
        if (signed != null) {
            ReleaseSigner.checkSendable(signed, manifest, Instant.now(), "the signed statement");
        }
        return push(source, manifest, topology, options, listener, System.nanoTime(), 0, tls,
                signer == null ? signed : signer.sign(manifest, Instant.now()), rotations);
    }

    private static ReleaseSigner loadSigner(PushOptions options) {
        return options.signing() == null ? null : ReleaseSigner.load(options.signing());
    }

    /** The key rotations to send before the signatures ({@code push --rotation}), checked before anything starts. */
    private static List<SignedKeyRotation> loadRotations(PushOptions options) {
        return options.signing() == null ? List.of() : RotationFiles.readChain(options.signing().rotations());
    }

    /** Bad key files are refused here, before any thread of the push starts. */
    private static TlsMaterial loadTls(PushOptions options) {
        return options.tls() == null ? null : TlsMaterial.loadForClient(options.tls());
    }

    private static PushResult push(Path source, Manifest manifest, Topology topology, PushOptions options,
                                   PushListener listener, long startNanos, double manifestSeconds, TlsMaterial tls,
                                   SignedRelease signed, List<SignedKeyRotation> rotations) {
        List<Topology.Target> targets = topology.targets();
        if (tls != null) {
            tls.client(); // a context that would not build: refused here, not in each connection's set-up
        }
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newEventLoopGroup(Math.min(2, Math.max(1, targets.size())), "skiff-tx-io");
        ExecutorService encoders = EncoderPools.newPool(options.encoderThreads(), "skiff-tx-encode");
        PublishedReleases history = options.history() == null ? null : new PublishedReleases(options.history(), options.historyRetain());
        ChunkSource chunks = new ChunkSource(source, manifest);
        ReleaseEncodings encodings = new ReleaseEncodings(manifest, chunks, history == null ? null : history::find, options.zstdLevel(),
                targets.size() > 1 ? ReleaseEncodings.FAN_OUT_CACHE_BYTES : 0, Allocators.sending());
        // one shaper for all targets: --bwlimit caps what leaves the sender, not each connection
        GlobalTrafficShapingHandler shaper = options.bandwidthLimit() > 0
                ? new GlobalTrafficShapingHandler(group, options.bandwidthLimit(), 0, FanOut.SHAPER_CHECK_MILLIS) : null;
        FanOut fanOut = new FanOut(transport, group, manifest, options, listener, encoders, encodings, shaper, null,
                FanOut.waterMark(targets.size() * options.streams()), tls, new TrustFrames(rotations, signed));
        try {
            List<CompletableFuture<List<TargetResult>>> regions = new ArrayList<>();
            for (Topology.Region region : topology.regions()) {
                if (region.named() && options.relays() && region.targets().size() > 1) {
                    regions.add(new RegionPush(fanOut, region).start());
                } else {
                    for (Topology.Target target : region.targets()) {
                        regions.add(fanOut.pushWithRetries(target.address(), target.bandwidthLimit(), options.retries(),
                                r -> r.routed(region.name(), TargetResult.Route.DIRECT, null)).thenApply(List::of));
                    }
                }
            }
            Map<String, TargetResult> byTarget = new HashMap<>();
            for (CompletableFuture<List<TargetResult>> r : regions) {
                for (TargetResult result : r.join()) {
                    byTarget.put(result.target(), result);
                }
            }
            List<TargetResult> done = new ArrayList<>();
            long fromSender = 0;
            for (Topology.Target target : targets) {
                TargetResult result = byTarget.get(target.address().toString());
                done.add(result);
                fromSender += result.fromSender() ? result.bytesWire() : 0;
            }
            if (history != null && done.stream().anyMatch(TargetResult::activated)) {
                recordPublished(history, manifest, source);
            }
            if (options.history() != null) {
                PushAudit.record(options.history(), manifest, signed, done);
            }
            return new PushResult(manifest, manifest.totalBytes(), fromSender, (System.nanoTime() - startNanos) / 1e9,
                    manifestSeconds, done);
        } finally {
            if (shaper != null) {
                shaper.release();
            }
            encoders.shutdownNow();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            try {
                encoders.awaitTermination(10, TimeUnit.SECONDS); // before their native zstd contexts are freed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            encodings.close();
            chunks.close();
        }
    }

    /** The next push can encode against this release; failing to record it costs compression, not the push. */
    private static void recordPublished(PublishedReleases history, Manifest manifest, Path source) {
        try {
            history.record(manifest, source);
        } catch (RuntimeException e) {
            LOG.warn("could not record {} ({}) in the sender history {}: {}", manifest.version(), manifest.releaseId().shortHex(),
                    history.root(), e.getMessage());
        }
    }
}
