package io.skiff.engine.receive;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.api.RunningReceiver;
import io.skiff.engine.encode.EncoderPools;
import io.skiff.engine.audit.Actor;
import io.skiff.engine.audit.AuditEvent;
import io.skiff.engine.security.AccessPolicy;
import io.skiff.engine.security.ReleaseTrust;
import io.skiff.engine.security.TlsMaterial;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.engine.store.SeedTree;
import io.skiff.engine.store.SegmentBuffers;
import io.skiff.engine.store.TenantStores;
import io.skiff.engine.store.TrustedRotations;
import io.skiff.engine.transport.Allocators;
import io.skiff.engine.transport.ConnectionLimits;
import io.skiff.engine.transport.HelloDeadline;
import io.skiff.engine.transport.TlsPipelines;
import io.skiff.engine.transport.Transport;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.SkiffException;
import io.skiff.protocol.UsageException;
import io.skiff.protocol.frame.FrameDecoder;
import io.skiff.protocol.frame.FrameEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The receiver daemon: a Netty server accepting any number of concurrent pushes into one
 * {@link ReleaseStore}. Each connection gets its own {@link ReceiveSession}, run off the event loop on
 * a disk executor so that one transfer's disk work never stalls another's sockets; the session hands
 * each chunk to a {@link ChunkVerifierPool} (decode, SHA-256, write) so one transfer uses every core,
 * and a {@link ReadAheadLimiter} bounds what a connection has read but not yet written to 8 MiB.
 */
public final class Receiver implements RunningReceiver {
    private static final Logger LOG = LoggerFactory.getLogger(Receiver.class);
    /** Decoded frames a connection may have queued for its session before reading pauses. */
    private static final long READ_AHEAD_HIGH_BYTES = 8L * 1024 * 1024;
    private static final long READ_AHEAD_LOW_BYTES = 4L * 1024 * 1024;

    /** How long the thread groups must be idle before they stop (see {@link #shutdownGroups()}). */
    private static final long QUIET_MILLIS = 50;

