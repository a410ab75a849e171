package io.skiff.cli;

import com.github.luben.zstd.Zstd;
import io.skiff.engine.testing.RawClient;
import io.skiff.engine.testing.TestTrees;
import io.skiff.protocol.ChunkingParams;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.frame.AuditHeadFrame;
import io.skiff.protocol.frame.BaseFrame;
import io.skiff.protocol.frame.ErrorFrame;
import io.skiff.protocol.frame.FrameDescriptor;
import io.skiff.protocol.frame.HelloFrame;
import io.skiff.protocol.frame.ManifestPartFrame;
import io.skiff.protocol.frame.OfferFrame;
import io.skiff.protocol.frame.OfferReplyFrame;
import io.skiff.protocol.frame.WantFrame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The manifest-amplification attack of issue 19, against a receiver in its own JVM with a 256 MiB heap
 * that exits on OutOfMemoryError: one peer address sends valid, highly compressible manifests (~10 KiB
 * on the wire, ~10 MiB decoded, 16 of them: without a budget, 400 MiB of heap) and offers of 250 MiB ones,
 * without waiting for answers. The budget lets one of them in, answers the rest BUSY or refuses them, a
 * real push from another address succeeds meanwhile, and nothing of the attack stays on disk.
 */
class ManifestAmplificationTest {
    private static final int ATTACK_CHUNKS = 300_000; // 36 bytes each: a 10.3 MiB manifest, 31 MiB of the 64 MiB budget
    private static final int HUGE_OFFERS = 8;
    private static final int COMPRESSIBLE_OFFERS = 16;

    @TempDir
    Path tmp;

    @Test
    void shouldStayWithinTheManifestBudgetUnderAttackAndStillActivateARealPush() throws Exception {
        Path root = tmp.resolve("root");
        Path src = TestTrees.textFile(tmp.resolve("src/codes.txt"), 2_000_000, 9).getParent();
        InetAddress attacker = InetAddress.getByName("127.0.0.2");
        List<RawClient> held = new ArrayList<>();
        try (SkiffProcess receiver = SkiffProcess.receiver(List.of("env", "JAVA_TOOL_OPTIONS=-Xmx256m -XX:+ExitOnOutOfMemoryError"), root)) {
            for (int i = 0; i < HUGE_OFFERS; i++) {
                try (RawClient huge = new RawClient(attacker, receiver.port())) {
                    huge.send(new HelloFrame(FrameDescriptor.PROTOCOL_VERSION, "attacker"))
                            .send(new OfferFrame(Sha256.digest(new byte[]{(byte) i}), 250 << 20, "attack", "huge-" + i));
                    ErrorFrame refused = assertInstanceOf(ErrorFrame.class, huge.readUntilClosed().stream()
                            .filter(f -> !(f instanceof AuditHeadFrame)).findFirst().orElseThrow()); // the refusal is audited
                    assertEquals(ErrorCode.MANIFEST_INVALID, refused.code(), refused.message());
                    assertTrue(refused.message().contains("exceeds this receiver's limit"), refused.message());
                }
            }
            int wanted = 0;
            int busy = 0;
            for (int i = 0; i < COMPRESSIBLE_OFFERS; i++) {
                RawClient client = new RawClient(attacker, receiver.port());
                held.add(client);
                Object answer = sendCompressibleManifest(client, "amplify-" + i);
                if (answer instanceof WantFrame) {
                    wanted++;
                } else {
                    ErrorFrame error = assertInstanceOf(ErrorFrame.class, answer);
                    assertEquals(ErrorCode.BUSY, error.code(), error.message());
                    busy++;
                }
            }
            assertEquals(1, wanted, "one address holds at most half of the budget: one such manifest");
            assertEquals(COMPRESSIBLE_OFFERS - 1, busy);

            CliTest.Run push = CliTest.skiff("push", src.toString(), "--channel", "icd10cm", "--version", "2027",
                    "--to", "127.0.0.1:" + receiver.port(), "--json");
            assertEquals(0, push.exit(), push.err() + "\n" + receiver.output());
            TestTrees.assertSameTree(src, root.resolve("icd10cm/current"));

            for (RawClient client : held) {
                client.close();
            }
            awaitNoAttackManifests(root.resolve("attack/manifests"));
            assertTrue(receiver.process().isAlive(), "the receiver survived:\n" + receiver.output());
        } finally {
            for (RawClient client : held) {
                client.close();
            }
        }
    }

    /** HELLO, OFFER, BASE and the compressed manifest in one go, as an attacker sends them; returns the first answer after OFFER_REPLY. */
    private static Object sendCompressibleManifest(RawClient client, String version) throws IOException {
        byte[] hashes = new byte[ATTACK_CHUNKS * Sha256.BYTES]; // one chunk, many times: compresses to almost nothing
        int[] lengths = new int[ATTACK_CHUNKS];
        Arrays.fill(lengths, 256);
        Manifest manifest = Manifest.builder("attack", version, new ChunkingParams(64, 256, 1024))
                .addFile("rows.tsv", false, 256L * ATTACK_CHUNKS, hashes, lengths).build();
        byte[] compressed = Zstd.compress(manifest.canonicalBytes(), 19);
        client.send(new HelloFrame(FrameDescriptor.PROTOCOL_VERSION, "attacker"))
                .send(new OfferFrame(manifest.releaseId(), manifest.canonicalLength(), "attack", version))
                .send(new BaseFrame(null, BaseFrame.ManifestEncoding.ZSTD, compressed.length))
                .send(new ManifestPartFrame(compressed));
        Object first = client.read(1).get(0);
        if (first instanceof OfferReplyFrame || first instanceof AuditHeadFrame) { // a refusal's audit head comes before its ERROR
            return client.read(1).get(0);
        }
        return first;
    }

    private static void awaitNoAttackManifests(Path dir) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                List<Path> left = files.toList();
                if (left.isEmpty()) {
                    return;
                }
                assertTrue(System.nanoTime() < deadline, "manifests of the abandoned attack still on disk: " + left);
            }
            LockSupport.parkNanos(50_000_000);
        }
    }
}
