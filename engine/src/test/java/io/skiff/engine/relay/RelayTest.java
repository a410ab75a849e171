package io.skiff.engine.relay;

import io.skiff.engine.Skiff;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.PushListener;
import io.skiff.engine.api.PushOptions;
import io.skiff.engine.api.PushResult;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.api.TargetResult;
import io.skiff.engine.api.Topology;
import io.skiff.engine.receive.Receiver;
import io.skiff.engine.testing.FaultyProxy;
import io.skiff.engine.testing.TestTrees;
import io.skiff.protocol.frame.ChunkEncoding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Regions with relays over loopback: the sender's connections go through counting proxies, the
 * relays reach their region's targets directly (the topology's internal addresses), so the proxies
 * count exactly what left the sender.
 */
class RelayTest {
    private static final String CHANNEL = "snomed";

    @TempDir
    Path tmp;
    private final List<Receiver> receivers = new ArrayList<>();
    private final List<FaultyProxy> proxies = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (FaultyProxy p : proxies) {
            p.close();
        }
        receivers.forEach(Receiver::close);
    }

    /** A receiver and the proxy the sender reaches it through. */
    private record Host(Receiver receiver, FaultyProxy proxy) {
        Topology.Target target() {
            return new Topology.Target(new HostPort("127.0.0.1", proxy.port()), new HostPort("127.0.0.1", receiver.port()), 0, false);
        }

        String address() {
            return target().address().toString();
        }

        Path current() {
            return receiver.store().channelDir(CHANNEL).resolve("current");
        }
    }

    private Host host(String name) throws IOException {
        return host(name, true);
    }

    private Host host(String name, boolean relays) throws IOException {
        Receiver r = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve(name)).withRelay(relays));
        receivers.add(r);
        FaultyProxy proxy = new FaultyProxy(r.port());
        proxies.add(proxy);
        return new Host(r, proxy);
    }

    private static Topology.Region region(String name, Host... hosts) {
        return new Topology.Region(name, java.util.Arrays.stream(hosts).map(Host::target).toList());
    }

    private static Map<String, TargetResult> byTarget(PushResult result) {
        return result.targets().stream().collect(Collectors.toMap(TargetResult::target, Function.identity()));
    }

    private Path release() {
        Path src = tmp.resolve("src");
        TestTrees.randomFile(src.resolve("snomed/sct2_Concept.bin"), 2_000_000, 11);
        TestTrees.textFile(src.resolve("snomed/sct2_Description.txt"), 3_000_000, 12);
        return src;
    }

    @Test
    void shouldSendEachRegionOnceAndLetItsRelayForwardToTheRest() throws IOException {
        Path src = release();
        Host single = host("single");
        // level 9: the relays compress at level 1, so forwarded chunks are told apart from compressed-again ones
        PushOptions options = PushOptions.defaults().withZstdLevel(9);
        PushResult alone = Skiff.push(src, CHANNEL, "2027-01", Topology.direct(List.of(new HostPort("127.0.0.1", single.proxy().port()))),
                options, PushListener.NONE);
        assertTrue(alone.allActivated());
        long oneTarget = single.proxy().bytesClientToServer();

        Host eu1 = host("eu-1"), eu2 = host("eu-2"), eu3 = host("eu-3");
        Host us1 = host("us-1"), us2 = host("us-2"), us3 = host("us-3");
        Topology topology = new Topology(List.of(region("eu", eu1, eu2, eu3), region("us", us1, us2, us3)));

        Map<String, Long> reportedWanted = new java.util.concurrent.ConcurrentHashMap<>();
        PushListener listener = new PushListener() {
            @Override
            public void plannedByRelay(String target, String relay, long bytesWanted) {
                reportedWanted.put(target, bytesWanted);
            }
        };
        PushResult result = Skiff.push(src, CHANNEL, "2027-01", topology, options, listener);

        assertTrue(result.allActivated(), result::toString);
        Map<String, TargetResult> byTarget = byTarget(result);
        for (Host h : List.of(eu2, eu3, us2, us3)) {
            assertEquals(result.manifest().totalBytes(), reportedWanted.get(h.address()),
                    "the relay reported what an empty target asked for: the whole release");
        }
        for (Host[] region : new Host[][]{{eu1, eu2, eu3}, {us1, us2, us3}}) {
            assertEquals(TargetResult.Route.RELAY, byTarget.get(region[0].address()).route());
            for (Host h : region) {
                TestTrees.assertSameTree(src, h.current());
            }
            for (Host h : List.of(region[1], region[2])) {
                TargetResult r = byTarget.get(h.address());
                assertEquals(TargetResult.Route.RELAYED, r.route());
                assertEquals(region[0].address(), r.via());
                assertTrue(r.bytesWire() > 0 && r.chunksSent() == r.chunksTotal(), r::toString);
                assertEquals(byTarget.get(region[0].address()).delta().encodings().get(ChunkEncoding.ZSTD),
                        r.delta().encodings().get(ChunkEncoding.ZSTD), "the relay forwarded the zstd chunks as they arrived");
                assertEquals(0, h.proxy().connections(), "the sender never connected to " + h.address());
                io.skiff.engine.api.AuditReport trail = io.skiff.engine.audit.AuditVerifier.verify(h.receiver().root().resolve("audit"), null);
                assertEquals(new io.skiff.engine.api.AuditAnchor(trail.trailId(), trail.headSeq(), trail.headHash()), r.auditHead(),
                        "the relay passed on the head of " + h.address() + "'s trail");
            }
        }
        long leftSender = eu1.proxy().bytesClientToServer() + us1.proxy().bytesClientToServer();
        assertTrue(leftSender <= 2.2 * oneTarget, "sent " + leftSender + " bytes for 2 regions; one target takes " + oneTarget);
        assertEquals(byTarget.get(eu1.address()).bytesWire() + byTarget.get(us1.address()).bytesWire(), result.bytesWire(),
                "bytes_wire counts what left the sender: the two relays");
    }

    @Test
    void shouldLetTheRelayEncodeEachTargetsDeltaAgainstWhatItHolds() throws IOException {
        Path src = release();
        Host eu1 = host("eu-1"), eu2 = host("eu-2"), eu3 = host("eu-3");
        Topology topology = new Topology(List.of(region("eu", eu1, eu2, eu3)));
        // level 9: the relays encode at their own level, so forwarded chunks are told apart from encoded-again ones
        PushOptions options = PushOptions.defaults().withHistory(tmp.resolve("history")).withZstdLevel(9);
        PushResult v1 = Skiff.push(src, CHANNEL, "2027-01", topology, options, PushListener.NONE);
        assertTrue(v1.allActivated());
        appendLines(src.resolve("snomed/sct2_Description.txt"), 200);

        PushResult v2 = Skiff.push(src, CHANNEL, "2027-02", topology, options, PushListener.NONE);

        assertTrue(v2.allActivated(), v2::toString);
        for (Host h : List.of(eu1, eu2, eu3)) {
            TestTrees.assertSameTree(src, h.current());
        }
        for (Host h : List.of(eu2, eu3)) {
            TargetResult r = byTarget(v2).get(h.address());
            assertEquals(TargetResult.Route.RELAYED, r.route());
            assertEquals(v1.manifest().releaseId(), r.delta().base(), "the relay encoded against v1, which the target holds");
            assertTrue(r.chunksSent() < r.chunksTotal() / 4, r::toString);
            TargetResult relay = byTarget(v2).get(eu1.address());
            assertTrue(relay.delta().encodings().get(ChunkEncoding.ZSTD_REF).chunks() > 0, relay::toString);
            assertEquals(relay.delta().encodings().get(ChunkEncoding.ZSTD_REF), r.delta().encodings().get(ChunkEncoding.ZSTD_REF),
                    "the relay forwarded the chunks encoded against v1 as they arrived: both hold v1");
        }
    }

    @Test
    void shouldFallBackToTheNextRelayWhenTheRelayDiesMidTransfer() throws Exception {
        Path src = tmp.resolve("src");
        TestTrees.randomFile(src.resolve("snomed/sct2_Concept.bin"), 6_000_000, 21);
        Host eu1 = host("eu-1"), eu2 = host("eu-2"), eu3 = host("eu-3");
        eu1.proxy().throttle(2_000_000);
        Topology topology = new Topology(List.of(region("eu", eu1, eu2, eu3)));
        Thread killer = new Thread(() -> {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (eu1.proxy().bytesClientToServer() < 2_000_000 && System.nanoTime() < deadline) {
                sleep(20);
            }
            eu1.receiver().close(); // the relay dies, and with it its connections to eu-2 and eu-3
        }, "relay-killer");
        killer.start();

        PushResult result = Skiff.push(src, CHANNEL, "2027-01", topology, PushOptions.defaults().withRetries(2, Duration.ofMillis(100)),
                PushListener.NONE);
        killer.join();

        Map<String, TargetResult> byTarget = byTarget(result);
        TargetResult deadRelay = byTarget.get(eu1.address());
        assertFalse(deadRelay.activated(), deadRelay::toString);
        assertEquals(TargetResult.Route.FALLBACK, deadRelay.route());
        TargetResult newRelay = byTarget.get(eu2.address());
        assertTrue(newRelay.activated(), newRelay::toString);
        assertEquals(TargetResult.Route.RELAY, newRelay.route());
        TargetResult relayed = byTarget.get(eu3.address());
        assertTrue(relayed.activated(), relayed::toString);
        assertEquals(TargetResult.Route.RELAYED, relayed.route());
        assertEquals(eu2.address(), relayed.via());
        TestTrees.assertSameTree(src, eu2.current());
        TestTrees.assertSameTree(src, eu3.current());
        assertTrue(eu1.receiver().store().current(CHANNEL).isEmpty(), "the dead relay activated nothing");
    }

    @Test
    void shouldLetARelayThatAlreadyHoldsTheReleaseForwardItToANewServer() throws IOException {
        Path src = release();
        Host eu1 = host("eu-1"), eu2 = host("eu-2");
        PushResult first = Skiff.push(src, CHANNEL, "2027-01", new Topology(List.of(region("eu", eu1, eu2))), PushOptions.defaults(),
                PushListener.NONE);
        assertTrue(first.allActivated(), first::toString);
        long sentBefore = eu1.proxy().bytesClientToServer();
        Host eu3 = host("eu-3"); // a server added to the region

        PushResult again = Skiff.push(src, CHANNEL, "2027-01", new Topology(List.of(region("eu", eu1, eu2, eu3))), PushOptions.defaults(),
                PushListener.NONE);

        assertTrue(again.allActivated(), again::toString);
        Map<String, TargetResult> byTarget = byTarget(again);
        assertTrue(byTarget.get(eu1.address()).alreadyActive(), "the relay already held the release");
        assertTrue(byTarget.get(eu2.address()).alreadyActive());
        TargetResult added = byTarget.get(eu3.address());
        assertEquals(TargetResult.Route.RELAYED, added.route());
        assertEquals(added.chunksTotal(), added.chunksSent(), "the new server got every chunk, from the relay");
        TestTrees.assertSameTree(src, eu3.current());
        assertEquals(0, eu3.proxy().connections(), "the sender never connected to the new server");
        assertTrue(eu1.proxy().bytesClientToServer() - sentBefore < 4096,
                "only the handshake left the sender: " + (eu1.proxy().bytesClientToServer() - sentBefore) + " bytes");
    }

    @Test
    void shouldStopARelayWhoseOwnTransferIsCutAndFinishTheRegionThroughTheNext() throws IOException {
        Path src = tmp.resolve("src");
        TestTrees.randomFile(src.resolve("snomed/sct2_Concept.bin"), 6_000_000, 41);
        Host eu1 = host("eu-1"), eu2 = host("eu-2"), eu3 = host("eu-3");
        eu1.proxy().throttle(4_000_000).cutConnectionsAt(2_000_000); // the relay's first connection is cut; it stays up
        Topology topology = new Topology(List.of(region("eu", eu1, eu2, eu3)));

        PushResult result = Skiff.push(src, CHANNEL, "2027-01", topology, PushOptions.defaults().withRetries(3, Duration.ofMillis(100)),
                PushListener.NONE);

        assertTrue(result.allActivated(), result::toString);
        Map<String, TargetResult> byTarget = byTarget(result);
        TargetResult cutRelay = byTarget.get(eu1.address());
        assertEquals(TargetResult.Route.FALLBACK, cutRelay.route(), "pushed directly after its relay connection was cut");
        assertEquals(TargetResult.Route.RELAY, byTarget.get(eu2.address()).route());
        assertEquals(TargetResult.Route.RELAYED, byTarget.get(eu3.address()).route());
        assertEquals(eu2.address(), byTarget.get(eu3.address()).via());
        for (Host h : List.of(eu1, eu2, eu3)) {
            TestTrees.assertSameTree(src, h.current());
        }
        long release = result.manifest().totalBytes();
        assertTrue(eu1.proxy().bytesClientToServer() < release * 1.3,
                "the cut relay resumed from its journal: " + eu1.proxy().bytesClientToServer() + " bytes for a " + release + "-byte release");
    }

    @Test
    void shouldFallBackWhenTheRelayRefusesToRelay() throws IOException {
        Path src = release();
        Host eu1 = host("eu-1", false), eu2 = host("eu-2"), eu3 = host("eu-3");
        Topology topology = new Topology(List.of(region("eu", eu1, eu2, eu3)));

        PushResult result = Skiff.push(src, CHANNEL, "2027-01", topology, PushOptions.defaults(), PushListener.NONE);

        assertTrue(result.allActivated(), result::toString);
        Map<String, TargetResult> byTarget = byTarget(result);
        assertEquals(TargetResult.Route.FALLBACK, byTarget.get(eu1.address()).route(), "pushed directly after refusing");
        assertEquals(TargetResult.Route.RELAY, byTarget.get(eu2.address()).route());
        assertEquals(TargetResult.Route.RELAYED, byTarget.get(eu3.address()).route());
        for (Host h : List.of(eu1, eu2, eu3)) {
            TestTrees.assertSameTree(src, h.current());
        }
        assertEquals(0, eu3.proxy().connections(), "eu-3 got it from the new relay, never from the sender");
    }

    private static void appendLines(Path file, int lines) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            text.append("900000").append(i).append("\tactive\tnew description ").append(i).append('\n');
        }
        Files.writeString(file, text, StandardOpenOption.APPEND);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
