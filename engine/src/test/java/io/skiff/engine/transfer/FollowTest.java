package io.skiff.engine.transfer;

import io.skiff.engine.Skiff;
import io.skiff.engine.testing.TestTrees;
import io.skiff.engine.transport.HostPort;
import io.skiff.protocol.Sha256;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pull-based followers over loopback: an origin serves the releases a receiver root holds; a receiver
 * started later with {@code --follow} catches up by itself and follows the next release.
 */
class FollowTest {
    private static final String CHANNEL = "loinc";

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
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
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
}
