package io.skiff.engine.relay;

import io.netty.util.concurrent.ScheduledFuture;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.PushListener;
import io.skiff.engine.api.PushOptions;
import io.skiff.engine.api.TargetResult;
import io.skiff.engine.encode.ChunkSource;
import io.skiff.engine.encode.ReleaseEncodings;
import io.skiff.engine.receive.Receiver;
import io.skiff.engine.receive.RelayForwarding;
import io.skiff.engine.send.ChunkGate;
import io.skiff.engine.send.FanOut;
import io.skiff.engine.send.TrustFrames;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.engine.store.SignedReleases;
import io.skiff.engine.transport.Allocators;
import io.skiff.engine.transport.Transport;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SignedKeyRotation;
import io.skiff.protocol.frame.AuditHeadFrame;
import io.skiff.protocol.frame.ChunkEncoding;
import io.skiff.protocol.frame.ChunkFrame;
import io.skiff.protocol.frame.RelayFrame;
import io.skiff.protocol.frame.RelayStatusFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A receiver forwarding the release it receives to the targets a RELAY frame named: one push per
 * target, each with its own delta against what that target holds (bases from this receiver's store),
 * sharing one encode-once cache. Cut-through: a chunk goes out as soon as the receiving session has
 * verified and written it, read back from the staging tree (then from the release directory, once
 * activated). Reports each target upstream in RELAY_STATUS frames, about once a second while sending,
 * then its outcome.
 *
 * <p>If the relay's own transfer fails before it activates, the gate is abandoned: its pushes stop
 * (their targets keep what they journaled), and the sender falls back for them.
 */
public final class Relay implements ChunkGate, RelayForwarding {
    private static final Logger LOG = LoggerFactory.getLogger(Relay.class);
    private static final long STATUS_INTERVAL_MILLIS = 1000;

    private record Waiter(int ordinal, Runnable wakeUp) {
    }

    private final Manifest manifest;
    private final List<RelayFrame.Target> targets;
    /** The targets' addresses, parsed once; index i is {@code targets.get(i)}. */
    private final List<HostPort> addresses;
    /** Target index by address as push listeners name it ({@link HostPort#toString()}). */
    private final Map<String, Integer> indexByAddress = new HashMap<>();
    private final Consumer<RelayStatusFrame> upstream;
    private final ChunkSource chunks;
    private final ReleaseEncodings encodings;
    private final AtomicLongArray delivered;
    private final AtomicLongArray wanted;
    private final long startNanos = System.nanoTime();
    /** Guarded by this. */
    private final BitSet ready;
    private boolean complete;
    private boolean abandoned;
    private final List<Waiter> waiters = new ArrayList<>();
    private int unfinished;
    /** Targets whose outcome went upstream: no progress report may follow it. Guarded by this. */
    private final BitSet reported = new BitSet();
    private ScheduledFuture<?> ticker;

    private Relay(Manifest manifest, List<RelayFrame.Target> targets, BitSet readyNow, Consumer<RelayStatusFrame> upstream,
                  ReleaseStore store) {
        this.manifest = manifest;
        this.targets = targets;
        this.addresses = targets.stream().map(t -> HostPort.parse(t.address())).toList();
        for (int i = 0; i < addresses.size(); i++) {
            indexByAddress.putIfAbsent(addresses.get(i).toString(), i);
        }
        this.upstream = upstream;
        this.ready = (BitSet) readyNow.clone();
        this.delivered = new AtomicLongArray(targets.size());
        this.wanted = new AtomicLongArray(targets.size());
        this.unfinished = targets.size();
        this.chunks = new ChunkSource(List.of(store.stagingDir(manifest.channel(), manifest.releaseId()),
                store.releaseDir(manifest.channel(), manifest.releaseId())), manifest);
        // a cache even for one target: it holds the zstd chunks as they arrived, sent on without compressing again
        this.encodings = new ReleaseEncodings(manifest, chunks, store::base, PushOptions.DEFAULT_ZSTD_LEVEL, ReleaseEncodings.FAN_OUT_CACHE_BYTES,
                Allocators.sending());
    }

    /**
     * Starts forwarding {@code manifest}'s release to {@code targets}.
     *
     * @param readyNow chunks already verified on this receiver's disk (copied locally, resumed, or all of an active release)
     * @param upstream where RELAY_STATUS frames go (the sender's connection)
     * @param rotations the key rotations the sender sent before its OFFER, forwarded as they came
     */
    public static Relay start(Receiver receiver, ReleaseStore store, Manifest manifest, List<RelayFrame.Target> targets,
                              BitSet readyNow, Consumer<RelayStatusFrame> upstream, List<SignedKeyRotation> rotations) {
        Relay relay = new Relay(manifest, targets, readyNow, upstream, store);
        // a relay forwards the key rotations it received and the publisher's signatures it kept at OFFER (it
        // cannot make any): each target checks them
        relay.forward(receiver, new TrustFrames(rotations, SignedReleases.load(store, manifest.channel(), manifest.releaseId()).orElse(null)));
        return relay;
    }

    private void forward(Receiver receiver, TrustFrames trust) {
        PushOptions options = PushOptions.defaults();
        FanOut fanOut = new FanOut(Transport.best(), receiver.ioGroup(), manifest, options, progress(),
                receiver.relayEncoders(), encodings, null, this, FanOut.waterMark(targets.size()), receiver.tls(), trust);

        LOG.info("relaying {} {} ({}) to {} target(s)", manifest.channel(), manifest.version(), manifest.releaseId().shortHex(), targets.size());
        ticker = receiver.ioGroup().next().scheduleAtFixedRate(this::reportProgress, STATUS_INTERVAL_MILLIS, STATUS_INTERVAL_MILLIS,
                TimeUnit.MILLISECONDS);
        for (int i = 0; i < targets.size(); i++) {
            int index = i;
            RelayFrame.Target t = targets.get(i);
            fanOut.pushWithRetries(addresses.get(i), t.bandwidthLimit(), options.retries(), UnaryOperator.identity())
                    .whenComplete((r, e) -> finished(index, r));
        }
    }

    /** Counts what each target asked for and the release bytes handed to its socket, for the progress reports. */
    private PushListener progress() {
        return new PushListener() {
            @Override
            public void planned(String target, int chunksWanted, long bytesWanted) {
                int i = indexOf(target);
                if (i >= 0) {
                    wanted.set(i, delivered.get(i) + bytesWanted); // a retry plans what is still missing
                }
            }

            @Override
            public void chunkSent(String target, int rawBytes) {
                int i = indexOf(target);
                if (i >= 0) {
                    delivered.addAndGet(i, rawBytes);
                }
            }
        };
    }

    private int indexOf(String target) {
        return indexByAddress.getOrDefault(target, -1);
    }

    /** Under the lock, so a target's outcome is never followed by a progress report for it. */
    private synchronized void reportProgress() {
        for (int i = reported.nextClearBit(0); i < targets.size(); i = reported.nextClearBit(i + 1)) {
            upstream.accept(new RelayStatusFrame(i, RelayStatusFrame.State.SENDING, 0, delivered.get(i), wanted.get(i), 0, 0, 0, 0,
                    (System.nanoTime() - startNanos) / 1_000_000, 1, null, new long[ChunkEncoding.values().length],
                    new long[ChunkEncoding.values().length], null, ""));
        }
    }

    private void finished(int index, TargetResult r) {
        RelayStatusFrame.State state = r.activated()
                ? (r.alreadyActive() ? RelayStatusFrame.State.ALREADY_ACTIVE : RelayStatusFrame.State.ACTIVATED)
                : RelayStatusFrame.State.FAILED;
        long[] chunksByEncoding = new long[ChunkEncoding.values().length];
        long[] bytesByEncoding = new long[ChunkEncoding.values().length];
        for (ChunkEncoding e : ChunkEncoding.values()) {
            chunksByEncoding[e.wire()] = r.delta().encodings().get(e).chunks();
            bytesByEncoding[e.wire()] = r.delta().encodings().get(e).bytes();
        }
        RelayStatusFrame outcome = new RelayStatusFrame(index, state, r.bytesWire(), delivered.get(index), wanted.get(index), r.chunksSent(), r.chunksCopiedLocally(),
                r.delta().chunksRefetched(), r.delta().manifestBytes(), (long) (r.seconds() * 1000), r.attempts(), r.delta().base(),
                chunksByEncoding, bytesByEncoding, r.activated() ? null : r.code(), r.activated() ? "" : r.error(),
                r.auditHead() == null ? null : new AuditHeadFrame(Sha256.parseHex(r.auditHead().trail()), r.auditHead().seq(),
                        Sha256.parseHex(r.auditHead().hash()))); // the sender keeps it as the target's own
        boolean last;
        synchronized (this) {
            upstream.accept(outcome);
            reported.set(index);
            last = --unfinished == 0;
        }
        if (last) {
            ticker.cancel(false);
            encodings.close();
            chunks.close();
            LOG.info("relayed {} ({}) to {} target(s)", manifest.version(), manifest.releaseId().shortHex(), targets.size());
        }
    }

    /**
     * The receiving session verified chunk {@code frame.ordinal()}, which arrived compressed (before
     * {@link #written}): the targets may get these very bytes, plain zstd ({@code base} null) any of
     * them, zstd+reference those holding {@code base} too. Takes ownership of {@code frame}.
     */
    @Override
    public void receivedCompressed(ChunkFrame frame, Sha256 base) {
        encodings.keepReceived(frame, base);
    }

    /** The receiving session verified chunk {@code ordinal}, which arrived raw: not worth compressing for the targets either. */
    @Override
    public void receivedRaw(int ordinal) {
        encodings.receivedRaw(ordinal);
    }

    /** The receiving session verified and wrote chunk {@code ordinal}. */
    @Override
    public void written(int ordinal) {
        List<Runnable> wake;
        synchronized (this) {
            ready.set(ordinal);
            wake = takeWaiters(false);
        }
        wake.forEach(Runnable::run);
    }

    /** The release is activated here: every chunk is ready. */
    @Override
    public void activated() {
        List<Runnable> wake;
        synchronized (this) {
            complete = true;
            wake = takeWaiters(true);
        }
        wake.forEach(Runnable::run);
    }

    /** This receiver's own transfer ended without the release; a no-op once activated. */
    @Override
    public void abandon() {
        List<Runnable> wake;
        synchronized (this) {
            if (complete) {
                return;
            }
            abandoned = true;
            wake = takeWaiters(true);
        }
        LOG.info("relay of {} ({}) stops: its own transfer ended without the release", manifest.version(), manifest.releaseId().shortHex());
        wake.forEach(Runnable::run);
    }

    private List<Runnable> takeWaiters(boolean all) {
        List<Runnable> wake = new ArrayList<>();
        waiters.removeIf(w -> {
            if (all || ready.get(w.ordinal())) {
                wake.add(w.wakeUp());
                return true;
            }
            return false;
        });
        return wake;
    }

    @Override
    public synchronized boolean ready(int ordinal) {
        return complete || ready.get(ordinal);
    }

    @Override
    public synchronized boolean abandoned() {
        return abandoned;
    }

    @Override
    public void whenReady(int ordinal, Runnable wakeUp) {
        synchronized (this) {
            if (!complete && !abandoned && !ready.get(ordinal)) {
                waiters.add(new Waiter(ordinal, wakeUp));
                return;
            }
        }
        wakeUp.run();
    }
}
