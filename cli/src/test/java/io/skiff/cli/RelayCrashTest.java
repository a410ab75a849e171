package io.skiff.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.skiff.engine.Skiff;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.manifest.ManifestBuilder;
import io.skiff.engine.receive.Receiver;
import io.skiff.engine.testing.FaultyProxy;
import io.skiff.engine.testing.TestTrees;
import io.skiff.protocol.ChunkingParams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 7: the relay of a region is killed mid-transfer, and the region still completes via fallback.
 * The relay is a {@code skiff receive} in its own JVM, killed with SIGKILL once the sender has pushed
 * about a third of the release to it; the sender reaches it through a throttling proxy so that moment
 * falls inside the transfer. The region's two other targets are receivers in the test's JVM: what is
 * under test is what the relay's death does to them (its connections to them reset, as the kernel
 * closes a killed process's sockets) and to the sender, which a second JVM per target would not change;
 * in-process they start fast and their roots can be read while they run. Every target's
 * {@code internal=} address is its real port, so only the sender's traffic to the relay is throttled.
 * Nothing here asserts a duration.
 */
class RelayCrashTest {
    /** Sender-to-relay bytes per second through the proxy: the release takes about 3.5 s. */
    private static final long RATE = 2_000_000;
    private static final String CHANNEL = "snomed";

    @TempDir
    Path tmp;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void shouldCompleteTheRegionViaFallbackWhenItsRelayIsKilledMidTransfer() throws Exception {
        Path src = tmp.resolve("src");
        TestTrees.randomFile(src.resolve("snomed/sct2_Concept.bin"), 5_000_000, 71); // incompressible: zstd cannot shrink it
        TestTrees.randomFile(src.resolve("snomed/sct2_Relationship.bin"), 2_000_000, 72);
        TestTrees.randomFile(src.resolve("README.bin"), 20_000, 73);
        long releaseBytes = ManifestBuilder.build(src, CHANNEL, "2027-01", ChunkingParams.DEFAULT, 2).totalBytes();

        Path relayRoot = tmp.resolve("eu-1");
        SkiffProcess relay = SkiffProcess.receiver(relayRoot, "--journal-sync", "50");
        open.add(relay);
        FaultyProxy toRelay = new FaultyProxy(relay.port()).throttle(RATE);
        open.add(toRelay);
        Receiver eu2 = receiver("eu-2");
        Receiver eu3 = receiver("eu-3");
        String relayAddress = "127.0.0.1:" + toRelay.port();
        String eu2Address = "127.0.0.1:" + eu2.port();
        String eu3Address = "127.0.0.1:" + eu3.port();
        Path topology = Files.write(tmp.resolve("fleet.topology"), List.of(
                "# the sender reaches the relay through the throttling proxy; relays use the real ports",
                "eu " + relayAddress + " internal=127.0.0.1:" + relay.port() + " relay",
                "eu " + eu2Address + " internal=" + eu2Address,
                "eu " + eu3Address + " internal=" + eu3Address));

        CompletableFuture<CliTest.Run> pushing = CompletableFuture.supplyAsync(() -> CliTest.skiff("push", src.toString(),
                "--channel", CHANNEL, "--version", "2027-01", "--topology", topology.toString(), "--json", "--min-success", "2",
                "--retries", "1", "--retry-wait", "0.1", "--idle-timeout", "10", "--no-history", "--no-progress"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (toRelay.bytesClientToServer() < releaseBytes / 3 && !pushing.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        long forwardedAtKill = toRelay.bytesClientToServer();
        assertFalse(pushing.isDone(), "the push ended before the relay was killed: " + (pushing.isDone() ? pushing.join() : ""));
        assertTrue(forwardedAtKill >= releaseBytes / 3, "the proxy forwarded only " + forwardedAtKill + " bytes in 30 s");
        relay.kill();
        CliTest.Run run = pushing.get(60, TimeUnit.SECONDS);
        String where = "killed the relay after " + forwardedAtKill + " of " + releaseBytes + " release bytes";

        // --min-success 2: the two targets that activated are enough; the dead relay is still reported
        assertEquals(0, run.exit(), where + ": " + run.out() + run.err());
        JsonNode json = run.json();
        assertEquals(2, json.get("targets_activated").asInt(), where + ": " + run.out());
        assertFalse(json.get("all_activated").asBoolean(), where);
        Map<String, JsonNode> targets = new HashMap<>();
        json.get("targets").forEach(t -> targets.put(t.get("target").asText(), t));
        assertEquals(3, targets.size(), run.out());
        JsonNode dead = targets.get(relayAddress);
        assertEquals("failed", dead.get("status").asText(), where + ": " + dead);
        assertEquals("fallback", dead.get("route").asText(), where + ": the sender pushed to the dead relay itself: " + dead);
        assertEquals("eu", dead.get("region").asText());
        JsonNode next = targets.get(eu2Address);
        assertEquals("activated", next.get("status").asText(), where + ": " + next);
        assertEquals("relay", next.get("route").asText(), where + ": the next target relays: " + next);
        JsonNode third = targets.get(eu3Address);
        assertEquals("activated", third.get("status").asText(), where + ": " + third);
        assertEquals("relayed", third.get("route").asText(), where + ": " + third);
        assertEquals(eu2Address, third.get("via").asText(), where + ": " + third);
        assertTrue(run.err().contains("skiff: error: " + relayAddress + ": "), "the failed relay is named on stderr: " + run.err());
        TestTrees.assertSameTree(src, eu2.store().channelDir(CHANNEL).resolve("current"));
        TestTrees.assertSameTree(src, eu3.store().channelDir(CHANNEL).resolve("current"));

        // The killed relay, restarted on its root: current is absent or whole, never partial; a push completes it.
        SkiffProcess restarted = SkiffProcess.receiver(relayRoot, "--journal-sync", "50");
        open.add(restarted);
        Path current = relayRoot.resolve(CHANNEL).resolve("current");
        boolean hadCurrent = Files.exists(current, LinkOption.NOFOLLOW_LINKS);
        CliTest.Run verify = CliTest.skiff("verify", "--root", relayRoot.toString(), "--json");
        assertEquals(0, verify.exit(), where + ": " + verify.out() + verify.err());
        if (hadCurrent) {
            TestTrees.assertSameTree(src, current);
        }
        CliTest.Run again = CliTest.skiff("push", src.toString(), "--channel", CHANNEL, "--version", "2027-01",
                "--to", "127.0.0.1:" + restarted.port(), "--json", "--retry-wait", "0.1", "--no-history", "--no-progress");
        assertEquals(0, again.exit(), where + ": " + again.err() + restarted.output());
        TestTrees.assertSameTree(src, current);
        JsonNode resumed = again.json().get("targets").get(0);
        System.out.println("RelayCrashTest: " + where + "; routes: " + dead.get("route").asText() + " (" + dead.get("error_code").asText()
                + "), " + next.get("route").asText() + ", " + third.get("route").asText() + " via " + third.get("via").asText()
                + "; restarted relay: current " + (hadCurrent ? "whole" : "absent") + ", push resumed with "
                + resumed.get("chunks_sent").asInt() + "/" + resumed.get("chunks_total").asInt() + " chunks sent");
    }

    private Receiver receiver(String name) {
        Receiver r = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve(name)));
        open.add(r);
        return r;
    }
}
