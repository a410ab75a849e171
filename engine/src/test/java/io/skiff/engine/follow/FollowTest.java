package io.skiff.engine.follow;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.skiff.engine.Skiff;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.PushListener;
import io.skiff.engine.api.PushOptions;
import io.skiff.engine.api.PushResult;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.encode.DeltaTransferTest;
import io.skiff.engine.receive.Receiver;
import io.skiff.engine.testing.RawClient;
import io.skiff.engine.testing.TestTrees;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.ProtocolLimits;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.frame.ErrorFrame;
import io.skiff.protocol.frame.FollowFrame;
import io.skiff.protocol.frame.FollowWaitFrame;
import io.skiff.protocol.frame.FrameDecoder;
import io.skiff.protocol.frame.FrameDescriptor;
import io.skiff.protocol.frame.FrameEncoder;
import io.skiff.protocol.frame.HelloFrame;
import io.skiff.protocol.frame.OfferFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pull-based followers over loopback: an origin serves the releases a receiver root holds (releases
 * are published by pushing to that receiver); a receiver started later with {@code --follow} catches
 * up by itself and follows the next release. Tests of the long poll (FOLLOW_WAIT) set the follow
 * interval to 10 minutes, so that a visit a follower makes on its own schedule cannot explain what
 * they observe within their deadlines; with an interval below a second a follower asks with plain
 * FOLLOW and polls (the first two tests).
 */
class FollowTest {
    private static final String CHANNEL = "loinc";
    private static final Duration NEVER_POLL = Duration.ofMinutes(10);

    @TempDir
    Path tmp;
    private final List<AutoCloseable> running = new ArrayList<>();

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

