package io.skiff.engine.follow;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.skiff.engine.Skiff;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.OriginConfig;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.api.TlsFiles;
import io.skiff.engine.receive.Receiver;
import io.skiff.engine.security.TlsMaterial;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.engine.store.TenantStores;
import io.skiff.engine.testing.ReceiverRoots;
import io.skiff.engine.testing.TestTrees;
import io.skiff.engine.transport.TlsPipelines;
import io.skiff.engine.transport.Transport;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.UsageException;
import io.skiff.protocol.frame.ErrorFrame;
import io.skiff.protocol.frame.FollowFrame;
import io.skiff.protocol.frame.FrameDecoder;
import io.skiff.protocol.frame.FrameDescriptor;
import io.skiff.protocol.frame.FrameEncoder;
import io.skiff.protocol.frame.HelloFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Grants at an origin, over real loopback TCP with mutual TLS and real roots: a follower is served a
 * channel only with a {@code follow} grant for its certificate's identity, and a tenanted grant serves
 * the channel from {@code ROOT/<tenant>/<channel>} (also to a follower held waiting for the next release).
 */
class OriginGrantsTest {
    private static final String CHANNEL = "icd10cm";
    private static final Duration NEVER_POLL = Duration.ofMinutes(10);
    private static final String GRANTS = """
            [[grant]]
            identity = "rx-follower"
            channels = ["icd10cm"]
            actions  = ["follow"]

            [[grant]]
            identity = "rx-acme"
            channels = ["icd10cm"]
            actions  = ["follow"]
            tenant   = "acme"

            [[grant]]
            identity = "rx-pusher"
            channels = ["icd10cm"]
            actions  = ["push"]
            """;

