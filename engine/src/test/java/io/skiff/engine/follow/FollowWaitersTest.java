package io.skiff.engine.follow;

import io.skiff.protocol.Sha256;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link FollowWaiters} alone: a map for the origin's {@code current} links and a hand-moved clock. */
class FollowWaitersTest {
    private static final Sha256 V1 = Sha256.digest("v1".getBytes(StandardCharsets.UTF_8));
    private static final Sha256 V2 = Sha256.digest("v2".getBytes(StandardCharsets.UTF_8));
    private static final long SECOND = 1_000_000_000L;

    private final Map<String, Sha256> current = new HashMap<>();
    private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
    /** Names of woken waiters, in order, with the "done" each was given. */
    private final List<String> woken = new ArrayList<>();
    private final List<Runnable> dones = new ArrayList<>();
    private int reads;

    private FollowWaiters waiters(int maxWaiters, int maxTransfers) {
        return new FollowWaiters(maxWaiters, maxTransfers, channel -> {
            reads++;
            if (channel.equals("broken")) {
                throw new IllegalStateException("unreadable link");
            }
            return Optional.ofNullable(current.get(channel));
        }, clock::get);
    }

    private FollowWaiters.Waiter waiter(String name, String channel, Sha256 held, long waitSeconds) {
        return new FollowWaiters.Waiter(channel, held, clock.get() + waitSeconds * SECOND, done -> {
            woken.add(name);
            dones.add(done);
        });
    }

    @Test
    void shouldWakeOnlyTheFollowersOfAChannelWhenItsReleaseChanges() {
        current.put("icd", V1);
        current.put("loinc", V1);
        FollowWaiters waiters = waiters(10, 10);
        waiters.add(waiter("a", "icd", V1, 60));
        waiters.add(waiter("b", "icd", V1, 60));
        waiters.add(waiter("c", "loinc", V1, 60));

        waiters.check();
        assertEquals(List.of(), woken);

        current.put("icd", V2);
        waiters.check();

        assertEquals(List.of("a", "b"), woken);
        assertEquals(1, waiters.size());
        assertEquals(2, waiters.transfersRunning());
    }

    @Test
    void shouldReadEachChannelOnceAndNothingWhenNobodyWaits() {
        current.put("icd", V1);
        FollowWaiters waiters = waiters(10, 10);
        waiters.check();
        assertEquals(0, reads);

        for (int i = 0; i < 5; i++) {
            waiters.add(waiter("w" + i, "icd", V1, 60));
        }
        waiters.check();

        assertEquals(1, reads);
    }

    @Test
    void shouldWakeAnUnchangedFollowerWhenItsWaitIsOverWithoutTakingATransferPlace() {
        current.put("icd", V1);
        FollowWaiters waiters = waiters(10, 1);
        waiters.add(waiter("short", "icd", V1, 5));
        waiters.add(waiter("long", "icd", V1, 60));

        clock.addAndGet(5 * SECOND);
        waiters.check();

        assertEquals(List.of("short"), woken);
        assertEquals(0, waiters.transfersRunning());
        assertEquals(1, waiters.size());
    }

    @Test
    void shouldStartAtMostMaxTransfersAndTheNextWhenOneIsOver() {
        current.put("icd", V2);
        FollowWaiters waiters = waiters(10, 2);
        for (String name : List.of("a", "b", "c", "d")) {
            waiters.add(waiter(name, "icd", V1, 60));
        }

        waiters.check();
        assertEquals(List.of("a", "b"), woken);

        dones.get(0).run();
        dones.get(0).run(); // a second call frees nothing more
        waiters.check();

        assertEquals(List.of("a", "b", "c"), woken);
        assertEquals(2, waiters.transfersRunning());
        assertEquals(1, waiters.size());
    }

    @Test
    void shouldWakeAStaleFollowerPastTheTransferLimitWhenItsWaitIsOver() {
        current.put("icd", V2);
        FollowWaiters waiters = waiters(10, 1);
        waiters.add(waiter("a", "icd", V1, 60));
        waiters.add(waiter("b", "icd", V1, 5));
        waiters.check();
        assertEquals(List.of("a"), woken);

        clock.addAndGet(5 * SECOND);
        waiters.check();

        assertEquals(List.of("a", "b"), woken);
        assertEquals(0, waiters.size());
    }

    @Test
    void shouldRefuseBeyondMaxWaitersAndTakeOneAgainAfterARemove() {
        current.put("icd", V1);
        FollowWaiters waiters = waiters(2, 1);
        FollowWaiters.Waiter a = waiter("a", "icd", V1, 60);
        assertTrue(waiters.add(a));
        assertTrue(waiters.add(waiter("b", "icd", V1, 60)));
        assertFalse(waiters.add(waiter("c", "icd", V1, 60)));

        assertTrue(waiters.remove(a));
        assertFalse(waiters.remove(a));

        assertTrue(waiters.add(waiter("d", "icd", V1, 60)));
        assertEquals(2, waiters.size());
    }

    @Test
    void shouldWakeFollowersWhenTheChannelIsGoneOrUnreadable() {
        FollowWaiters waiters = waiters(10, 10);
        waiters.add(waiter("gone", "icd", V1, 60)); // no current link at all
        waiters.add(waiter("broken", "broken", V1, 60));
        waiters.add(waiter("none", "fresh", null, 60)); // holds nothing, and the origin has nothing: unchanged

        waiters.check();

        assertEquals(Set.of("gone", "broken"), Set.copyOf(woken));
        assertEquals(1, waiters.size());
    }
}
