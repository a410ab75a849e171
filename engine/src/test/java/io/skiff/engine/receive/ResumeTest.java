package io.skiff.engine.receive;

import io.skiff.engine.Skiff;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.PushListener;
import io.skiff.engine.api.PushOptions;
import io.skiff.engine.api.PushResult;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.api.TargetResult;
import io.skiff.engine.store.TransferJournal;
import io.skiff.engine.testing.FaultyProxy;
import io.skiff.engine.testing.TestTrees;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cut connections over real loopback TCP (a proxy that cuts at chosen byte offsets) and the receiver's
 * resume journal: every push ends activated and byte-identical, and a resume re-sends only what had
 * not arrived.
 */
class ResumeTest {
    @TempDir
    Path tmp;
    private Receiver receiver;
    private Path source;

    @BeforeEach
    void setUp() {
        receiver = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("root")));
        source = tmp.resolve("src");
        TestTrees.randomFile(source.resolve("data/big.bin"), 12_000_000, 1);
        TestTrees.textFile(source.resolve("codes/descriptions.txt"), 4_000_000, 2);
        TestTrees.randomFile(source.resolve("small.bin"), 5_000, 3);
    }

    @AfterEach
    void tearDown() {
        receiver.close();
    }

    private static PushOptions retrying() {
        return PushOptions.defaults().withRetries(5, Duration.ofMillis(10));
    }

    private TargetResult push(String channel, int port, PushOptions options) {
        PushResult r = Skiff.push(source, channel, "v1", List.of(new HostPort("127.0.0.1", port)), options, PushListener.NONE);
        return r.targets().get(0);
    }

    /** Until the receiver has finished with every cut connection (journaled what arrived), at most 10 s. */
    private void awaitIdle() {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!receiver.transfersInProgress().isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        assertEquals(java.util.Set.of(), receiver.transfersInProgress());
    }

    /** Client-to-receiver bytes of an uncut push through the proxy. */
    private long fullTransferBytes() throws IOException {
        try (FaultyProxy proxy = new FaultyProxy(receiver.port())) {
            assertTrue(push("baseline", proxy.port(), retrying()).activated());
            return proxy.bytesClientToServer();
        }
    }

    @Test
    void shouldActivateAfterCutsAtSeededRandomOffsetsAndResendLittle() throws IOException {
        long full = fullTransferBytes();
        Random random = new Random(20261123);
        long resentTotal = 0;
        long allowedTotal = 0;
        for (int run = 0; run < 24; run++) {
            int cuts = 1 + run % 3;
            long[] offsets = new long[cuts];
            for (int i = 0; i < cuts; i++) {
                offsets[i] = 1 + (long) (random.nextDouble() * full * 0.9); // each cut lands before that attempt could finish
            }
            String channel = "resume-" + run;
            try (FaultyProxy proxy = new FaultyProxy(receiver.port()).cutConnectionsAt(offsets)) {
                TargetResult t = push(channel, proxy.port(), retrying());

                assertTrue(t.activated(), () -> channel + " cut at " + java.util.Arrays.toString(offsets) + ": " + t.error());
                TestTrees.assertSameTree(source, receiver.store().channelDir(channel).resolve("current"));
                assertEquals(List.of(), receiver.store().staging(channel), "staging cleaned after activation");
                assertFalse(Files.exists(TransferJournal.fileFor(receiver.store(), channel, receiver.store().current(channel).orElseThrow())));
                int effectiveCuts = (int) java.util.Arrays.stream(offsets).filter(o -> o < full).count();
                assertEquals(proxy.connections(), t.attempts(), channel);
                assertTrue(t.attempts() >= 1 + Math.min(effectiveCuts, 1), channel + " attempts=" + t.attempts());
                long resent = proxy.bytesClientToServer() - full;
                resentTotal += resent;
                // per cut: the chunk cut in half, frame headers, and the handshake of the new connection
                allowedTotal += (long) proxy.connections() * (256 * 1024 + 16 * 1024);
                assertTrue(resent <= 0.05 * full * cuts + 300_000L * cuts,
                        channel + ": re-sent " + resent + " of " + full + " after cuts at " + java.util.Arrays.toString(offsets));
            }
        }
        assertTrue(resentTotal <= allowedTotal, "re-sent " + resentTotal + " over 24 runs, allowed " + allowedTotal);
    }

    @Test
    void shouldResendAboutHalfAfterACutAtHalfway() throws IOException {
        long full = fullTransferBytes();
        try (FaultyProxy proxy = new FaultyProxy(receiver.port()).cutConnectionsAt(full / 2)) {
            TargetResult t = push("half", proxy.port(), retrying());

            assertTrue(t.activated(), t::toString);
            assertTrue(t.attempts() >= 2, t::toString); // a retry may find the cut connection still finishing (busy)
            long afterCut = proxy.bytesClientToServer() - full / 2;
            assertTrue(afterCut <= 0.55 * full, "second attempt sent " + afterCut + " of " + full);
        }
    }

    @Test
    void shouldRecoverWhenTheJournalIsTruncatedOrFilledWithGarbage() throws IOException {
        long full = fullTransferBytes();
        try (FaultyProxy proxy = new FaultyProxy(receiver.port()).cutConnectionsAt(full * 6 / 10)) {
            TargetResult cut = push("journal", proxy.port(), PushOptions.defaults().withRetries(0, Duration.ZERO));
            assertFalse(cut.activated());
        }
        awaitIdle();
        Path journal;
        try (var stream = Files.list(receiver.store().channelDir("journal").resolve("staging"))) {
            journal = stream.filter(p -> p.toString().endsWith(".journal")).findFirst().orElseThrow();
        }
        long size = Files.size(journal);
        assertTrue(size > 44 + 8 * 10, "the cut transfer journaled its chunks: " + size + " bytes");
        try (RandomAccessFile f = new RandomAccessFile(journal.toFile(), "rw")) {
            f.setLength(size - 5); // a torn last record
            f.seek(44 + 8 * 3);
            f.write(new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}); // two records of garbage
            f.seek(f.length());
            f.write("garbage at the end".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }

        TargetResult resumed = push("journal", receiver.port(), retrying());

        assertTrue(resumed.activated(), resumed::toString);
        TestTrees.assertSameTree(source, receiver.store().channelDir("journal").resolve("current"));
        assertTrue(resumed.chunksSent() < resumed.chunksTotal(), "the valid records were kept: " + resumed.chunksSent());

        // a journal whose header is garbage is not trusted at all: everything is fetched again
        try (FaultyProxy proxy = new FaultyProxy(receiver.port()).cutConnectionsAt(full / 2)) {
            assertFalse(push("garbage", proxy.port(), PushOptions.defaults().withRetries(0, Duration.ZERO)).activated());
        }
        awaitIdle();
        try (var stream = Files.list(receiver.store().channelDir("garbage").resolve("staging"))) {
            Path j = stream.filter(p -> p.toString().endsWith(".journal")).findFirst().orElseThrow();
            byte[] noise = new byte[(int) Files.size(j)];
            new Random(7).nextBytes(noise);
            Files.write(j, noise);
        }
        TargetResult again = push("garbage", receiver.port(), retrying());
        assertTrue(again.activated(), again::toString);
        assertEquals(again.chunksTotal(), again.chunksSent() + again.chunksCopiedLocally(), "nothing trusted from a garbage journal");
        TestTrees.assertSameTree(source, receiver.store().channelDir("garbage").resolve("current"));
    }
}
