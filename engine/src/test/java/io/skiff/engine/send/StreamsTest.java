package io.skiff.engine.send;

import io.skiff.engine.Skiff;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.PushListener;
import io.skiff.engine.api.PushOptions;
import io.skiff.engine.api.PushResult;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.api.TargetResult;
import io.skiff.engine.receive.Receiver;
import io.skiff.engine.testing.FaultyProxy;
import io.skiff.engine.testing.TestTrees;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parallel streams per target over loopback, through a proxy that counts (and can cut) each connection. */
class StreamsTest {
    private static final String CHANNEL = "loinc";

    @TempDir
    Path tmp;
    private Receiver receiver;

    @AfterEach
    void stop() {
        if (receiver != null) {
            receiver.close();
        }
    }

    private Path release() {
        Path src = tmp.resolve("src");
        TestTrees.randomFile(src.resolve("loinc/Loinc.bin"), 4_000_000, 31);
        TestTrees.textFile(src.resolve("loinc/LoincPartLink.csv"), 3_000_000, 32);
        return src;
    }

    @Test
    void shouldSpreadChunksOverEveryStreamAndActivateTheSameTree() throws IOException {
        Path src = release();
        receiver = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("root")));
        try (FaultyProxy proxy = new FaultyProxy(receiver.port())) {
            PushResult result = Skiff.push(src, CHANNEL, "2.77", List.of(new HostPort("127.0.0.1", proxy.port())),
                    PushOptions.defaults().withStreams(4), PushListener.NONE);

            assertTrue(result.allActivated(), result::toString);
            TestTrees.assertSameTree(src, receiver.store().channelDir(CHANNEL).resolve("current"));
            List<Long> perConnection = proxy.bytesClientToServerPerConnection();
            assertEquals(4, perConnection.size(), "one connection and three extra streams: " + perConnection);
            for (long bytes : perConnection) {
                assertTrue(bytes > 200_000, "every stream carried chunks: " + perConnection);
            }
            assertEquals(proxy.bytesClientToServer(), result.bytesWire(), "bytes_wire counts every stream");
        }
    }

    @Test
    void shouldResumeAndActivateWhenAnExtraStreamIsCut() throws IOException {
        Path src = release();
        receiver = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("root")));
        // connection 0 is the first of the first attempt; connection 1, its first extra stream, is cut
        try (FaultyProxy proxy = new FaultyProxy(receiver.port()).cutConnectionsAt(-1, 500_000)) {
            PushResult result = Skiff.push(src, CHANNEL, "2.77", List.of(new HostPort("127.0.0.1", proxy.port())),
                    PushOptions.defaults().withStreams(3).withRetries(3, Duration.ofMillis(50)), PushListener.NONE);

            TargetResult target = result.targets().get(0);
            assertTrue(target.activated(), target::toString);
            assertTrue(target.attempts() >= 2, "the cut stream failed the first attempt: " + target);
            TestTrees.assertSameTree(src, receiver.store().channelDir(CHANNEL).resolve("current"));
            long logical = result.manifest().totalBytes();
            assertTrue(proxy.bytesClientToServer() < logical * 1.5, "the retry resumed: " + proxy.bytesClientToServer()
                    + " bytes through the proxy for " + logical + " bytes of release");
        }
    }

    @Test
    void shouldUseOneConnectionForAFewChunks() throws IOException {
        Path src = tmp.resolve("small");
        TestTrees.textFile(src.resolve("loinc/readme.txt"), 100_000, 33);
        receiver = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("root")));
        try (FaultyProxy proxy = new FaultyProxy(receiver.port())) {
            PushResult result = Skiff.push(src, CHANNEL, "2.77", List.of(new HostPort("127.0.0.1", proxy.port())),
                    PushOptions.defaults().withStreams(8), PushListener.NONE);

            assertTrue(result.allActivated(), result::toString);
            assertEquals(1, proxy.connections(), "too few chunks to be worth extra streams");
            TestTrees.assertSameTree(src, receiver.store().channelDir(CHANNEL).resolve("current"));
        }
    }
}
