package io.skiff.engine.receive;

import io.skiff.engine.Skiff;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.PushListener;
import io.skiff.engine.api.PushOptions;
import io.skiff.engine.api.PushResult;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.api.ReceiverLimits;
import io.skiff.engine.api.TargetResult;
import io.skiff.engine.manifest.ManifestBuilder;
import io.skiff.engine.send.PushSession;
import io.skiff.engine.testing.FaultyProxy;
import io.skiff.engine.testing.RawClient;
import io.skiff.engine.testing.TestTrees;
import io.skiff.protocol.ChunkingParams;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.frame.BaseFrame;
import io.skiff.protocol.frame.ErrorFrame;
import io.skiff.protocol.frame.FrameDescriptor;
import io.skiff.protocol.frame.FrameType;
import io.skiff.protocol.frame.HelloFrame;
import io.skiff.protocol.frame.ManifestPartFrame;
import io.skiff.protocol.frame.OfferFrame;
import io.skiff.protocol.frame.OfferReplyFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** End to end over real loopback TCP and real files: push, receive, verify, activate. */
class PushReceiveTest {
    private static final String CHANNEL = "icd10cm";
    private static final ChunkingParams CHUNKING = ChunkingParams.DEFAULT;

    @TempDir
    Path tmp;
    private Receiver receiver;

    @BeforeEach
    void startReceiver() {
        receiver = startReceiverAt(tmp.resolve("receiver"));
    }

    @AfterEach
    void stopReceiver() {
        if (receiver != null) {
            receiver.close();
        }
    }