    @TempDir
    Path tmp;
    private Path originRoot;
    private Path grants;
    private final List<AutoCloseable> running = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        Path ca = tmp.resolve("ca");
        Skiff.initKeys(ca);
        for (String name : List.of("origin", "rx-follower", "rx-acme", "rx-pusher", "rx-nobody")) {
            Skiff.issueKeys(ca, name, tmp.resolve(name));
        }
        originRoot = Files.createDirectories(tmp.resolve("origin-root"));
        grants = Files.writeString(tmp.resolve("grants.toml"), GRANTS);
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
    }

    private <T extends AutoCloseable> T keep(T t) {
        running.add(t);
        return t;
    }

    private Origin origin(TlsFiles tls) {
        return keep(Origin.start(new OriginConfig(new HostPort("127.0.0.1", 0), originRoot, Duration.ofSeconds(60), "test-origin",
                Origin.DEFAULT_MAX_WAITING_FOLLOWERS, tls, grants)));
    }

    /** A receiver following the origin's channel with the certificate issued to {@code identity}, root tmp/&lt;identity&gt;-root. */
    private Receiver follower(String identity, Origin origin, Duration interval) {
        return keep(Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve(identity + "-root"))
                .withTls(TlsFiles.inDir(tmp.resolve(identity)))
                .withFollow(new HostPort("127.0.0.1", origin.port()), CHANNEL, interval)));
    }

    /** A two-file release tree under tmp/&lt;name&gt;. */
    private Path tree(String name, long seed) {
        Path dir = tmp.resolve(name);
        TestTrees.textFile(dir.resolve("codes.tsv"), 400_000, seed);
        TestTrees.randomFile(dir.resolve("map.bin"), 100_000, seed + 1);
        return dir;
    }

    private static void awaitCurrent(Receiver receiver, Sha256 id) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!receiver.store().current(CHANNEL).equals(Optional.of(id)) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(Optional.of(id), receiver.store().current(CHANNEL));
    }

    private static void await(String what, IntSupplier value, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (value.getAsInt() != expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(expected, value.getAsInt(), what);
    }

    @Test
    void shouldServeAFollowerWithAFollowGrant() throws Exception {
        Path v1 = tree("v1", 1);
        Manifest release = ReceiverRoots.activate(new ReleaseStore(originRoot, 3), v1, CHANNEL, "2027");
        Origin origin = origin(TlsFiles.inDir(tmp.resolve("origin")));

        Receiver follower = follower("rx-follower", origin, NEVER_POLL);

        awaitCurrent(follower, release.releaseId());
        TestTrees.assertSameTree(v1, follower.store().channelDir(CHANNEL).resolve("current"));
        TestTrees.assertSameTree(v1, originRoot.resolve(CHANNEL).resolve("current"));
    }

    @Test
    void shouldServeNothingToAFollowerWithoutAFollowGrantAndStillServeTheGrantedOne() throws Exception {
        Path v1 = tree("v1", 1);
        Manifest release = ReceiverRoots.activate(new ReleaseStore(originRoot, 3), v1, CHANNEL, "2027");
        Origin origin = origin(TlsFiles.inDir(tmp.resolve("origin")));

        // one identity whose deciding grant lacks follow, one that no grant names; both visit every 200 ms
        Receiver pusher = follower("rx-pusher", origin, Duration.ofMillis(200));
        Receiver nobody = follower("rx-nobody", origin, Duration.ofMillis(200));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            assertEquals(Optional.empty(), pusher.store().current(CHANNEL));
            assertEquals(Optional.empty(), nobody.store().current(CHANNEL));
            Thread.sleep(100);
        }
        assertFalse(Files.exists(tmp.resolve("rx-pusher-root").resolve(CHANNEL).resolve("current"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(tmp.resolve("rx-nobody-root").resolve(CHANNEL).resolve("current"), java.nio.file.LinkOption.NOFOLLOW_LINKS));

        // what they are told, on their connection only
        ErrorFrame refusal = assertInstanceOf(ErrorFrame.class, askToFollow("rx-pusher", origin.port()).get(0));
        assertEquals(ErrorCode.NOT_AUTHORIZED, refusal.code());
        assertEquals("rx-pusher may not follow icd10cm", refusal.message());
        ErrorFrame unnamed = assertInstanceOf(ErrorFrame.class, askToFollow("rx-nobody", origin.port()).get(0));
        assertEquals(ErrorCode.NOT_AUTHORIZED, unnamed.code());
        assertEquals("rx-nobody may not follow icd10cm", unnamed.message());

        Receiver granted = follower("rx-follower", origin, NEVER_POLL);
        awaitCurrent(granted, release.releaseId());
        TestTrees.assertSameTree(v1, granted.store().channelDir(CHANNEL).resolve("current"));
        assertEquals(Optional.empty(), pusher.store().current(CHANNEL));
    }

    @Test
    void shouldServeATenantedGrantFromTheTenantsDirectoryAndWakeItsHeldFollower() throws Exception {
        Path untenanted = tree("untenanted", 1);
        Path acmeV1 = tree("acme-v1", 3);
        Path acmeV2 = tree("acme-v2", 5);
        ReceiverRoots.activate(new ReleaseStore(originRoot, 3), untenanted, CHANNEL, "2027");
        ReleaseStore acme = new TenantStores(originRoot, 3).forTenant("acme");
        Manifest first = ReceiverRoots.activate(acme, acmeV1, CHANNEL, "2027-acme");
        Origin origin = origin(TlsFiles.inDir(tmp.resolve("origin")));

        Receiver follower = follower("rx-acme", origin, NEVER_POLL);

        awaitCurrent(follower, first.releaseId());
        TestTrees.assertSameTree(acmeV1, follower.store().channelDir(CHANNEL).resolve("current")); // ROOT/<channel>, its own root
        assertFalse(Files.exists(tmp.resolve("rx-acme-root").resolve("acme")));
        TestTrees.assertSameTree(acmeV1, originRoot.resolve("acme").resolve(CHANNEL).resolve("current"));

        // held (FOLLOW_WAIT) on acme/icd10cm: a new release of the tenant's channel wakes it
        await("followers held by the origin", origin::waitingFollowers, 1);
        Manifest second = ReceiverRoots.activate(acme, acmeV2, CHANNEL, "2028-acme");
        awaitCurrent(follower, second.releaseId());
        TestTrees.assertSameTree(acmeV2, follower.store().channelDir(CHANNEL).resolve("current"));

        // the untenanted channel of the same name still goes to the untenanted grant
        Receiver plain = follower("rx-follower", origin, NEVER_POLL);
        awaitCurrent(plain, ReleaseStore.inspect(originRoot).current(CHANNEL).orElseThrow());
        TestTrees.assertSameTree(untenanted, plain.store().channelDir(CHANNEL).resolve("current"));
    }

    @Test
    void shouldRefuseToStartAPlaintextOriginWithGrants() {
        UsageException e = assertThrows(UsageException.class, () -> origin(null));

        assertEquals("grants name TLS identities: an origin with --config needs TLS (--tls-dir), not --insecure", e.getMessage());
    }

    /**
     * Connects with mutual TLS as {@code identity}, says HELLO and FOLLOW of the channel, and returns the
     * frames the origin sent before it closed the connection (at most 10 s).
     */
    private List<Object> askToFollow(String identity, int port) throws InterruptedException {
        TlsMaterial tls = TlsMaterial.load(TlsFiles.inDir(tmp.resolve(identity)));
        List<Object> frames = new CopyOnWriteArrayList<>();
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newEventLoopGroup(1, "test-follow-client");
        try {
            Channel ch = new Bootstrap().group(group).channel(transport.clientChannel())
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast(new FrameDecoder(), FrameEncoder.INSTANCE, new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    frames.add(msg);
                                    ReferenceCountUtil.release(msg);
                                }
                            });
                            TlsPipelines.addClient(c.pipeline(), tls.client(), "127.0.0.1", port, "origin");
                        }
                    })
                    .connect("127.0.0.1", port).syncUninterruptibly().channel();
            ch.write(new HelloFrame(FrameDescriptor.PROTOCOL_VERSION, "raw-follower"));
            ch.writeAndFlush(new FollowFrame(CHANNEL));
            assertTrue(ch.closeFuture().await(10, TimeUnit.SECONDS), "the origin did not close the connection");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        assertFalse(frames.isEmpty(), "nothing from the origin");
        return frames;
    }
}
