package io.skiff.engine.relay;

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
import io.skiff.protocol.ErrorCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One push to many targets over loopback: a dead, a cut and a throttled target never hold back the healthy ones. */
class FanOutTest {
    private static final String CHANNEL = "rxnorm";

    @TempDir
    Path tmp;
    private final List<Receiver> receivers = new ArrayList<>();

    @AfterEach
    void stop() {
        receivers.forEach(Receiver::close);
    }

    private Receiver receiver(String name) {
        Receiver r = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve(name)));
        receivers.add(r);
        return r;
    }

    @Test
    void shouldFinishHealthyTargetsFirstWhenOthersAreDeadCutOrThrottled() throws IOException {
        Path src = tmp.resolve("src");
        TestTrees.randomFile(src.resolve("rxnorm/RXNCONSO.bin"), 3_000_000, 1);
        TestTrees.textFile(src.resolve("rxnorm/RXNREL.txt"), 2_000_000, 2);
        Receiver healthy1 = receiver("healthy-1");
        Receiver healthy2 = receiver("healthy-2");
        Receiver healthy3 = receiver("healthy-3");
        Receiver cutOne = receiver("cut");
        Receiver slowOne = receiver("slow");
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        List<String> finishOrder = new CopyOnWriteArrayList<>();
        PushListener listener = new PushListener() {
            @Override
            public void finished(TargetResult result) {
                finishOrder.add(result.target());
            }
        };
        try (FaultyProxy cut = new FaultyProxy(cutOne.port()).cutAt(1_000_000);
             FaultyProxy slow = new FaultyProxy(slowOne.port()).throttle(1_000_000)) {
            List<HostPort> targets = List.of(new HostPort("127.0.0.1", healthy1.port()), new HostPort("127.0.0.1", deadPort),
                    new HostPort("127.0.0.1", slow.port()), new HostPort("127.0.0.1", healthy2.port()),
                    new HostPort("127.0.0.1", cut.port()), new HostPort("127.0.0.1", healthy3.port()));

            PushResult result = Skiff.push(src, CHANNEL, "2027-01", targets,
                    PushOptions.defaults().withRetries(0, Duration.ZERO), listener);

            Map<String, TargetResult> byTarget = result.targets().stream()
                    .collect(Collectors.toMap(TargetResult::target, Function.identity()));
            for (Receiver healthy : List.of(healthy1, healthy2, healthy3)) {
                assertTrue(byTarget.get("127.0.0.1:" + healthy.port()).activated());
                TestTrees.assertSameTree(src, healthy.store().channelDir(CHANNEL).resolve("current"));
            }
            assertEquals(ErrorCode.CONNECT_FAILED, byTarget.get("127.0.0.1:" + deadPort).code());
            assertEquals(ErrorCode.CONNECTION_LOST, byTarget.get("127.0.0.1:" + cut.port()).code());
            assertTrue(cutOne.store().current(CHANNEL).isEmpty(), "the cut target activated nothing");
            TargetResult throttled = byTarget.get("127.0.0.1:" + slow.port());
            assertTrue(throttled.activated(), throttled::toString);
            TestTrees.assertSameTree(src, slowOne.store().channelDir(CHANNEL).resolve("current"));
            assertFalse(result.allActivated());
            assertEquals(6, finishOrder.size());
            String slowTarget = "127.0.0.1:" + slow.port();
            int slowAt = finishOrder.indexOf(slowTarget);
            for (Receiver healthy : List.of(healthy1, healthy2, healthy3)) {
                assertTrue(finishOrder.indexOf("127.0.0.1:" + healthy.port()) < slowAt,
                        "a healthy target waited for the throttled one: " + finishOrder);
            }
        }
    }
}