    private static Receiver startReceiverAt(Path root) {
        return Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), root));
    }

    private PushResult push(Path source, String version, int... ports) {
        List<HostPort> targets = new ArrayList<>();
        for (int port : ports) {
            targets.add(new HostPort("127.0.0.1", port));
        }
        return Skiff.push(source, CHANNEL, version, targets, PushOptions.defaults().withRetries(0, java.time.Duration.ZERO), PushListener.NONE);
    }

    private Path current(Receiver r) {
        return r.store().channelDir(CHANNEL).resolve("current");
    }

    /** Edge-case sizes around the chunker's limits, nesting, non-ASCII names, exec bits, a 50 MB file. */
    private Path variedTree() throws IOException {
        Path src = tmp.resolve("src-varied");
        Files.createDirectories(src.resolve("empty-dir"));
        Files.createDirectories(src.resolve("a/b/c"));
        Files.write(src.resolve("a/b/c/empty.txt"), new byte[0]);
        Files.write(src.resolve("one-byte"), new byte[]{42});
        int[] sizes = {CHUNKING.minBytes(), CHUNKING.avgBytes(), CHUNKING.maxBytes()};
        long seed = 1;
        for (int size : sizes) {
            for (int delta = -1; delta <= 1; delta++) {
                TestTrees.randomFile(src.resolve("sizes/file-" + (size + delta)), size + delta, seed++);
            }
        }
        TestTrees.randomFile(src.resolve("big/fifty.bin"), 50L * 1000 * 1000, seed++);
        TestTrees.textFile(src.resolve("Déjà vu/файл описаний.txt"), 3_000_000, seed++);
        TestTrees.randomFile(src.resolve("bin/run.sh"), 1000, seed);
        TestTrees.setExecutable(src.resolve("bin/run.sh"));
        return src;
    }

    @Test
    void shouldReproduceTreeByteForByteWhenPushingVariedFiles() throws IOException {
        Path src = variedTree();
        PushResult result = push(src, "2027-01", receiver.port());

        TargetResult target = result.targets().get(0);
        assertTrue(target.activated(), () -> "not activated: " + target.error());
        assertFalse(target.alreadyActive());
        Sha256 id = result.manifest().releaseId();
        assertEquals(Path.of("releases", id.hex()), Files.readSymbolicLink(current(receiver)));
        TestTrees.assertSameTree(src, current(receiver));
        assertTrue(Files.isRegularFile(receiver.store().manifestFile(CHANNEL, id)));
        assertEquals(List.of(), receiver.store().staging(CHANNEL), "staging must be empty after activation");
        assertTrue(result.bytesWire() > 50_000_000, "incompressible data crossed the wire: " + result.bytesWire());
        String audit = Files.readString(receiver.store().channelDir(CHANNEL).resolve("activations.log"));
        assertTrue(audit.contains("activated release=" + id.hex()), audit);
    }

    @Test
    void shouldSendOnlyTheHandshakeWhenTheReleaseIsAlreadyCurrent() {
        Path src = TestTrees.textFile(tmp.resolve("src/codes.txt"), 2_000_000, 7).getParent();
        assertTrue(push(src, "v1", receiver.port()).allActivated());

        PushResult again = push(src, "v1", receiver.port());

        TargetResult target = again.targets().get(0);
        assertTrue(target.activated());
        assertTrue(target.alreadyActive());
        assertTrue(again.bytesWire() <= 1024, "second push sent " + again.bytesWire() + " bytes");
    }

    @Test
    void shouldCompressTextChunksOnTheWire() {
        Path src = TestTrees.textFile(tmp.resolve("src/codes.txt"), 8_000_000, 3).getParent();
        PushResult result = push(src, "v1", receiver.port());
        assertTrue(result.allActivated());
        assertTrue(result.bytesWire() < result.bytesLogical() / 2,
                "text should compress: wire=" + result.bytesWire() + " logical=" + result.bytesLogical());
        TestTrees.assertSameTree(src, current(receiver));
    }

    @Test
    void shouldKeepCurrentWhenTheReceiverRestarts() {
        Path src = TestTrees.textFile(tmp.resolve("src/codes.txt"), 1_000_000, 9).getParent();
        PushResult first = push(src, "v1", receiver.port());
        assertTrue(first.allActivated());
        receiver.close();

        receiver = startReceiverAt(tmp.resolve("receiver"));

        assertEquals(first.manifest().releaseId(), receiver.store().current(CHANNEL).orElseThrow());
        TestTrees.assertSameTree(src, current(receiver));
        PushResult again = push(src, "v1", receiver.port());
        assertTrue(again.targets().get(0).alreadyActive());
    }

    @Test
    void shouldFetchOnlyChangedChunksWhenTheBaseIsHeldLocally() throws IOException {
        Path v1 = tmp.resolve("v1");
        TestTrees.textFile(v1.resolve("descriptions.txt"), 20_000_000, 11);
        PushResult full = push(v1, "v1", receiver.port());
        assertTrue(full.allActivated());

        Path v2 = tmp.resolve("v2");
        Files.createDirectories(v2);
        byte[] content = Files.readAllBytes(v1.resolve("descriptions.txt"));
        byte[] edited = new byte[content.length + 5];
        System.arraycopy(content, 0, edited, 0, 1000);
        System.arraycopy("NEW\t\n".getBytes(StandardCharsets.US_ASCII), 0, edited, 1000, 5);
        System.arraycopy(content, 1000, edited, 1005, content.length - 1000);
        Files.write(v2.resolve("descriptions.txt"), edited);
        Files.write(v2.resolve("renamed-copy.txt"), content); // a duplicate of the base under a new name

        PushResult update = push(v2, "v2", receiver.port());

        TargetResult target = update.targets().get(0);
        assertTrue(target.activated(), () -> target.error());
        assertTrue(target.chunksCopiedLocally() > target.chunksTotal() * 9 / 10,
                "copied locally " + target.chunksCopiedLocally() + " of " + target.chunksTotal());
        assertTrue(update.bytesWire() < full.bytesWire() / 10, "update wire=" + update.bytesWire() + " full=" + full.bytesWire());
        TestTrees.assertSameTree(v2, current(receiver));
    }

    @Test
    void shouldActivateWhenTheReceiverRehashesOnCommit() {
        receiver.close();
        receiver = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("receiver"))
                .withRehashOnCommit(true));
        Path src = TestTrees.textFile(tmp.resolve("src/codes.txt"), 3_000_000, 21).getParent();
        assertTrue(push(src, "v1", receiver.port()).allActivated());
        TestTrees.assertSameTree(src, current(receiver));
    }

    @Test
    void shouldRetainTheLastThreeReleases() {
        List<Sha256> ids = new ArrayList<>();
        for (int v = 1; v <= 5; v++) {
            Path src = TestTrees.textFile(tmp.resolve("v" + v + "/codes.txt"), 200_000, v).getParent();
            PushResult r = push(src, "v" + v, receiver.port());
            assertTrue(r.allActivated());
            ids.add(r.manifest().releaseId());
        }
        List<Sha256> retained = receiver.store().releases(CHANNEL);
        assertEquals(List.of(ids.get(4), ids.get(3), ids.get(2)), retained);
        assertFalse(Files.exists(receiver.store().releaseDir(CHANNEL, ids.get(0))));
    }

    @Test
    void shouldNotActivateWhenAChunkIsCorruptedInFlight() throws IOException {
        Path v1 = TestTrees.textFile(tmp.resolve("v1/codes.txt"), 500_000, 1).getParent();
        Sha256 v1Id = push(v1, "v1", receiver.port()).manifest().releaseId();
        Path v2 = TestTrees.randomFile(tmp.resolve("v2/data.bin"), 4_000_000, 2).getParent();

        try (FaultyProxy proxy = new FaultyProxy(receiver.port()).flipByteAt(1_000_003)) {
            PushResult result = push(v2, "v2", proxy.port());

            TargetResult target = result.targets().get(0);
            assertFalse(target.activated());
            assertEquals(ErrorCode.CHUNK_HASH_MISMATCH, target.code(), target.error());
        }
        assertEquals(v1Id, receiver.store().current(CHANNEL).orElseThrow());
        TestTrees.assertSameTree(v1, current(receiver));
        assertEquals(1, receiver.store().releases(CHANNEL).size(), "nothing new under releases/");
        // the receiver is still serving: the same push without the proxy activates (retrying busy: the failed
        // session may still be finishing the chunks it was verifying, and holds the release until then)
        PushResult again = Skiff.push(v2, CHANNEL, "v2", List.of(new HostPort("127.0.0.1", receiver.port())),
                PushOptions.defaults().withRetries(3, java.time.Duration.ofMillis(100)), PushListener.NONE);
        assertTrue(again.allActivated(), again::toString);
        TestTrees.assertSameTree(v2, current(receiver));
    }

    @Test
    void shouldCloseOnlyTheBadConnectionWhenGarbageArrives() throws IOException {
        try (RawClient garbage = new RawClient(receiver.port())) {
            List<Object> answer = garbage.send(new byte[]{0, 0, 0, 5, (byte) 0xEE, 1, 2, 3, 4}).readUntilClosed();
            ErrorFrame error = assertInstanceOf(ErrorFrame.class, answer.get(0));
            assertEquals(ErrorCode.UNKNOWN_FRAME_TYPE, error.code());
        }
        try (RawClient oversized = new RawClient(receiver.port())) {
            List<Object> answer = oversized.send(new byte[]{0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1}).readUntilClosed();
            ErrorFrame error = assertInstanceOf(ErrorFrame.class, answer.get(0));
            assertEquals(ErrorCode.FRAME_TOO_LARGE, error.code());
        }
        Path src = TestTrees.textFile(tmp.resolve("src/codes.txt"), 300_000, 5).getParent();
        assertTrue(push(src, "v1", receiver.port()).allActivated(), "receiver keeps serving real pushes");
    }

    /**
     * A peer that never says HELLO is closed by the HELLO deadline: 10 s, or the idle timeout when that is
     * shorter (2 s here, so the test need not wait 10), and the receiver goes on serving.
     */
    @Test
    void shouldCloseAPeerThatSaysNoHelloWithinTheDeadlineAndKeepServing() throws IOException {
        Receiver strict = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("hello-deadline"))
                .withIdleTimeout(java.time.Duration.ofSeconds(2)));
        try {
            try (RawClient silent = new RawClient(strict.port())) {
                ErrorFrame error = assertInstanceOf(ErrorFrame.class, silent.readUntilClosed().get(0));
                assertEquals(ErrorCode.CONNECTION_LOST, error.code(), error.message());
                assertTrue(error.message().contains("no HELLO within 2000 ms"), error.message());
            }
            Path src = TestTrees.textFile(tmp.resolve("after-silent/codes.txt"), 10_000, 3).getParent();
            assertTrue(push(src, "v1", strict.port()).allActivated(), "the receiver keeps serving");
        } finally {
            strict.close();
        }
    }

    /**
     * A disk with room for one 10 MiB release (the reserve takes the rest of the real file system): a cut
     * push of another channel leaves 6 MiB staged; the next push removes that abandoned partial, not
     * anything current, and activates; a release that cannot fit is refused before a chunk is written.
     */
    @Test
    void shouldMakeRoomFromOtherChannelsAbandonedPartialsAndRefuseWhatCannotFit() throws Exception {
        Path loinc = TestTrees.randomFile(tmp.resolve("loinc-src/table.bin"), 10 << 20, 31).getParent();
        Path icd = TestTrees.randomFile(tmp.resolve("icd-src/table.bin"), 10 << 20, 32).getParent();
        Path huge = TestTrees.randomFile(tmp.resolve("huge-src/table.bin"), 20 << 20, 33).getParent();
        Path root = tmp.resolve("tight");
        Files.createDirectories(root);
        long window = 14L << 20;
        Receiver tight = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), root)
                .withLimits(ReceiverLimits.DEFAULTS.withDiskReserve(Files.getFileStore(root).getUsableSpace() - window)));
        try {
            try (FaultyProxy proxy = new FaultyProxy(tight.port()).cutAt(6 << 20)) {
                PushResult cut = Skiff.push(loinc, "loinc", "2.80", List.of(new HostPort("127.0.0.1", proxy.port())),
                        PushOptions.defaults().withRetries(0, java.time.Duration.ZERO), PushListener.NONE);
                assertFalse(cut.allActivated());
            }
            awaitNoTransfers(tight);
            Path loincStaging = root.resolve("loinc/staging");
            assertFalse(listing(loincStaging).isEmpty(), "the cut push left its partial transfer");

            PushResult fits = Skiff.push(icd, CHANNEL, "2027", List.of(new HostPort("127.0.0.1", tight.port())),
                    PushOptions.defaults().withRetries(0, java.time.Duration.ZERO), PushListener.NONE);
            assertTrue(fits.allActivated(), () -> fits.targets().get(0).error());
            TestTrees.assertSameTree(icd, current(tight));
            assertEquals(List.of(), listing(loincStaging), "the abandoned partial of loinc made room");
            assertTrue(Files.readString(root.resolve("loinc/activations.log")).contains("removed-staging"), "and the audit log says so");

            PushResult tooBig = Skiff.push(huge, "snomed", "2027", List.of(new HostPort("127.0.0.1", tight.port())),
                    PushOptions.defaults().withRetries(0, java.time.Duration.ZERO), PushListener.NONE);
            TargetResult refused = tooBig.targets().get(0);
            assertEquals(ErrorCode.STORAGE_FAILURE, refused.code(), refused.error());
            assertTrue(refused.error().contains("not enough disk space for snomed 2027"), refused.error());
            awaitNoTransfers(tight);
            assertEquals(List.of(), listing(root.resolve("snomed/staging")), "refused before anything was staged");
            assertEquals(List.of(), listing(root.resolve("snomed/manifests")));
            TestTrees.assertSameTree(icd, current(tight));
        } finally {
            tight.close();
        }
    }

    private static List<Path> listing(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var entries = Files.list(dir)) {
            return entries.toList();
        }
    }

    private static void awaitNoTransfers(Receiver receiver) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (!receiver.transfersInProgress().isEmpty()) {
            assertTrue(System.nanoTime() < deadline, () -> "still in progress: " + receiver.transfersInProgress());
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
        }
    }

    /** Pushing a retained release again activates the tree just verified, not the retained one, which was edited by hand meanwhile. */
    @Test
    void shouldActivateTheVerifiedTreeWhenARetainedReleaseThatWasEditedIsPushedAgain() throws IOException {
        Path v1 = TestTrees.textFile(tmp.resolve("retained-v1/codes.txt"), 200_000, 5).getParent();
        Path v2 = TestTrees.textFile(tmp.resolve("retained-v2/codes.txt"), 200_000, 6).getParent();
        assertTrue(push(v1, "v1", receiver.port()).allActivated());
        Sha256 v1Id = receiver.store().current(CHANNEL).orElseThrow();
        assertTrue(push(v2, "v2", receiver.port()).allActivated());
        Path retained = receiver.store().releaseDir(CHANNEL, v1Id).resolve("codes.txt");
        byte[] edited = Files.readAllBytes(retained);
        edited[100] ^= 1;
        Files.write(retained, edited);
        Files.writeString(retained.resolveSibling("stray.txt"), "not in the manifest");

        assertTrue(push(v1, "v1", receiver.port()).allActivated());

        assertEquals(v1Id, receiver.store().current(CHANNEL).orElseThrow());
        TestTrees.assertSameTree(v1, current(receiver));
    }

    /**
     * Two connections per address, three in all: one more is closed right after accept, with nothing
     * said (no frame, no handshake work), and a slot frees when a connection closes.
     */
    @Test
    void shouldCloseConnectionsOverTheCapsRightAfterAcceptAndKeepServing() throws IOException {
        Receiver capped = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("capped"))
                .withLimits(ReceiverLimits.DEFAULTS.withConnections(3, 2)));
        InetAddress one = InetAddress.getByName("127.0.0.1");
        InetAddress two = InetAddress.getByName("127.0.0.2");
        InetAddress three = InetAddress.getByName("127.0.0.3");
        try (RawClient a = new RawClient(one, capped.port()); RawClient b = new RawClient(one, capped.port())) {
            assertServed(a);
            assertServed(b);
            try (RawClient overAddress = new RawClient(one, capped.port())) {
                assertEquals(List.of(), overAddress.readUntilClosed(), "a third from 127.0.0.1: closed, nothing said");
            }
            try (RawClient c = new RawClient(two, capped.port())) {
                assertServed(c);
                try (RawClient overTotal = new RawClient(three, capped.port())) {
                    assertEquals(List.of(), overTotal.readUntilClosed(), "a fourth in all: closed");
                }
            }
            a.close();
            awaitOpenConnections(capped, 1);
            try (RawClient again = new RawClient(one, capped.port())) {
                assertServed(again);
            }
            Path src = TestTrees.textFile(tmp.resolve("capped-src/codes.txt"), 10_000, 4).getParent();
            b.close();
            awaitOpenConnections(capped, 0);
            assertTrue(push(src, "v1", capped.port()).allActivated(), "the receiver keeps serving");
        } finally {
            capped.close(); // after its refusals are written
        }
        List<String> refused = new ArrayList<>();
        io.skiff.engine.audit.AuditRecords.forEach(tmp.resolve("capped").resolve("audit"), line -> {
            if (line.json().get("action").asText().equals("connect-refused")) {
                refused.add(line.json().get("peer").asText() + " " + line.json().get("reason").asText());
            }
        });
        assertEquals(List.of("127.0.0.1 busy: 2 connections open from it, the maximum per address (--max-connections-per-address)",
                "127.0.0.3 busy: 3 connections open, this receiver's maximum (--max-connections)"), refused);
    }

    /** An accepted connection is a session: an OFFER gets its reply. */
    private static void assertServed(RawClient client) throws IOException {
        List<Object> reply = client.send(new HelloFrame(FrameDescriptor.PROTOCOL_VERSION, "test"))
                .send(new OfferFrame(Sha256.digest(client.toString().getBytes(StandardCharsets.UTF_8)), 100, CHANNEL, "v"))
                .read(1);
        assertInstanceOf(OfferReplyFrame.class, reply.get(0));
    }

    private static void awaitOpenConnections(Receiver receiver, int count) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (receiver.openConnections() != count) {
            assertTrue(System.nanoTime() < deadline, () -> receiver.openConnections() + " connections still open, expected " + count);
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
        }
    }

    @Test
    void shouldDropSilentPeersOnBothSidesWithinTheIdleTimeout() throws IOException {
        Receiver strict = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("strict"))
                .withIdleTimeout(java.time.Duration.ofMillis(300)));
        try {
            // connects and never says HELLO
            try (RawClient silent = new RawClient(strict.port())) {
                ErrorFrame error = assertInstanceOf(ErrorFrame.class, silent.readUntilClosed().get(0));
                assertEquals(ErrorCode.CONNECTION_LOST, error.code(), error.message());
            }
            // says HELLO and OFFER, then goes quiet before the manifest
            try (RawClient stalled = new RawClient(strict.port())) {
                List<Object> answer = stalled.send(new HelloFrame(FrameDescriptor.PROTOCOL_VERSION, "test"))
                        .send(new OfferFrame(Sha256.digest(new byte[]{1}), 100, CHANNEL, "v"))
                        .readUntilClosed();
                ErrorFrame error = assertInstanceOf(ErrorFrame.class, answer.get(answer.size() - 1));
                assertEquals(ErrorCode.CONNECTION_LOST, error.code(), error.message());
            }
        } finally {
            strict.close();
        }
        // a "receiver" that accepts and never answers: the sender gives up after its idle timeout
        try (java.net.ServerSocket mute = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path src = TestTrees.textFile(tmp.resolve("mute-src/codes.txt"), 10_000, 9).getParent();
            PushResult result = Skiff.push(src, CHANNEL, "v", List.of(new HostPort("127.0.0.1", mute.getLocalPort())),
                    PushOptions.defaults().withRetries(0, java.time.Duration.ZERO).withIdleTimeout(java.time.Duration.ofMillis(300)),
                    PushListener.NONE);
            TargetResult t = result.targets().get(0);
            assertFalse(t.activated());
            assertEquals(ErrorCode.CONNECTION_LOST, t.code(), t.error());
        }
    }

    @Test
    void shouldRejectReferencesTheSenderDidNotEstablish() throws IOException {
        Manifest manifest = Manifest.builder(CHANNEL, "ref", CHUNKING).createdAtMillis(0)
                .addFile("a.txt", false, 1, Sha256.digest(new byte[]{1}).toBytes(), new int[]{1})
                .build();
        byte[] bytes = manifest.canonicalBytes();
        Sha256 unknownBase = Sha256.digest("never activated here".getBytes(StandardCharsets.UTF_8));
        try (RawClient client = new RawClient(receiver.port())) {
            List<Object> answer = client.send(new HelloFrame(FrameDescriptor.PROTOCOL_VERSION, "test"))
                    .send(new OfferFrame(manifest.releaseId(), bytes.length, CHANNEL, "ref"))
                    .send(new BaseFrame(unknownBase, BaseFrame.ManifestEncoding.PLAIN, bytes.length))
                    .readUntilClosed();
            ErrorFrame error = assertInstanceOf(ErrorFrame.class, answer.get(answer.size() - 1));
            assertEquals(ErrorCode.UNEXPECTED_FRAME, error.code(), error.message());
        }
        try (RawClient client = new RawClient(receiver.port())) {
            io.netty.buffer.ByteBuf payload = io.netty.buffer.Unpooled.wrappedBuffer(new byte[]{0, 0, 0, 0, 0, 1, 0x28, (byte) 0xb5});
            List<Object> answer = client.send(new HelloFrame(FrameDescriptor.PROTOCOL_VERSION, "test"))
                    .send(new OfferFrame(manifest.releaseId(), bytes.length, CHANNEL, "ref"))
                    .send(new BaseFrame(null, BaseFrame.ManifestEncoding.PLAIN, bytes.length))
                    .send(new ManifestPartFrame(bytes))
                    .send(new io.skiff.protocol.frame.ChunkFrame(0, io.skiff.protocol.frame.ChunkEncoding.ZSTD_REF, 1, payload))
                    .readUntilClosed();
            ErrorFrame error = assertInstanceOf(ErrorFrame.class, answer.get(answer.size() - 1));
            assertEquals(ErrorCode.UNEXPECTED_FRAME, error.code(), error.message());
            assertTrue(error.message().contains("did not choose"), error.message());
        }
        assertTrue(receiver.store().current(CHANNEL).isEmpty());
    }

    @Test
    void shouldRejectManifestsWithUnsafePaths() throws IOException {
        for (String[] swap : new String[][]{{"aa/x", "../x"}, {"aaaa/x", "/etc/x"}, {"aaa/xx", "a/../x"}}) {
            Manifest manifest = Manifest.builder(CHANNEL, "evil", CHUNKING).createdAtMillis(0)
                    .addFile(swap[0], false, 1, Sha256.digest(new byte[]{1}).toBytes(), new int[]{1})
                    .build();
            byte[] evil = replace(manifest.canonicalBytes(), swap[0].getBytes(StandardCharsets.UTF_8), swap[1].getBytes(StandardCharsets.UTF_8));
            try (RawClient client = new RawClient(receiver.port())) {
                List<Object> answer = client.send(new HelloFrame(FrameDescriptor.PROTOCOL_VERSION, "test"))
                        .send(new OfferFrame(Sha256.digest(evil), evil.length, CHANNEL, "evil"))
                        .send(new BaseFrame(null, BaseFrame.ManifestEncoding.PLAIN, evil.length))
                        .send(new ManifestPartFrame(evil))
                        .readUntilClosed();
                ErrorFrame error = assertInstanceOf(ErrorFrame.class, answer.get(answer.size() - 1));
                assertEquals(ErrorCode.PATH_INVALID, error.code(), swap[1] + ": " + error.message());
            }
        }
        assertFalse(Files.exists(tmp.resolve("x")));
        assertTrue(receiver.store().current(CHANNEL).isEmpty());
        assertFalse(Files.exists(receiver.store().channelDir(CHANNEL).resolve("releases")));
    }

    @Test
    void shouldLeaveCurrentUntouchedWhenStagingCannotBeWritten() throws IOException {
        Path v1 = TestTrees.textFile(tmp.resolve("v1/codes.txt"), 500_000, 1).getParent();
        Sha256 v1Id = push(v1, "v1", receiver.port()).manifest().releaseId();
        Path staging = receiver.store().channelDir(CHANNEL).resolve("staging");
        Files.delete(staging); // empty after the first activation
        Files.write(staging, new byte[]{1}); // a file where the staging directory must go: every write fails
        Path v2 = TestTrees.textFile(tmp.resolve("v2/codes.txt"), 500_000, 2).getParent();

        PushResult failed = push(v2, "v2", receiver.port());

        assertEquals(ErrorCode.STORAGE_FAILURE, failed.targets().get(0).code());
        assertEquals(v1Id, receiver.store().current(CHANNEL).orElseThrow());
        TestTrees.assertSameTree(v1, current(receiver));
        Files.delete(staging);
        assertTrue(push(v2, "v2", receiver.port()).allActivated());
    }

    @Test
    void shouldReportConnectFailureWhenNothingListens() throws IOException {
        Path src = TestTrees.textFile(tmp.resolve("src/codes.txt"), 10_000, 1).getParent();
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        PushResult result = push(src, "v1", closedPort);
        TargetResult target = result.targets().get(0);
        assertFalse(target.activated());
        assertEquals(ErrorCode.CONNECT_FAILED, target.code());
        assertTrue(target.error().contains("127.0.0.1:" + closedPort), target.error());
    }

    @Test
    void shouldServeManyConcurrentPushesAndFailOnlyTheDeadTarget() throws Exception {
        Receiver second = startReceiverAt(tmp.resolve("receiver-2"));
        try {
            List<CompletableFuture<PushResult>> pushes = new ArrayList<>();
            List<Path> sources = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Path src = TestTrees.textFile(tmp.resolve("c" + i + "/codes.txt"), 2_000_000, 100 + i).getParent();
                sources.add(src);
                String channel = "channel-" + i;
                pushes.add(CompletableFuture.supplyAsync(() -> Skiff.push(src, channel, "v1",
                        List.of(new HostPort("127.0.0.1", receiver.port()), new HostPort("127.0.0.1", second.port())),
                        PushOptions.defaults().withRetries(0, java.time.Duration.ZERO), PushListener.NONE)));
            }
            for (int i = 0; i < 4; i++) {
                PushResult r = pushes.get(i).get();
                assertTrue(r.allActivated(), () -> r.targets().toString());
                for (Receiver rx : List.of(receiver, second)) {
                    TestTrees.assertSameTree(sources.get(i), rx.store().channelDir("channel-" + i).resolve("current"));
                }
            }
        } finally {
            second.close();
        }
    }

    /**
     * Chunks sent from the file (zero-copy regions) count against the connection's outbound bound: a
     * target that stops reading holds the sender to a few MiB queued, not the whole release. Netty's
     * default size estimator counts a region as 0 bytes, and then every chunk was queued at once.
     */
    @Test
    void shouldStopQueueingChunksWhenTheTargetStopsReading() throws Exception {
        long size = 64L << 20;
        Path src = tmp.resolve("src");
        TestTrees.randomFile(src.resolve("big.bin"), size, 11);
        java.util.concurrent.atomic.AtomicLong queued = new java.util.concurrent.atomic.AtomicLong();
        PushListener listener = new PushListener() {
            @Override
            public void chunkSent(String target, int rawBytes) {
                queued.addAndGet(rawBytes);
            }
        };
        CompletableFuture<PushResult> push;
        try (FaultyProxy proxy = new FaultyProxy(receiver.port()).stallAt(2 << 20)) {
            push = CompletableFuture.supplyAsync(() -> Skiff.push(src, CHANNEL, "2027-01",
                    List.of(new HostPort("127.0.0.1", proxy.port())),
                    PushOptions.defaults().withRetries(0, java.time.Duration.ZERO), listener));
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            long last = -1;
            int unchanged = 0;
            while (unchanged < 3) { // the sender stopped queueing: its connection is full
                assertTrue(System.nanoTime() < deadline, "the sender kept queueing: " + queued.get() + " bytes");
                Thread.sleep(300);
                long now = queued.get();
                unchanged = now > 0 && now == last ? unchanged + 1 : 0;
                last = now;
            }
            // outbound bound (4 MiB) + the kernel's buffers on both ends + the 2 MiB that went through
            assertTrue(queued.get() < size / 2, "queued " + queued.get() + " of " + size + " bytes for a stalled target");
        }
        PushResult result = push.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertFalse(result.allActivated(), () -> result.targets().toString());
        assertFalse(Files.exists(current(receiver)), "nothing was activated");
    }

    /**
     * Consecutive raw chunks of an incompressible file go as RAW_RUN frames, each a header and one
     * sendfile of their bytes; the receiver takes every chunk of them as if it had come alone.
     */
    @Test
    void shouldSendConsecutiveRawChunksOfAFileAsRawRunsAndActivateByteForByte() throws Exception {
        Path src = tmp.resolve("src");
        TestTrees.randomFile(src.resolve("big.bin"), 12L << 20, 21);
        Files.writeString(src.resolve("small.txt"), "one chunk on its own\n");
        Manifest manifest = ManifestBuilder.build(src, CHANNEL, "2027-01", ChunkingParams.DEFAULT, 1);
        PushResult result;
        byte[] wire;
        try (FaultyProxy proxy = new FaultyProxy(receiver.port()).record(64 << 20)) {
            result = Skiff.push(src, manifest, List.of(new HostPort("127.0.0.1", proxy.port())), PushOptions.defaults(), PushListener.NONE);
            wire = proxy.recorded();
        }
        assertTrue(result.allActivated(), () -> result.targets().toString());
        TestTrees.assertSameTree(src, current(receiver));

        int runs = 0;
        int chunksInRuns = 0;
        int chunkFrames = 0;
        ByteBuffer frames = ByteBuffer.wrap(wire);
        while (frames.remaining() >= FrameDescriptor.HEADER_BYTES) {
            int length = frames.getInt();
            int type = frames.get(frames.position()) & 0xFF;
            if (type == FrameType.RAW_RUN.wire()) {
                runs++;
                int count = frames.getShort(frames.position() + 5) & 0xFFFF;
                chunksInRuns += count;
                assertTrue(length - 1 - FrameDescriptor.RUN_HEADER_BYTES - 4 * count <= PushSession.MAX_RUN_BYTES, "run of " + length + " bytes");
            } else if (type == FrameType.CHUNK.wire()) {
                chunkFrames++;
            }
            frames.position(frames.position() + length);
        }
        assertEquals(0, frames.remaining(), "the recording ends on a frame boundary");
        assertTrue(runs >= 6, "12 MiB of raw chunks in runs of at most 2 MiB: " + runs + " runs");
        assertEquals(manifest.chunks().count(), chunksInRuns + chunkFrames, "every chunk sent once, in a run or alone");
        assertTrue(chunksInRuns > chunkFrames, chunksInRuns + " chunks in runs, " + chunkFrames + " alone (the compressibility probes, small.txt)");
    }

    @Test
    void shouldTakeAPushInTheOlderProtocolAndRefuseOneItDoesNotKnow() throws IOException {
        try (RawClient client = new RawClient(receiver.port())) {
            List<Object> answer = client.send(new HelloFrame(FrameDescriptor.OLDEST_PROTOCOL_VERSION, "older-sender"))
                    .send(new OfferFrame(Sha256.digest(new byte[1]), 100, CHANNEL, "v")).read(1);
            assertInstanceOf(OfferReplyFrame.class, answer.get(0), answer.toString());
        }
        for (int version : new int[]{FrameDescriptor.OLDEST_PROTOCOL_VERSION - 1, FrameDescriptor.PROTOCOL_VERSION + 1}) {
            try (RawClient client = new RawClient(receiver.port())) {
                List<Object> answer = client.send(new HelloFrame(version, "other-sender")).readUntilClosed();
                assertEquals(ErrorCode.UNSUPPORTED_VERSION, assertInstanceOf(ErrorFrame.class, answer.get(0)).code(), answer.toString());
            }
        }
    }

    private static byte[] replace(byte[] data, byte[] from, byte[] to) {
        assertEquals(from.length, to.length);
        for (int i = 0; i + from.length <= data.length; i++) {
            if (java.util.Arrays.equals(data, i, i + from.length, from, 0, from.length)) {
                byte[] out = data.clone();
                System.arraycopy(to, 0, out, i, to.length);
                return out;
            }
        }
        throw new AssertionError("pattern not found");
    }
}
