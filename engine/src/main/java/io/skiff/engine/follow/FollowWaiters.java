package io.skiff.engine.follow;

import io.skiff.protocol.Sha256;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The followers an origin holds (FOLLOW_WAIT) until their channel's current release is no longer the
 * one they hold, or their wait is over. Each {@link #check()} reads the current release of every
 * channel somebody waits on once, however many followers wait on it, then wakes the followers due,
 * oldest first:
 * <ul>
 *   <li>one whose release is stale, while fewer than {@code maxTransfers} transfers it woke are running,
 *       so a new release does not start a transfer to every follower in the same instant;</li>
 *   <li>one whose wait is over: it is answered now whatever the release (an unchanged one costs a
 *       handshake), stale or not, because it gives up on the connection soon after.</li>
 * </ul>
 * A current release that cannot be read counts as stale: the serve that follows reports the error.
 *
 * <p>Thread-safe: followers are added and removed on event loops, checks run on the origin's watch
 * thread; file reads and wake-ups happen outside the lock.
 */
final class FollowWaiters {
    private static final Runnable NOTHING = () -> { };

    /**
     * One held follower; identity, not value, tells two apart.
     *
     * @param channel       the channel it waits on, as the origin names where it is served from
     *                      ({@link OriginStores#where}: "channel" or "tenant/channel"); given to {@code current}
     * @param held          the release it holds, or null for none
     * @param deadlineNanos when its wait is over, on the clock given to {@link FollowWaiters}
     * @param wake          called once, off the lock, with what to run when the transfer it starts is over
     */
    static final class Waiter {
        final String channel;
        final Sha256 held;
        final long deadlineNanos;
        final Consumer<Runnable> wake;

        Waiter(String channel, Sha256 held, long deadlineNanos, Consumer<Runnable> wake) {
            this.channel = Objects.requireNonNull(channel, "channel");
            this.held = held;
            this.deadlineNanos = deadlineNanos;
            this.wake = Objects.requireNonNull(wake, "wake");
        }
    }

    private final int maxWaiters;
    private final int maxTransfers;
    private final Function<String, Optional<Sha256>> current;
    private final LongSupplier nanoTime;
    private final Map<String, LinkedHashSet<Waiter>> byChannel = new HashMap<>();
    private int waiting;
    private int transfers;

    /**
     * @param maxWaiters   followers held at once; {@link #add} refuses more
     * @param maxTransfers transfers of a stale release woken by a check and still running, at most
     * @param current      the current release of a channel (reads the origin's root)
     * @param nanoTime     the clock deadlines are on
     */
    FollowWaiters(int maxWaiters, int maxTransfers, Function<String, Optional<Sha256>> current, LongSupplier nanoTime) {
        if (maxWaiters < 0 || maxTransfers < 1) {
            throw new IllegalArgumentException("maxWaiters=" + maxWaiters + " maxTransfers=" + maxTransfers);
        }
        this.maxWaiters = maxWaiters;
        this.maxTransfers = maxTransfers;
        this.current = Objects.requireNonNull(current, "current");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /** Holds {@code waiter}; false when {@code maxWaiters} are held already. */
    synchronized boolean add(Waiter waiter) {
        if (waiting >= maxWaiters) {
            return false;
        }
        byChannel.computeIfAbsent(waiter.channel, c -> new LinkedHashSet<>()).add(waiter);
        waiting++;
        return true;
    }

    /** Stops holding {@code waiter} (its connection closed); false if it was woken already. */
    synchronized boolean remove(Waiter waiter) {
        LinkedHashSet<Waiter> set = byChannel.get(waiter.channel);
        if (set == null || !set.remove(waiter)) {
            return false;
        }
        waiting--;
        if (set.isEmpty()) {
            byChannel.remove(waiter.channel);
        }
        return true;
    }

    /** Followers held now. */
    synchronized int size() {
        return waiting;
    }

    /** Transfers woken by a check and not over yet. */
    synchronized int transfersRunning() {
        return transfers;
    }

    /** Wakes the followers due (see the class comment). */
    void check() {
        List<String> channels;
        synchronized (this) {
            if (waiting == 0) {
                return;
            }
            channels = new ArrayList<>(byChannel.keySet());
        }
        Map<String, Optional<Sha256>> currents = new HashMap<>();
        for (String channel : channels) {
            Optional<Sha256> now;
            try {
                now = current.apply(channel);
            } catch (RuntimeException unreadable) {
                now = null; // stale: the serve reports it
            }
            currents.put(channel, now);
        }
        List<Runnable> wakes = new ArrayList<>();
        synchronized (this) {
            long now = nanoTime.getAsLong();
            for (Map.Entry<String, Optional<Sha256>> e : currents.entrySet()) {
                LinkedHashSet<Waiter> set = byChannel.get(e.getKey());
                if (set == null) {
                    continue;
                }
                for (Iterator<Waiter> it = set.iterator(); it.hasNext(); ) {
                    Waiter w = it.next();
                    boolean stale = e.getValue() == null || !e.getValue().equals(Optional.ofNullable(w.held));
                    Runnable done;
                    if (stale && transfers < maxTransfers) {
                        transfers++;
                        done = once(this::transferDone);
                    } else if (now - w.deadlineNanos >= 0) {
                        done = NOTHING;
                    } else {
                        continue;
                    }
                    it.remove();
                    waiting--;
                    wakes.add(() -> {
                        try {
                            w.wake.accept(done);
                        } catch (RuntimeException rejected) { // its event loop is shutting down
                            done.run();
                        }
                    });
                }
                if (set.isEmpty()) {
                    byChannel.remove(e.getKey());
                }
            }
        }
        wakes.forEach(Runnable::run);
    }

    private synchronized void transferDone() {
        transfers--;
    }

    private static Runnable once(Runnable r) {
        AtomicBoolean ran = new AtomicBoolean();
        return () -> {
            if (ran.compareAndSet(false, true)) {
                r.run();
            }
        };
    }
}