    private final ReceiverConfig config;
    /** This receiver's key material; null when it speaks plaintext. */
    private final TlsMaterial tls;
    /** Who may push, relay, follow what, under which tenant. */
    private final AccessPolicy policy;
    /** The untenanted store and each tenant's. */
    private final TenantStores stores;
    /** The untenanted one of {@link #stores}. */
    private final ReleaseStore store;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup ioGroup;
    private final EventExecutorGroup diskGroup;
    private final ChunkVerifierPool verifiers;
    /** Null when staging files are written through the page cache ({@link ReceiverConfig#directWrites}). */
    private final SegmentBuffers segmentBuffers;
    /** Transfers in progress (a second push of the same release gets BUSY), and the ones extra streams may join. */
    private final TransferRegistry transfers = new TransferRegistry();
    /** Runs the smoke test after each activation; null without one. */
    private final SmokeRunner smoke;
    /** Connections refused before a session (TLS, caps), into the audit trail. */
    private final RefusalAudit refusals;
    /** Caps on accepted connections (a follower's own connections to its origin do not count). */
    private final ConnectionLimits connectionLimits;
    /** What every session of this receiver works with. */
    private final SessionContext sessionContext;
    private final Channel serverChannel;
    /** Every connection received on (accepted, or a follower's visit): closed before the thread groups stop, so no pipeline is torn down on a stopped executor. */
    private final ChannelGroup connections = new DefaultChannelGroup("skiff-rx-connections", GlobalEventExecutor.INSTANCE);
    /** Closed first on {@link #close()}: what runs on this receiver's threads from outside it (a follower). */
    private final List<AutoCloseable> attached = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Encoders of the pushes this receiver makes as a relay; started on the first RELAY. */
    private ExecutorService relayEncoders;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private Receiver(ReceiverConfig config, RelayForwarding.Starter relays) {
        this.config = config;
        this.tls = config.tls() == null ? null : TlsMaterial.load(config.tls()); // bad key files: refused before anything starts
        this.policy = AccessPolicy.forNode(config.grants(), tls != null, "a receiver");
        this.stores = new TenantStores(config.root(), config.retain());
        this.store = stores.untenanted();
        if (policy.hasSmokeRules() && config.retain() < 2) {
            throw new UsageException("[[smoke]] tables switch back to the previous release: --retain must be 2 or more, is " + config.retain());
        }
        this.smoke = config.smoke() == null && !policy.hasSmokeRules() ? null
                : new SmokeRunner(channel -> java.util.Optional.ofNullable(policy.smokeTestFor(channel)).orElse(config.smoke()));
        this.refusals = new RefusalAudit(store);
        this.connectionLimits = new ConnectionLimits(config.limits().maxConnections(), config.limits().maxConnectionsPerAddress(), refusals);
        // before seeds are hashed and threads start: bad key files, or a kept rotation chain that does not verify, refuse the start
        ReleaseTrust configured = ReleaseTrust.of(config.trust() == null ? ReleaseTrust.none()
                : ReleaseTrust.fromKeyFiles(config.trust().keys(), config.trust().threshold()), policy.trustRules());
        RotatingTrust trust = RotatingTrust.restore(configured, new TrustedRotations(store.root()));
        List<SeedTree> seeds = indexSeeds(config.seeds());
        Transport transport = Transport.best();
        this.bossGroup = transport.newEventLoopGroup(1, "skiff-accept");
        this.ioGroup = transport.newEventLoopGroup(config.ioThreads(), "skiff-rx-io");
        this.diskGroup = new DefaultEventExecutorGroup(config.diskThreads(), new DefaultThreadFactory("skiff-rx-disk", true));
        this.verifiers = new ChunkVerifierPool(config.diskThreads());
        this.segmentBuffers = config.directWrites() ? new SegmentBuffers(SegmentBuffers.DEFAULT_MAX) : null;
        this.sessionContext = new SessionContext(config, stores, policy, trust, verifiers, segmentBuffers, seeds,
                (tenantStore, manifest, targets, readyNow, upstream, rotations) -> relays.start(this, tenantStore, manifest, targets, readyNow,
                        upstream, rotations),
                transfers, new ManifestBudget(config.limits().manifestBudgetBytes()),
                new StagingSpace(stores, transfers, config.limits().diskReserveBytes()), smoke);
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(bossGroup, ioGroup)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 256)
                    .childOption(ChannelOption.SO_RCVBUF, 4 * 1024 * 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    // the adaptive allocator serves buffers as large as these reads unpooled (fresh, zeroed
                    // memory each time), a pooled one from reused chunks (see Allocators)
                    .childOption(ChannelOption.ALLOCATOR, Allocators.receiving())
                    // reads of up to 1 MiB: fewer recv calls, and fewer chunk frames straddle two reads (see FrameDecoder)
                    .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(64 * 1024, 256 * 1024, 1024 * 1024))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (!connectionLimits.admit(ch)) {
                                ch.close(); // before any handshake work: a flood costs an accept and a close each
                                return;
                            }
                            addReceiveHandlers(ch.pipeline(), null);
                            if (tls != null) {
                                TlsPipelines.addServer(ch.pipeline(), tls.server(), "receiver", refusals);
                            }
                        }
                    });
            this.serverChannel = bootstrap.bind(config.listen().host(), config.listen().port()).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            shutdownGroups();
            throw new SkiffException(ErrorCode.LISTEN_FAILED,
                    "cannot listen on " + config.listen() + ": " + e.getMessage(), e);
        }
        LOG.info("receiver listening on {} root={} transport={} {}", serverChannel.localAddress(), store.root(), transport,
                TlsMaterial.describe(tls));
    }

    private static List<SeedTree> indexSeeds(List<Path> dirs) {
        List<SeedTree> seeds = new ArrayList<>();
        for (Path dir : dirs) {
            long start = System.nanoTime();
            SeedTree seed = SeedTree.index(dir);
            LOG.info("indexed seed {}: {} files, {} chunks, {} bytes in {} ms", seed.dir(), seed.manifest().fileCount(),
                    seed.manifest().chunks().count(), seed.manifest().totalBytes(), (System.nanoTime() - start) / 1_000_000);
            seeds.add(seed);
        }
        return List.copyOf(seeds);
    }

    /** Starts a receiver; {@code relays} forwards what a RELAY frame asks for ({@link RelayForwarding.Starter#NONE}: nothing can). */
    public static Receiver start(ReceiverConfig config, RelayForwarding.Starter relays) {
        return new Receiver(config, relays);
    }

    /** Closes {@code part} when this receiver closes, before its threads stop (a follower that visits origins on them). */
    public void attach(AutoCloseable part) {
        attached.add(part);
    }

    public ReceiverConfig config() {
        return config;
    }

    /** This receiver's key material (for the connections it makes: relaying, following); null for plaintext. */
    public TlsMaterial tls() {
        return tls;
    }

    /** Reads the key files again now (SIGHUP); false when they did not load and the current ones stay. */
    @Override
    public boolean reloadTls() {
        boolean taken = tls != null && tls.reload();
        store.record(AuditEvent.of("config-reload", Actor.operator(), null, null, null)
                .withOutcome(taken ? AuditEvent.OK : AuditEvent.FAILED, taken ? "TLS key files reloaded (SIGHUP)"
                        : tls == null ? "SIGHUP: plaintext, nothing to reload" : "SIGHUP: the new TLS key files did not load; the current ones stay"));
        return taken;
    }

    public ReleaseStore store() {
        return store;
    }

    @Override
    public Path root() {
        return store.root();
    }

    /** Accepted connections open now (what the connection caps count). */
    public int openConnections() {
        return connectionLimits.open();
    }

    /** The bound port (useful when configured with port 0). */
    @Override
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /**
     * The handlers of a connection this receiver receives on: an accepted push, or a follower's visit to
     * an origin ({@code opener} then goes right before the session, to speak first).
     */
    @SuppressWarnings("deprecation") // executor-bound handlers still work in Netty 4.2 and keep disk work off the event loop
    public void addReceiveHandlers(ChannelPipeline pipeline, ChannelHandler opener) {
        connections.add(pipeline.channel());
        ReadAheadLimiter readAhead = new ReadAheadLimiter(READ_AHEAD_HIGH_BYTES, READ_AHEAD_LOW_BYTES);
        pipeline.addLast("idle", new IdleStateHandler(config.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS))
                .addLast("frameDecoder", new FrameDecoder())
                .addLast("frameEncoder", FrameEncoder.INSTANCE)
                .addLast("readAhead", readAhead);
        if (opener != null) {
            pipeline.addLast("opener", opener);
        } else { // accepted, not opened by this receiver (a follower waits for its origin's HELLO as long as it holds it)
            Duration helloDeadline = config.idleTimeout().compareTo(HelloDeadline.DEFAULT) < 0 ? config.idleTimeout() : HelloDeadline.DEFAULT;
            pipeline.addLast("helloDeadline", new HelloDeadline(helloDeadline));
        }
        pipeline.addLast("chunkBatcher", new ChunkBatcher())
                .addLast(diskGroup, "session", new ReceiveSession(sessionContext, readAhead));
    }

    public EventLoopGroup ioGroup() {
        return ioGroup;
    }

    public synchronized ExecutorService relayEncoders() {
        if (relayEncoders == null) {
            relayEncoders = EncoderPools.newPool(config.diskThreads(), "skiff-relay-encode");
        }
        return relayEncoders;
    }

    /** "channel/release-id" of the transfers this receiver is running now (a cut one stays until its chunks are journaled). */
    @Override
    public Set<String> transfersInProgress() {
        return transfers.inProgress();
    }

    /** Blocks until the server channel closes (e.g. by {@link #close()} from a shutdown hook). */
    @Override
    public void awaitClose() throws InterruptedException {
        serverChannel.closeFuture().sync();
    }

    /** Stops accepting, lets sessions finish their current frame, releases threads. Closing twice does nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (AutoCloseable part : attached) {
            try {
                part.close();
            } catch (Exception e) {
                LOG.warn("closing {}: {}", part, e.toString());
            }
        }
        serverChannel.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS); // sessions end as on a cut: journals kept
        shutdownGroups();
    }

    /**
     * Stops the event loops and the disk executors together, each with a short quiet period: a closed
     * connection's pipeline is torn down by tasks that hop between the two, and an executor still
     * shutting down accepts them where a terminated one would reject them.
     */
    private void shutdownGroups() {
        io.netty.util.concurrent.Future<?> boss = bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        io.netty.util.concurrent.Future<?> io = ioGroup.shutdownGracefully(QUIET_MILLIS, 2000, TimeUnit.MILLISECONDS);
        io.netty.util.concurrent.Future<?> disk = diskGroup.shutdownGracefully(QUIET_MILLIS, 2000, TimeUnit.MILLISECONDS);
        boss.syncUninterruptibly();
        io.syncUninterruptibly();
        disk.syncUninterruptibly();
        verifiers.close();
        refusals.close();
        if (smoke != null) {
            smoke.close();
        }
        if (segmentBuffers != null) {
            segmentBuffers.close();
        }
        synchronized (this) {
            if (relayEncoders != null) {
                relayEncoders.shutdownNow();
            }
        }
    }
}