    /** Until {@code receiver}'s current release of the channel is {@code id}, at most 20 s. */
    private static void awaitCurrent(Receiver receiver, Sha256 id) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!receiver.store().current(CHANNEL).equals(Optional.of(id)) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(Optional.of(id), receiver.store().current(CHANNEL));
    }

    /** Until {@code value} is {@code expected}, at most 20 s. */
    private static void await(String what, IntSupplier value, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (value.getAsInt() != expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(expected, value.getAsInt(), what);
    }

    private Receiver publisher(String root) {
        return keep(Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve(root))));
    }

    private Receiver follower(String root, int originPort, Duration interval) {
        return keep(Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve(root))
                .withFollow(new HostPort("127.0.0.1", originPort), CHANNEL, interval)));
    }

    private static PushResult publish(Path tree, String version, Receiver to) {
        PushResult result = Skiff.push(tree, CHANNEL, version, List.of(new HostPort("127.0.0.1", to.port())),
                PushOptions.defaults().withHistory(null), PushListener.NONE);
        assertTrue(result.allActivated(), result.toString());
        return result;
    }

    /** v1 (a text file and a binary one) under tmp/v1, and v2 (a few rows edited) under tmp/v2. */
    private void writeReleases() throws IOException {
        Path v1 = tmp.resolve("v1");
        TestTrees.textFile(v1.resolve("Loinc.csv"), 2_000_000, 1);
        TestTrees.randomFile(v1.resolve("map.bin"), 300_000, 2);
        Path v2 = tmp.resolve("v2");
        DeltaTransferTest.editRows(v1.resolve("Loinc.csv"), v2.resolve("Loinc.csv"), 3);
        Files.copy(v1.resolve("map.bin"), v2.resolve("map.bin"));
    }

    @Test
    void shouldCatchUpWhenStartedLateAndFollowTheNextRelease() throws Exception {
        Path v1 = tmp.resolve("v1");
        TestTrees.textFile(v1.resolve("Loinc.csv"), 3_000_000, 1);
        TestTrees.randomFile(v1.resolve("map.bin"), 500_000, 2);
        Receiver published = keep(Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("origin-root"))));
        PushOptions options = PushOptions.defaults().withHistory(tmp.resolve("history"));
        PushResult first = Skiff.push(v1, CHANNEL, "2.80", List.of(new HostPort("127.0.0.1", published.port())), options,
                PushListener.NONE);
        assertTrue(first.allActivated());
        Origin origin = keep(Origin.start(new HostPort("127.0.0.1", 0), tmp.resolve("origin-root"), Duration.ofSeconds(30), "test-origin"));

        Receiver follower = keep(Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("follower"))
                .withFollow(new HostPort("127.0.0.1", origin.port()), CHANNEL, Duration.ofMillis(100))));

        awaitCurrent(follower, first.manifest().releaseId());
        TestTrees.assertSameTree(v1, follower.store().channelDir(CHANNEL).resolve("current"));

        Path v2 = tmp.resolve("v2");
        DeltaTransferTest.editRows(v1.resolve("Loinc.csv"), v2.resolve("Loinc.csv"), 3);
        Files.copy(v1.resolve("map.bin"), v2.resolve("map.bin"));
        PushResult second = Skiff.push(v2, CHANNEL, "2.81", List.of(new HostPort("127.0.0.1", published.port())), options,
                PushListener.NONE);
        assertTrue(second.allActivated());

        awaitCurrent(follower, second.manifest().releaseId());
        TestTrees.assertSameTree(v2, follower.store().channelDir(CHANNEL).resolve("current"));
        String audit = Files.readString(follower.store().channelDir(CHANNEL).resolve("activations.log"));
        assertTrue(audit.contains("version=2.80") && audit.contains("version=2.81"), audit);
    }

    @Test
    void shouldKeepTryingWhileTheOriginIsDownOrHasNothing() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Receiver follower = keep(Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("follower"))
                .withFollow(new HostPort("127.0.0.1", port), CHANNEL, Duration.ofMillis(100))));
        Thread.sleep(300); // a few refused visits
        Files.createDirectories(tmp.resolve("empty-root"));
        Origin empty = Origin.start(new HostPort("127.0.0.1", port), tmp.resolve("empty-root"), Duration.ofSeconds(30), "empty");
        Thread.sleep(300); // a few visits to an origin without the channel
        empty.close();

        Path v1 = tmp.resolve("v1");
        TestTrees.textFile(v1.resolve("Loinc.csv"), 1_000_000, 4);
        Receiver published = keep(Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("origin-root"))));
        PushResult release = Skiff.push(v1, CHANNEL, "2.80", List.of(new HostPort("127.0.0.1", published.port())),
                PushOptions.defaults().withHistory(null), PushListener.NONE);
        keep(Origin.start(new HostPort("127.0.0.1", port), tmp.resolve("origin-root"), Duration.ofSeconds(30), "test-origin"));

        awaitCurrent(follower, release.manifest().releaseId());
        TestTrees.assertSameTree(v1, follower.store().channelDir(CHANNEL).resolve("current"));
    }

    @Test
    void shouldGetANewReleaseWhileWaitingOnTheOriginWhenItIsPublished() throws Exception {
        writeReleases();
        Receiver published = publisher("origin-root");
        PushResult first = publish(tmp.resolve("v1"), "2.80", published);
        Origin origin = keep(Origin.start(new HostPort("127.0.0.1", 0), tmp.resolve("origin-root"), Duration.ofSeconds(120), "test-origin"));
        Receiver follower = follower("follower", origin.port(), NEVER_POLL);
        awaitCurrent(follower, first.manifest().releaseId());
        await("followers held by the origin", origin::waitingFollowers, 1);

        PushResult second = publish(tmp.resolve("v2"), "2.81", published);

        awaitCurrent(follower, second.manifest().releaseId());
        TestTrees.assertSameTree(tmp.resolve("v2"), follower.store().channelDir(CHANNEL).resolve("current"));
        await("followers held by the origin after v2", origin::waitingFollowers, 1); // it waits for the next one
        String audit = Files.readString(follower.store().channelDir(CHANNEL).resolve("activations.log"));
        assertTrue(audit.contains("version=2.80") && audit.contains("version=2.81"), audit);
    }

    @Test
    void shouldGetTheCurrentReleaseAtOnceWhenHoldingNothingOrAnOlderOne() throws Exception {
        writeReleases();
        Receiver published = publisher("origin-root");
        PushResult first = publish(tmp.resolve("v1"), "2.80", published);
        Receiver stale = publisher("stale");
        publish(tmp.resolve("v1"), "2.80", stale);
        stale.close(); // its root comes back below as a follower holding v1
        PushResult second = publish(tmp.resolve("v2"), "2.81", published);
        Origin origin = keep(Origin.start(new HostPort("127.0.0.1", 0), tmp.resolve("origin-root"), Duration.ofSeconds(120), "test-origin"));

        Receiver empty = follower("empty", origin.port(), NEVER_POLL);
        Receiver older = follower("stale", origin.port(), NEVER_POLL);

        awaitCurrent(empty, second.manifest().releaseId());
        awaitCurrent(older, second.manifest().releaseId());
        TestTrees.assertSameTree(tmp.resolve("v2"), empty.store().channelDir(CHANNEL).resolve("current"));
        TestTrees.assertSameTree(tmp.resolve("v2"), older.store().channelDir(CHANNEL).resolve("current"));
        assertTrue(older.store().releases(CHANNEL).contains(first.manifest().releaseId()), "v1 is kept as a retained release");
        await("followers held by the origin", origin::waitingFollowers, 2);
    }

    @Test
    void shouldReconnectAfterTheRetryWaitWhenTheOriginRestartsWhileItWaits() throws Exception {
        writeReleases();
        Receiver published = publisher("origin-root");
        PushResult first = publish(tmp.resolve("v1"), "2.80", published);
        Origin origin = Origin.start(new HostPort("127.0.0.1", 0), tmp.resolve("origin-root"), Duration.ofSeconds(120), "test-origin");
        int port = origin.port();
        Receiver follower = follower("follower", port, Duration.ofSeconds(3)); // retry wait and max wait 3 s
        awaitCurrent(follower, first.manifest().releaseId());
        await("followers held by the origin", origin::waitingFollowers, 1);

        origin.close();
        PushResult second = publish(tmp.resolve("v2"), "2.81", published);
        Origin restarted = keep(Origin.start(new HostPort("127.0.0.1", port), tmp.resolve("origin-root"), Duration.ofSeconds(120),
                "test-origin"));

        awaitCurrent(follower, second.manifest().releaseId());
        TestTrees.assertSameTree(tmp.resolve("v2"), follower.store().channelDir(CHANNEL).resolve("current"));
        await("followers held by the restarted origin", restarted::waitingFollowers, 1);
    }

    @Test
    void shouldAnswerAFollowerInTheProtocolItSaid() throws Exception {
        writeReleases();
        Receiver published = publisher("origin-root");
        Sha256 v1 = publish(tmp.resolve("v1"), "2.80", published).manifest().releaseId();
        Origin origin = keep(Origin.start(new HostPort("127.0.0.1", 0), tmp.resolve("origin-root"), Duration.ofSeconds(120), "test-origin"));
        for (int version : new int[]{FrameDescriptor.OLDEST_PROTOCOL_VERSION, FrameDescriptor.PROTOCOL_VERSION}) {
            try (RawClient follower = new RawClient(origin.port())) {
                List<Object> answer = follower.send(new HelloFrame(version, "raw-follower")).send(new FollowFrame(CHANNEL)).read(2);
                assertEquals(version, assertInstanceOf(HelloFrame.class, answer.get(0)).protocolVersion(), "no RAW_RUN for an older follower");
                assertEquals(v1, assertInstanceOf(OfferFrame.class, answer.get(1)).releaseId());
            }
        }
        try (RawClient newer = new RawClient(origin.port())) {
            List<Object> answer = newer.send(new HelloFrame(FrameDescriptor.PROTOCOL_VERSION + 1, "raw-follower")).readUntilClosed();
            assertEquals(ErrorCode.UNEXPECTED_FRAME, assertInstanceOf(ErrorFrame.class, answer.get(0)).code(), answer.toString());
        }
    }

    @Test
    void shouldAnswerBusyBeyondMaxWaitingFollowersButServeAStaleOneAtOnce() throws Exception {
        writeReleases();
        Receiver published = publisher("origin-root");
        Sha256 v1 = publish(tmp.resolve("v1"), "2.80", published).manifest().releaseId();
        Origin origin = keep(Origin.start(new HostPort("127.0.0.1", 0), tmp.resolve("origin-root"), Duration.ofSeconds(120), "test-origin", 1));
        HelloFrame hello = new HelloFrame(FrameDescriptor.PROTOCOL_VERSION, "raw-follower");

        try (RawClient held = new RawClient(origin.port())) {
            held.send(hello).send(new FollowWaitFrame(CHANNEL, v1, 60));
            await("followers held by the origin", origin::waitingFollowers, 1);

            try (RawClient second = new RawClient(origin.port())) {
                List<Object> answer = second.send(hello).send(new FollowWaitFrame(CHANNEL, v1, 60)).readUntilClosed();
                assertEquals(ErrorCode.BUSY, assertInstanceOf(ErrorFrame.class, answer.get(0)).code(), answer.toString());
            }
            for (Sha256 stale : new Sha256[]{null, Sha256.digest(new byte[1])}) {
                try (RawClient third = new RawClient(origin.port())) {
                    List<Object> answer = third.send(hello).send(new FollowWaitFrame(CHANNEL, stale, 60)).read(2);
                    assertInstanceOf(HelloFrame.class, answer.get(0));
                    assertEquals(v1, assertInstanceOf(OfferFrame.class, answer.get(1)).releaseId());
                }
            }
            try (RawClient plain = new RawClient(origin.port())) {
                List<Object> answer = plain.send(hello).send(new FollowFrame(CHANNEL)).read(2);
                assertEquals(v1, assertInstanceOf(OfferFrame.class, answer.get(1)).releaseId());
            }
            assertEquals(1, origin.waitingFollowers());
        }
        await("followers held after the held one hung up", origin::waitingFollowers, 0);
    }

    @Test
    void shouldAskWithPlainFollowWhenTheOriginDoesNotKnowFollowWait() throws Exception {
        try (ServerSocket oldOrigin = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            oldOrigin.setSoTimeout(20_000);
            follower("follower", oldOrigin.getLocalPort(), Duration.ofSeconds(1));

            List<Object> first = readFramesThenAnswer(oldOrigin, new ErrorFrame(ErrorCode.UNEXPECTED_FRAME,
                    "an origin expects HELLO (protocol 2) then FOLLOW, got DecodeFailure[code=UNKNOWN_FRAME_TYPE]"));
            assertInstanceOf(FollowWaitFrame.class, first.get(1), first.toString());
            List<Object> second = readFramesThenAnswer(oldOrigin, new ErrorFrame(ErrorCode.SOURCE_INVALID, "no such channel"));
            assertEquals(new FollowFrame(CHANNEL), second.get(1), second.toString());
        }
    }

    /** Accepts one connection, reads its first two frames, answers {@code answer} and closes it. */
    private static List<Object> readFramesThenAnswer(ServerSocket server, ErrorFrame answer) throws IOException {
        try (Socket s = server.accept()) {
            s.setSoTimeout(10_000);
            EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder());
            List<Object> frames = new ArrayList<>();
            byte[] buf = new byte[256];
            while (frames.size() < 2) {
                int n = s.getInputStream().read(buf);
                assertTrue(n > 0, "closed after " + frames);
                decoder.writeInbound(Unpooled.copiedBuffer(buf, 0, n));
                for (Object o; (o = decoder.readInbound()) != null; ) {
                    frames.add(o);
                }
            }
            decoder.finishAndReleaseAll();
            ByteBuf out = FrameEncoder.encode(UnpooledByteBufAllocator.DEFAULT, answer);
            try {
                s.getOutputStream().write(ByteBufUtil.getBytes(out));
            } finally {
                out.release();
            }
            s.getOutputStream().flush();
            assertInstanceOf(HelloFrame.class, frames.get(0), frames.toString());
            return frames;
        }
    }

    @Test
    void shouldAskForTheIntervalButLessThanTheIdleTimeoutAndTheProtocolLimit() {
        assertEquals(30, Follower.maxWaitSeconds(Duration.ofSeconds(30), Duration.ofSeconds(120)));
        assertEquals(90, Follower.maxWaitSeconds(NEVER_POLL, Duration.ofSeconds(120)));
        assertEquals(ProtocolLimits.MAX_FOLLOW_WAIT_SECONDS, Follower.maxWaitSeconds(Duration.ofDays(1), Duration.ofDays(1)));
        assertEquals(0, Follower.maxWaitSeconds(Duration.ofMillis(100), Duration.ofSeconds(120))); // plain FOLLOW, polling
        assertEquals(0, Follower.maxWaitSeconds(Duration.ofSeconds(30), Duration.ofSeconds(1)));
    }
}
