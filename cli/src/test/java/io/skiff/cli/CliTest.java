package io.skiff.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.skiff.engine.Skiff;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.api.TargetResult;
import io.skiff.engine.receive.Receiver;
import io.skiff.engine.store.TenantStores;
import io.skiff.engine.testing.ReceiverRoots;
import io.skiff.engine.testing.FaultyProxy;
import io.skiff.engine.testing.TestTrees;
import io.skiff.protocol.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI contract, in-process: flags, --json fields, exit codes, one-line errors. */
class CliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    private Receiver receiver;
    private String target;

    record Run(int exit, String out, String err) {
        JsonNode json() throws IOException {
            return JSON.readTree(out);
        }
    }

    /** Runs a command line in-process; push, receive and serve plaintext on loopback unless told otherwise ({@link Plaintext}). */
    static Run skiff(String... args) {
        return skiffAsTyped(Plaintext.onLoopback(args));
    }

    /** Runs exactly {@code args}. */
    static Run skiffAsTyped(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = SkiffCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    @BeforeEach
    void startReceiver() {
        receiver = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("root")));
        target = "127.0.0.1:" + receiver.port();
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    private Path source() {
        Path src = tmp.resolve("src");
        TestTrees.textFile(src.resolve("codes/descriptions.txt"), 1_500_000, 1);
        TestTrees.randomFile(src.resolve("README.bin"), 10_000, 2);
        return src;
    }

    @Test
    void shouldListEveryCommandInHelp() {
        Run run = skiff("--help");
        assertEquals(0, run.exit());
        for (String command : new String[]{"push", "receive", "serve", "manifest", "status", "verify", "gc", "keys", "demo"}) {
            assertTrue(run.out().contains(command), "help lacks " + command + ":\n" + run.out());
        }
    }

    @Test
    void shouldNameEveryCommandInTheTableAsItsCommandAnnotationDoes() {
        for (Map.Entry<String, Supplier<Object>> command : SkiffCommand.COMMANDS.entrySet()) {
            CommandLine.Command annotation = command.getValue().get().getClass().getAnnotation(CommandLine.Command.class);
            assertEquals(command.getKey(), annotation.name(), "the table's name for " + annotation.name());
        }
        Run help = skiff("help", "push");
        assertEquals(0, help.exit(), help.err());
        assertTrue(help.out().startsWith("Usage: skiff push"), help.out());
        Run typo = skiff("pish");
        assertEquals(2, typo.exit());
        assertTrue(typo.err().contains("Did you mean: skiff push"), typo.err());
    }

    @Test
    void shouldPrintUsageForEveryCommandsHelp() {
        for (String command : new String[]{"push", "receive", "serve", "manifest", "diff", "status", "verify", "gc", "keys", "demo"}) {
            Run run = skiff(command, "--help");
            assertEquals(0, run.exit(), command + ": " + run.err());
            assertTrue(run.out().startsWith("Usage: skiff " + command), command + ":\n" + run.out());
        }
    }

    @Test
    void shouldPrintTheResultAsJsonWhenPushSucceeds() throws IOException {
        Path src = source();
        Run run = skiff("push", src.toString(), "--channel", "icd10cm", "--version", "2027-01", "--to", target, "--json");

        assertEquals(0, run.exit(), run.err());
        JsonNode json = run.json();
        assertEquals("icd10cm", json.get("channel").asText());
        assertEquals("2027-01", json.get("version").asText());
        assertEquals(64, json.get("release_id").asText().length());
        assertEquals(1_510_000, json.get("bytes_logical").asLong());
        assertTrue(json.get("bytes_wire").asLong() > 0);
        assertTrue(json.get("seconds").asDouble() > 0);
        JsonNode t = json.get("targets").get(0);
        assertEquals(target, t.get("target").asText());
        assertEquals("activated", t.get("status").asText());
        assertTrue(t.get("error").isNull());
        assertEquals(json.get("bytes_wire").asLong(), t.get("bytes_wire").asLong());
        TestTrees.assertSameTree(src, tmp.resolve("root/icd10cm/current"));
    }

    @Test
    void shouldReportTheDeltaBreakdownWhenPushingTheNextRelease() throws IOException {
        Path v1 = source();
        Path history = tmp.resolve("history");
        Run first = skiff("push", v1.toString(), "--channel", "icd10cm", "--version", "v1", "--to", target, "--json",
                "--history", history.toString());
        assertEquals(0, first.exit(), first.err());
        Path v2 = tmp.resolve("v2");
        Files.createDirectories(v2.resolve("codes"));
        Files.copy(v1.resolve("README.bin"), v2.resolve("README.bin"));
        String text = Files.readString(v1.resolve("codes/descriptions.txt"));
        Files.writeString(v2.resolve("codes/descriptions.txt"), text.replace("fracture", "fractures"));

        Run second = skiff("push", v2.toString(), "--channel", "icd10cm", "--version", "v2", "--to", target, "--json",
                "--history", history.toString());

        assertEquals(0, second.exit(), second.err());
        JsonNode t = second.json().get("targets").get(0);
        assertEquals(first.json().get("release_id").asText(), t.get("base_release_id").asText());
        int sent = t.get("chunks_sent").asInt();
        assertTrue(sent > 0);
        assertEquals(sent, t.get("encodings").get("zstd_ref").get("chunks").asInt(), t.toString());
        assertEquals(0, t.get("encodings").get("raw").get("chunks").asInt());
        assertEquals(1, t.get("chunks_copied_locally").asInt(), "README.bin is unchanged");
        assertTrue(t.get("manifest_bytes").asLong() > 0);
        assertTrue(t.get("bytes_wire").asLong() < first.json().get("bytes_wire").asLong() / 2, t.toString()); // "fracture" is on every few rows
        assertTrue(Files.isDirectory(history.resolve("icd10cm/releases").resolve(second.json().get("release_id").asText())));
        Run estimate = skiff("diff", v1.toString(), v2.toString(), "--json");
        long estimated = estimate.json().get("bytes_wire_estimate").asLong();
        long actual = t.get("bytes_wire").asLong();
        assertTrue(Math.abs(estimated - actual) < actual / 4, "diff estimated " + estimated + ", the push sent " + actual);
        TestTrees.assertSameTree(v2, tmp.resolve("root/icd10cm/current"));

        Run human = skiff("push", v1.toString(), "--channel", "icd10cm", "--version", "v1", "--to", target, "--no-history");
        assertEquals(0, human.exit(), human.err());
        assertTrue(human.out().contains("copied locally"), human.out());
    }

    @Test
    void shouldRefuseHistoryAndNoHistoryTogether() {
        Run run = skiff("push", source().toString(), "--channel", "c", "--version", "v", "--to", target, "--history", "h", "--no-history");
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("--history and --no-history"), run.err());
    }

    @Test
    void shouldPrintAHumanSummaryWithoutJson() {
        Run run = skiff("push", source().toString(), "--channel", "icd10cm", "--version", "v1", "--to", target);
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("activated"), run.out());
        assertTrue(run.out().contains("1 of 1 targets activated"), run.out());
    }

    @Test
    void shouldFailWithOneLineWhenTheSourceDoesNotExist() {
        Run run = skiff("push", tmp.resolve("missing").toString(), "--channel", "c", "--version", "v", "--to", target);
        assertEquals(2, run.exit());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().startsWith("skiff: error: "), run.err());
        assertTrue(run.err().contains("missing"), run.err());
    }

    @Test
    void shouldFailWhenTheSourceIsEmpty() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Run run = skiff("push", empty.toString(), "--channel", "c", "--version", "v", "--to", target);
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("empty"), run.err());
    }

    @Test
    void shouldFailWithExitThreeWhenTheTargetIsNotListening() throws IOException {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Run run = skiff("push", source().toString(), "--channel", "c", "--version", "v", "--to", "127.0.0.1:" + closedPort, "--json",
                "--retries", "2", "--retry-wait", "0.01");
        assertEquals(3, run.exit());
        JsonNode t = run.json().get("targets").get(0);
        assertEquals("failed", t.get("status").asText());
        assertEquals("connect_failed", t.get("error_code").asText());
        assertEquals(3, t.get("attempts").asInt(), "one attempt and two retries");
        assertTrue(run.err().contains("cannot connect"), run.err());
    }

    @Test
    void shouldActivateTheLiveTargetAndFailTheDeadOne() throws IOException {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Run run = skiff("push", source().toString(), "--channel", "c", "--version", "v",
                "--to", target + ",127.0.0.1:" + closedPort, "--json", "--retries", "0");
        assertEquals(3, run.exit());
        JsonNode targets = run.json().get("targets");
        assertEquals("activated", targets.get(0).get("status").asText());
        assertEquals(1, targets.get(1).get("attempts").asInt());
        assertEquals("failed", targets.get(1).get("status").asText());
    }

    @Test
    void shouldExitZeroWhenEnoughTargetsActivatedForMinSuccess() throws IOException {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String targets = target + ",127.0.0.1:" + closedPort;
        Run one = skiff("push", source().toString(), "--channel", "c", "--version", "v", "--to", targets, "--json",
                "--retries", "0", "--min-success", "1");
        assertEquals(0, one.exit(), one.err());
        assertEquals(1, one.json().get("targets_activated").asInt());
        assertTrue(one.err().contains("cannot connect"), "the failed target is still reported: " + one.err());

        Run half = skiff("push", source().toString(), "--channel", "c", "--version", "v", "--to", targets, "--json",
                "--retries", "0", "--min-success", "50%");
        assertEquals(0, half.exit(), half.err());
        Run all = skiff("push", source().toString(), "--channel", "c", "--version", "v", "--to", targets, "--json",
                "--retries", "0", "--min-success", "100%");
        assertEquals(3, all.exit());

        for (String bad : new String[]{"3", "-1", "x%", "abc"}) {
            Run run = skiff("push", source().toString(), "--channel", "c", "--version", "v", "--to", targets, "--min-success", bad);
            assertEquals(2, run.exit(), bad);
            assertTrue(run.err().contains("--min-success"), run.err());
        }
    }

    @Test
    void shouldPushUnderABandwidthLimitAndRefuseABadOne() {
        Run limited = skiff("push", source().toString(), "--channel", "c", "--version", "v", "--to", target, "--json", "--bwlimit", "64M");
        assertEquals(0, limited.exit(), limited.err());
        TestTrees.assertSameTree(tmp.resolve("src"), tmp.resolve("root/c/current"));
        for (String bad : new String[]{"fast", "-5M", "10T", "0"}) {
            Run run = skiff("push", source().toString(), "--channel", "c", "--version", "v", "--to", target, "--bwlimit", bad);
            assertEquals(2, run.exit(), bad);
            assertTrue(run.err().contains("--bwlimit"), run.err());
        }
    }

    @Test
    void shouldPushOverParallelStreamsAndRefuseABadCount() throws IOException {
        Path src = tmp.resolve("src");
        TestTrees.randomFile(src.resolve("big.bin"), 3_000_000, 41);
        Run streamed = skiff("push", src.toString(), "--channel", "c", "--version", "v", "--to", target, "--json", "--streams", "4");
        assertEquals(0, streamed.exit(), streamed.err());
        TestTrees.assertSameTree(src, tmp.resolve("root/c/current"));
        for (String bad : new String[]{"0", "17", "-2"}) {
            Run run = skiff("push", src.toString(), "--channel", "c", "--version", "v", "--to", target, "--streams", bad);
            assertEquals(2, run.exit(), bad);
            assertTrue(run.err().contains("--streams") && run.err().strip().lines().count() == 1, run.err());
        }
    }

    /** Runs {@code test} with two more receivers, rooted at tmp/root2 and tmp/root3; the first is {@link #target} at tmp/root. */
    private void withTwoMoreReceivers(ThreeTargets test) throws IOException {
        try (Receiver second = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("root2")));
             Receiver third = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("root3")))) {
            test.run(target, "127.0.0.1:" + second.port(), "127.0.0.1:" + third.port());
        }
    }

    interface ThreeTargets {
        void run(String a, String b, String c) throws IOException;
    }

    private static Map<String, JsonNode> byTarget(JsonNode json) {
        Map<String, JsonNode> targets = new HashMap<>();
        json.get("targets").forEach(t -> targets.put(t.get("target").asText(), t));
        return targets;
    }

    @Test
    void shouldPushToEveryTargetOfEveryRegionWithoutRelays() throws IOException {
        Path src = source();
        withTwoMoreReceivers((a, b, c) -> {
            Run run = skiff("push", src.toString(), "--channel", "icd10cm", "--version", "v1", "--to", "eu=" + a + ", " + b + " ; us=" + c,
                    "--no-relay", "--json");

            assertEquals(0, run.exit(), run.err());
            assertEquals(3, run.json().get("targets_activated").asInt());
            Map<String, JsonNode> targets = byTarget(run.json());
            assertEquals("eu", targets.get(a).get("region").asText());
            assertEquals("eu", targets.get(b).get("region").asText());
            assertEquals("us", targets.get(c).get("region").asText());
            for (JsonNode t : targets.values()) {
                assertEquals("activated", t.get("status").asText());
                assertEquals("direct", t.get("route").asText(), "--no-relay: " + t);
                assertTrue(t.get("via").isNull(), t.toString());
            }
            for (String root : new String[]{"root", "root2", "root3"}) {
                TestTrees.assertSameTree(src, tmp.resolve(root).resolve("icd10cm/current"));
            }

            Run human = skiff("push", src.toString(), "--channel", "icd10cm", "--version", "v1", "--to", "eu=" + a + "," + b + ";" + c,
                    "--no-relay");
            assertEquals(0, human.exit(), human.err());
            List<String> lines = human.out().lines().toList();
            assertTrue(lines.get(1).startsWith("REGION TARGET"), human.out());
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("eu     " + a)), human.out());
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("-      " + c)), human.out());
            assertTrue(human.out().contains("3 of 3 targets activated"), human.out());
        });
    }

    @Test
    void shouldPushToTheTargetsOfATopologyFile() throws IOException {
        Path src = source();
        withTwoMoreReceivers((a, b, c) -> {
            Path file = Files.write(tmp.resolve("fleet.topology"), List.of(
                    "# region  target  options",
                    "eu " + a + " bwlimit=64M",
                    "",
                    "eu " + b + " relay   # preferred relay",
                    "-  " + c));

            Run run = skiff("push", src.toString(), "--channel", "icd10cm", "--version", "v1", "--topology", file.toString(), "--json");

            assertEquals(0, run.exit(), run.err());
            Map<String, JsonNode> targets = byTarget(run.json());
            assertEquals(3, targets.size(), run.out());
            assertEquals("eu", targets.get(a).get("region").asText());
            assertEquals("eu", targets.get(b).get("region").asText());
            assertTrue(targets.get(c).get("region").isNull(), run.out());
            assertEquals("direct", targets.get(c).get("route").asText(), "no region: pushed by the sender");
            for (JsonNode t : targets.values()) {
                assertEquals("activated", t.get("status").asText(), t.toString());
            }
            for (String root : new String[]{"root", "root2", "root3"}) {
                TestTrees.assertSameTree(src, tmp.resolve(root).resolve("icd10cm/current"));
            }
        });
    }

    @Test
    void shouldNoteHowARelayedTargetGotTheRelease() {
        TargetResult t = new TargetResult("h2:7070", true, false, 100, 1, 10, 10, 0, null, null, TargetResult.Delta.none());
        assertEquals("", PushCommand.routeNote(t));
        assertEquals("relay", PushCommand.routeNote(t.routed("eu", TargetResult.Route.RELAY, null)));
        assertEquals("via h1:7070", PushCommand.routeNote(t.routed("eu", TargetResult.Route.RELAYED, "h1:7070")));
        assertEquals("fallback: relay h1:7070 failed", PushCommand.routeNote(t.routed("eu", TargetResult.Route.FALLBACK, "h1:7070")));
        assertEquals("fallback: was the relay, failed", PushCommand.routeNote(t.routed("eu", TargetResult.Route.FALLBACK, "h2:7070")));
    }

    @Test
    void shouldRefuseBadTargetsWithOneLine() throws IOException {
        Path src = source();
        Path unknownOption = Files.write(tmp.resolve("unknown-option.topology"), List.of("eu " + target + " speed=fast"));
        Path good = Files.write(tmp.resolve("good.topology"), List.of("eu " + target));
        String[][] cases = {
                {"--to and --topology exclude each other", "--to", target, "--topology", good.toString()},
                {"give --to or --topology"},
                {"target 127.0.0.1:1 is given twice", "--to", "eu=127.0.0.1:1;us=127.0.0.1:1"},
                {"bad region name 'e u'", "--to", "e u=" + target},
                {unknownOption + ":1: unknown option 'speed=fast'", "--topology", unknownOption.toString()},
                {"does not exist", "--topology", tmp.resolve("missing.topology").toString()},
        };
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of("push", src.toString(), "--channel", "c", "--version", "v"));
            args.addAll(List.of(c).subList(1, c.length));
            Run run = skiff(args.toArray(String[]::new));
            assertEquals(2, run.exit(), args + ": " + run.err());
            assertEquals(1, run.err().strip().lines().count(), run.err());
            assertTrue(run.err().startsWith("skiff: error: "), run.err());
            assertTrue(run.err().contains(c[0]), run.err());
        }
        assertFalse(Files.exists(tmp.resolve("root/c")), "nothing was pushed");
    }

    @Test
    void shouldRefuseFollowWithoutAChannel() {
        Run run = skiff("receive", "--root", tmp.resolve("f").toString(), "--listen", "127.0.0.1:0", "--follow", "127.0.0.1:1");
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("--follow and --channel"), run.err());
        Run serve = skiff("serve", "--root", tmp.resolve("no-such-root").toString(), "--listen", "127.0.0.1:0");
        assertEquals(2, serve.exit());
        assertTrue(serve.err().contains("no such directory"), serve.err());
    }

    @Test
    void shouldRejectAMalformedTarget() {
        Run run = skiff("push", source().toString(), "--channel", "c", "--version", "v", "--to", "no-port");
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("HOST:PORT"), run.err());
    }

    @Test
    void shouldSummarizeAManifestAsJson() throws IOException {
        Run run = skiff("manifest", source().toString(), "--json");
        assertEquals(0, run.exit(), run.err());
        JsonNode json = run.json();
        assertEquals(2, json.get("files").asInt());
        assertEquals(1_510_000, json.get("bytes").asLong());
        assertTrue(json.get("chunks").asInt() >= 2);
        assertEquals(64, json.get("release_id").asText().length());
    }

    @Test
    void shouldPushWithASavedManifestAndRefuseItForAChangedSource() throws IOException {
        Path src = source();
        Path manifest = tmp.resolve("release.manifest");
        Run built = skiff("manifest", src.toString(), "--channel", "icd10cm", "--version", "v1", "--out", manifest.toString(), "--json");
        assertEquals(0, built.exit(), built.err());

        Run pushed = skiff("push", src.toString(), "--channel", "icd10cm", "--version", "v1", "--to", target,
                "--manifest", manifest.toString(), "--json");
        assertEquals(0, pushed.exit(), pushed.err());
        assertEquals(built.json().get("release_id").asText(), pushed.json().get("release_id").asText());
        assertEquals(0.0, pushed.json().get("manifest_seconds").asDouble());
        TestTrees.assertSameTree(src, tmp.resolve("root/icd10cm/current"));

        Run wrongVersion = skiff("push", src.toString(), "--channel", "icd10cm", "--version", "v2", "--to", target,
                "--manifest", manifest.toString());
        assertEquals(2, wrongVersion.exit());
        Files.writeString(src.resolve("README.bin"), "changed size");
        Run changed = skiff("push", src.toString(), "--channel", "icd10cm", "--version", "v1", "--to", target,
                "--manifest", manifest.toString());
        assertEquals(2, changed.exit());
        assertTrue(changed.err().contains("does not match manifest"), changed.err());
    }

    @Test
    void shouldReportWhatAPushWouldSendInDiff() throws IOException {
        Path v1 = source();
        Path v2 = tmp.resolve("v2");
        TestTrees.textFile(v2.resolve("codes/descriptions.txt"), 1_500_000, 1); // same as v1
        TestTrees.randomFile(v2.resolve("README.bin"), 10_000, 3);                // changed (below min chunk: 1 chunk)
        TestTrees.randomFile(v2.resolve("new.bin"), 5_000, 4);                    // added

        Run same = skiff("diff", v1.toString(), v1.toString(), "--json");
        assertEquals(0, same.exit(), same.err());
        assertEquals(0, same.json().get("chunks_sent").asInt());

        Run run = skiff("diff", v1.toString(), v2.toString(), "--json", "--files");
        assertEquals(0, run.exit(), run.err());
        JsonNode json = run.json();
        assertEquals(1, json.get("files_added").asInt());
        assertEquals(1, json.get("files_changed").asInt());
        assertEquals(1, json.get("files_unchanged").asInt());
        assertEquals(2, json.get("chunks_sent").asInt(), "one chunk per changed or added small file");
        assertEquals(15_000, json.get("bytes_chunks_sent").asLong());
        long wire = json.get("bytes_wire_estimate").asLong();
        assertTrue(wire > 15_000 && wire < 20_000, "random bytes do not compress: " + wire);
        assertEquals("new.bin", json.get("added").get(0).asText());
    }

    @Test
    void shouldShowCurrentAndRetainedReleasesInStatus() throws IOException {
        Path src = source();
        Run pushed = skiff("push", src.toString(), "--channel", "icd10cm", "--version", "v1", "--to", target, "--json");
        String id = pushed.json().get("release_id").asText();

        Run run = skiff("status", "--root", tmp.resolve("root").toString(), "--json");

        assertEquals(0, run.exit(), run.err());
        JsonNode channel = run.json().get("channels").get(0);
        assertEquals("icd10cm", channel.get("channel").asText());
        assertEquals(id, channel.get("current").get("release_id").asText());
        assertEquals("v1", channel.get("current").get("version").asText());
        assertEquals(1, channel.get("releases").size());
        assertEquals(0, channel.get("staging").size());
        Run human = skiff("status", "--root", tmp.resolve("root").toString());
        assertTrue(human.out().contains(id), human.out());
    }

    /** A push of 2 MB of random bytes cut by a proxy after about half of them: a partial transfer in staging. */
    private String cutPush(Path src, String version) throws IOException {
        TestTrees.randomFile(src.resolve("data.bin"), 2_000_000, version.hashCode());
        try (FaultyProxy proxy = new FaultyProxy(receiver.port()).cutAt(1_000_000)) {
            Run cut = skiff("push", src.toString(), "--channel", "icd10cm", "--version", version, "--to", "127.0.0.1:" + proxy.port(),
                    "--retries", "0", "--no-history", "--json");
            assertEquals(3, cut.exit(), cut.out() + cut.err());
            awaitIdle();
            return cut.json().get("release_id").asText();
        }
    }

    /** Until the receiver has journaled what a cut connection delivered (at most 10 s). */
    private void awaitIdle() {
        for (int i = 0; i < 1000 && !receiver.transfersInProgress().isEmpty(); i++) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        assertEquals(java.util.Set.of(), receiver.transfersInProgress());
    }

    @Test
    void shouldShowTheProgressOfAPartialTransferInStatus() throws IOException {
        Path root = tmp.resolve("root");
        String id = cutPush(tmp.resolve("partial"), "v2");

        Run run = skiff("status", "--root", root.toString(), "--json");

        assertEquals(0, run.exit(), run.err());
        JsonNode staging = run.json().get("channels").get(0).get("staging");
        assertEquals(1, staging.size(), run.out());
        JsonNode s = staging.get(0);
        assertEquals(id, s.get("release_id").asText());
        assertEquals("v2", s.get("version").asText());
        assertEquals(2_000_000, s.get("bytes_total").asLong());
        long done = s.get("bytes_done").asLong();
        assertTrue(done > 0 && done < 2_000_000, s.toString());
        assertEquals(2_000_000 - done, s.get("bytes_missing").asLong());
        assertEquals(100.0 * done / 2_000_000, s.get("percent_done").asDouble(), 1e-4);
        assertTrue(s.get("chunks_done").asInt() < s.get("chunks_total").asInt(), s.toString());
        long age = s.get("age_seconds").asLong();
        assertTrue(age >= 0 && age < 3600, s.toString());
        Run human = skiff("status", "--root", root.toString());
        assertTrue(human.out().contains("% (") && human.out().contains("missing"), human.out());
    }

    @Test
    void shouldRemoveOnlyAbandonedStagingInGc() throws IOException {
        Path root = tmp.resolve("root");
        Run v1 = skiff("push", source().toString(), "--channel", "icd10cm", "--version", "v1", "--to", target, "--json");
        assertEquals(0, v1.exit(), v1.err());
        String current = v1.json().get("release_id").asText();
        String partial = cutPush(tmp.resolve("partial"), "v2");
        Path staging = root.resolve("icd10cm/staging").resolve(partial);
        assertTrue(Files.isDirectory(staging));
        assertTrue(Files.exists(staging.resolveSibling(partial + ".journal")));

        Run young = skiff("gc", "--root", root.toString(), "--json");
        assertEquals(0, young.exit(), young.err());
        assertEquals(0, young.json().get("removed").size(), young.out());
        assertEquals(partial, young.json().get("kept").get(0).get("release_id").asText());
        Run dry = skiff("gc", "--root", root.toString(), "--older-than", "0s", "--dry-run", "--json");
        assertEquals(0, dry.exit(), dry.err());
        assertEquals(1, dry.json().get("removed").size(), dry.out());
        assertTrue(Files.isDirectory(staging), "a dry run removes nothing");

        Run gc = skiff("gc", "--root", root.toString(), "--older-than", "0s", "--json");

        assertEquals(0, gc.exit(), gc.err());
        JsonNode removed = gc.json().get("removed");
        assertEquals(1, removed.size(), gc.out());
        assertEquals(partial, removed.get(0).get("release_id").asText());
        assertEquals("v2", removed.get(0).get("version").asText());
        assertEquals(3, removed.get(0).get("paths").size(), "tree, journal, manifest: " + gc.out());
        long reclaimed = gc.json().get("bytes_reclaimed").asLong();
        assertTrue(reclaimed >= 2_000_000, gc.out()); // the staging files are pre-sized (apparent size)
        assertEquals(dry.json().get("bytes_reclaimed").asLong(), reclaimed);
        assertFalse(Files.exists(staging));
        assertFalse(Files.exists(staging.resolveSibling(partial + ".journal")));
        assertFalse(Files.exists(root.resolve("icd10cm/manifests/" + partial + ".manifest")));
        assertTrue(Files.exists(root.resolve("icd10cm/manifests/" + current + ".manifest")));
        assertEquals(Path.of("releases", current), Files.readSymbolicLink(root.resolve("icd10cm/current")));
        assertEquals(0, skiff("verify", "--root", root.toString()).exit());

        Run again = skiff("gc", "--root", root.toString(), "--older-than", "0s");
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains("removed 0 abandoned transfer(s)"), again.out());
    }

    @Test
    void shouldRefuseAnUnreadableGcThreshold() {
        Run run = skiff("gc", "--root", tmp.resolve("root").toString(), "--older-than", "3 weeks");
        assertEquals(2, run.exit());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().contains("--older-than"), run.err());
        assertEquals(Duration.ofMinutes(30), GcCommand.parseDuration("30m"));
        assertEquals(Duration.ofDays(2), GcCommand.parseDuration("2d"));
        assertEquals(Duration.ZERO, GcCommand.parseDuration("0s"));
    }

    @Test
    void shouldFailVerifyNamingTheFileWhenTheActiveReleaseWasTampered() throws IOException {
        skiff("push", source().toString(), "--channel", "icd10cm", "--version", "v1", "--to", target);
        Path root = tmp.resolve("root");
        assertEquals(0, skiff("verify", "--root", root.toString()).exit());

        Path victim = root.resolve("icd10cm/current/codes/descriptions.txt");
        byte[] bytes = Files.readAllBytes(victim);
        bytes[1234] ^= 1;
        Files.write(victim, bytes);
        Run run = skiff("verify", "--root", root.toString(), "--channel", "icd10cm");

        assertEquals(12, run.exit());
        assertTrue(run.out().contains("codes/descriptions.txt"), run.out());
        assertFalse(run.out().startsWith("ok"), run.out());
    }

    @Test
    void shouldRunTheDemoEndToEnd() throws IOException {
        Run run = skiff("demo", "--size", "4");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.err().contains("connections: mutual TLS, keys made for the demo"), run.err()); // TLS by default
        assertTrue(run.out().contains("v1 (full)"), run.out());
        assertTrue(run.out().contains("v2 (update)"), run.out());

        JsonNode pushes = skiff("demo", "--size", "4", "--json", "--insecure").json().get("pushes");
        JsonNode full = pushes.get(0);
        JsonNode update = pushes.get(1);
        // most changed chunks are predicted by v1; new content (the swapped release notes) may go plain zstd
        assertTrue(update.get("chunks_sent_with_reference").asInt() * 5 >= update.get("chunks_sent").asInt() * 4, update.toString());
        assertTrue(update.get("bytes_wire").asLong() * 10 < full.get("bytes_wire").asLong(), pushes.toString());
        // two regions of two: the sender sends each region's data once, its relay forwards it to the other receiver
        assertEquals(4, full.get("targets").asInt());
        assertTrue(full.get("bytes_relayed").asLong() > full.get("bytes_wire").asLong() / 4, pushes.toString());
    }

    /** A root with an untenanted channel and two tenants' (one channel name in all three), built without a receiver. */
    private Map<String, Manifest> tenantedRoot(Path root) {
        TenantStores stores = new TenantStores(root, 3);
        Map<String, Manifest> m = new HashMap<>();
        m.put("icd10cm", ReceiverRoots.activate(stores.untenanted(), ReceiverRoots.tree(tmp.resolve("t1"), 100_000, 1), "icd10cm", "2024"));
        m.put("acme/icd10cm", ReceiverRoots.activate(stores.forTenant("acme"), ReceiverRoots.tree(tmp.resolve("t2"), 100_000, 2), "icd10cm",
                "a1"));
        m.put("acme/snomed", ReceiverRoots.stage(stores.forTenant("acme"), ReceiverRoots.tree(tmp.resolve("t3"), 70_000, 3), "snomed", "s1"));
        m.put("beta/icd10cm", ReceiverRoots.activate(stores.forTenant("beta"), ReceiverRoots.tree(tmp.resolve("t4"), 100_000, 4), "icd10cm",
                "b1"));
        return m;
    }

    @Test
    void shouldShowTenantsChannelsAsTenantSlashChannelInStatus() throws IOException {
        Path root = tmp.resolve("tenanted");
        Map<String, Manifest> m = tenantedRoot(root);

        Run human = skiff("status", "--root", root.toString());

        assertEquals(0, human.exit(), human.err());
        assertEquals(List.of("icd10cm", "acme/icd10cm", "acme/snomed", "beta/icd10cm"),
                human.out().lines().filter(l -> !l.startsWith(" ")).toList(), human.out());
        assertTrue(human.out().contains("acme/icd10cm\n  current   a1  " + m.get("acme/icd10cm").releaseId().hex() + "\n"), human.out());
        assertTrue(human.out().contains("acme/snomed\n  current   (none)\n  staging   s1  " + m.get("acme/snomed").releaseId().hex()),
                human.out());
        Run json = skiff("status", "--root", root.toString(), "--json");
        assertEquals(0, json.exit(), json.err());
        JsonNode channels = json.json().get("channels");
        assertEquals(4, channels.size());
        assertTrue(channels.get(0).get("tenant").isNull(), channels.toString());
        assertEquals("icd10cm", channels.get(0).get("channel").asText());
        assertEquals("acme", channels.get(1).get("tenant").asText());
        assertEquals("icd10cm", channels.get(1).get("channel").asText());
        assertEquals(m.get("beta/icd10cm").releaseId().hex(), channels.get(3).get("current").get("release_id").asText());

        JsonNode beta = skiff("status", "--root", root.toString(), "--tenant", "beta", "--json").json().get("channels");
        assertEquals(1, beta.size(), beta.toString());
        assertEquals("beta", beta.get(0).get("tenant").asText());
        Run unknown = skiff("status", "--root", root.toString(), "--tenant", "gamma");
        assertEquals(2, unknown.exit());
        assertEquals(1, unknown.err().strip().lines().count(), unknown.err());
        assertTrue(unknown.err().contains("no tenant gamma"), unknown.err());
        assertTrue(skiff("status", "--help").out().contains("--tenant"));
    }

    @Test
    void shouldVerifyATenantsChannelByTenantSlashChannel() throws IOException {
        Path root = tmp.resolve("tenanted");
        Map<String, Manifest> m = tenantedRoot(root);
        Run all = skiff("verify", "--root", root.toString());
        assertEquals(0, all.exit(), all.err());
        assertEquals(List.of("ok     icd10cm 2024  " + m.get("icd10cm").releaseId().hex(),
                "ok     acme/icd10cm a1  " + m.get("acme/icd10cm").releaseId().hex(),
                "ok     beta/icd10cm b1  " + m.get("beta/icd10cm").releaseId().hex()), all.out().lines().toList());

        Path victim = root.resolve("beta/icd10cm/current/a.bin");
        byte[] bytes = Files.readAllBytes(victim);
        bytes[7] ^= 1;
        Files.write(victim, bytes);
        Run failed = skiff("verify", "--root", root.toString());
        assertEquals(12, failed.exit());
        assertTrue(failed.out().contains("FAILED beta/icd10cm b1  "), failed.out());
        assertTrue(failed.err().contains("1 channel(s) failed verification"), failed.err());

        Run one = skiff("verify", "--root", root.toString(), "--channel", "acme/icd10cm", "--json");
        assertEquals(0, one.exit(), one.err());
        JsonNode rows = one.json().get("channels");
        assertEquals(1, rows.size(), one.out());
        assertEquals("acme", rows.get(0).get("tenant").asText());
        assertEquals("icd10cm", rows.get(0).get("channel").asText());
        assertTrue(skiff("verify", "--root", root.toString(), "--channel", "icd10cm", "--json").json().get("channels").get(0).get("tenant")
                .isNull());
        assertEquals(12, skiff("verify", "--root", root.toString(), "--tenant", "beta", "--channel", "icd10cm").exit());
        assertEquals(12, skiff("verify", "--root", root.toString(), "--channel", "beta/icd10cm").exit());
        Run missing = skiff("verify", "--root", root.toString(), "--channel", "acme/nope");
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("no channel acme/nope"), missing.err());
    }

    @Test
    void shouldCollectATenantsAbandonedTransfersInGc() throws IOException {
        Path root = tmp.resolve("tenanted");
        Map<String, Manifest> m = tenantedRoot(root);
        String partial = m.get("acme/snomed").releaseId().hex();

        Run dry = skiff("gc", "--root", root.toString(), "--older-than", "0s", "--dry-run");
        assertEquals(0, dry.exit(), dry.err());
        assertTrue(dry.out().startsWith("would remove acme/snomed s1 " + partial + "  ("), dry.out());
        assertTrue(dry.out().contains("\n  " + Path.of("acme/snomed/staging", partial) + "\n"), dry.out());

        Run none = skiff("gc", "--root", root.toString(), "--older-than", "0s", "--tenant", "beta", "--json");
        assertEquals(0, none.json().get("removed").size(), none.out());
        assertTrue(Files.isDirectory(root.resolve("acme/snomed/staging").resolve(partial)));

        Run gc = skiff("gc", "--root", root.toString(), "--older-than", "0s", "--tenant", "acme", "--json");

        assertEquals(0, gc.exit(), gc.err());
        JsonNode removed = gc.json().get("removed");
        assertEquals(1, removed.size(), gc.out());
        assertEquals("acme", removed.get(0).get("tenant").asText());
        assertEquals("snomed", removed.get(0).get("channel").asText());
        assertEquals(Path.of("acme/snomed/staging", partial).toString(), removed.get(0).get("paths").get(0).asText());
        assertFalse(Files.exists(root.resolve("acme/snomed/staging").resolve(partial)));
        assertEquals(0, skiff("verify", "--root", root.toString()).exit(), "releases untouched");
        assertNull(skiff("gc", "--root", root.toString(), "--json").json().get("removed").get(0));
    }
}
