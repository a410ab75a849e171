package io.skiff.cli;

import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.PushListener;
import io.skiff.engine.api.TargetResult;
import io.skiff.engine.api.Topology;
import io.skiff.protocol.Manifest;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A live view of a push on stderr: a total line, then one line per target (bytes sent of bytes
 * wanted, rate, state). For more than {@value #MAX_TARGET_LINES} targets it shows one line per region
 * when the push has named regions (targets done, activated, failed and still sending; bytes; rate),
 * else a count per state and the slowest targets still running. Redrawn in place every 250 ms, and
 * only when stderr is a terminal; {@link #close()} erases it.
 *
 * <p>Built from {@link PushListener} events alone. A target in a named region may get its bytes from
 * the region's relay (reported as {@code chunkSent} without a {@code planned}); what it wants arrives
 * with the relay's reports ({@code plannedByRelay}), and until then the release size stands in, shown
 * as {@code ~SIZE}. A target may be finished twice (a relay that failed, then pushed to directly): the
 * last event wins.
 */
final class ProgressDisplay implements PushListener, AutoCloseable {
    static final int MAX_TARGET_LINES = 10;

    /** Where a target stands; a later event may move a finished target back (a failed relay is pushed to directly). */
    enum Phase {
        WAITING("waiting for relay"), CONNECTING("connecting"), SENDING("sending"), RETRYING("retrying"), ACTIVATED("activated"),
        FAILED("failed");

        final String label;

        Phase(String label) {
            this.label = label;
        }

        boolean done() {
            return this == ACTIVATED || this == FAILED;
        }
    }

    /** One target's progress; its fields are written by the push's threads and read by the painter. */
    static final class TargetProgress {
        final String target;
        final String region;
        /** Release bytes delivered to it: sent by the sender, or by a relay as it reported. */
        final AtomicLong delivered = new AtomicLong();
        /** What it will have once done: delivered when the sender's last plan came, plus that plan; -1 before any. */
        final AtomicLong wanted = new AtomicLong(-1);
        /** Whether the sender itself is sending to it (it planned): else bytes come from a relay. */
        volatile boolean fromSender;
        volatile Phase phase;
        /** For RETRYING and FAILED: e.g. "attempt 2, connection_lost" or "connect_failed". */
        volatile String detail = "";
        /** The relay its final result came through; null for the sender. */
        volatile String via;

        TargetProgress(String target, String region, Phase phase) {
            this.target = target;
            this.region = region;
            this.phase = phase;
        }

        String state() {
            Phase p = phase;
            return switch (p) {
                case SENDING -> fromSender ? "sending" : "sending via relay";
                case RETRYING -> "retrying (" + detail + ")";
                case ACTIVATED -> via == null ? "activated" : "activated via " + via;
                case FAILED -> (via == null ? "failed: " : "failed via " + via + ": ") + detail;
                default -> p.label;
            };
        }
    }

    private final PrintWriter err;
    private final boolean enabled;
    private final Map<String, TargetProgress> targets = new LinkedHashMap<>();
    /** Region names in topology order ({@link Topology#NO_REGION} included if it has targets). */
    private final List<String> regions = new ArrayList<>();
    private final boolean namedRegions;
    private final long startNanos = System.nanoTime();
    private volatile String phase = "building manifest";
    private volatile long releaseBytes;
    private final Thread painter;
    private int linesOnScreen;

    /**
     * @param relays whether the push relays within named regions (not {@code --no-relay}): then every
     *               target of a region but its first waits for a relay at first
     */
    ProgressDisplay(PrintWriter err, boolean enabled, Topology topology, boolean relays) {
        this.err = err;
        this.enabled = enabled;
        boolean named = false;
        for (Topology.Region region : topology.regions()) {
            regions.add(region.name());
            named |= region.named();
            for (int i = 0; i < region.targets().size(); i++) {
                String name = region.targets().get(i).toString();
                boolean waits = relays && region.named() && i > 0;
                targets.put(name, new TargetProgress(name, region.name(), waits ? Phase.WAITING : Phase.CONNECTING));
            }
        }
        this.namedRegions = named;
        this.painter = new Thread(this::paintLoop, "skiff-progress");
        this.painter.setDaemon(true);
        if (enabled) {
            painter.start();
        }
    }

    /** Targets without regions, each pushed to directly. */
    ProgressDisplay(PrintWriter err, boolean enabled, List<String> targetNames) {
        this(err, enabled, Topology.direct(targetNames.stream().map(HostPort::parse).toList()), false);
    }

    /** The target's progress; a name the display was not given is tracked nowhere (the display never fails a push). */
    private TargetProgress of(String target) {
        TargetProgress p = targets.get(target);
        return p != null ? p : new TargetProgress(target, Topology.NO_REGION, Phase.CONNECTING);
    }

    @Override
    public void manifestBuilt(Manifest manifest, double seconds) {
        releaseBytes = manifest.totalBytes();
        phase = "pushing";
    }

    @Override
    public void planned(String target, int chunksWanted, long bytes) {
        TargetProgress p = of(target);
        p.fromSender = true;
        p.wanted.set(p.delivered.get() + bytes);
        p.via = null;
        p.phase = Phase.SENDING;
    }

    /** What a relayed target asked its relay for: its bar shows real progress, no longer the release size. */
    @Override
    public void plannedByRelay(String target, String relay, long bytesWanted) {
        TargetProgress p = of(target);
        p.wanted.set(bytesWanted);
        if (p.phase == Phase.WAITING || p.phase == Phase.CONNECTING) {
            p.phase = Phase.SENDING;
        }
    }

    @Override
    public void chunkSent(String target, int rawBytes) {
        TargetProgress p = of(target);
        p.delivered.addAndGet(rawBytes);
        if (p.phase == Phase.WAITING || p.phase == Phase.CONNECTING) { // a relay's first report: no plan from the sender
            p.phase = Phase.SENDING;
        }
    }

    @Override
    public void retrying(String target, int failedAttempt, Duration wait, TargetResult failed) {
        TargetProgress p = of(target);
        p.detail = "attempt " + (failedAttempt + 1) + ", " + failed.code().label();
        p.phase = Phase.RETRYING;
    }

    @Override
    public void finished(TargetResult result) {
        TargetProgress p = of(result.target());
        p.via = result.route() == TargetResult.Route.RELAYED ? result.via() : null;
        p.detail = result.activated() || result.code() == null ? "" : result.code().label();
        p.phase = result.activated() ? Phase.ACTIVATED : Phase.FAILED;
    }

    /** What the view shows now: the total line, then the target (or region, or state) lines. */
    List<String> lines(double seconds) {
        List<String> lines = new ArrayList<>();
        Totals all = new Totals();
        targets.values().forEach(all::add);
        lines.add(String.format(Locale.ROOT, "%s %s  %s / %s  %s  targets done %d/%d", phase, percent(all.delivered, all.wanted),
                HumanFormat.bytes(all.delivered), all.wantedText(), HumanFormat.rate(all.delivered, seconds), all.done, all.targets));
        if (targets.size() <= MAX_TARGET_LINES) {
            targets.values().forEach(p -> lines.add(line(p, seconds)));
        } else if (namedRegions) {
            regionLines(lines, seconds);
        } else {
            stateLines(lines, seconds);
        }
        return lines;
    }

    /** One line per region: its share of the bytes, and how many of its targets are done, activated, failed, still sending. */
    private void regionLines(List<String> lines, double seconds) {
        Map<String, Totals> byRegion = new LinkedHashMap<>();
        regions.forEach(r -> byRegion.put(r, new Totals()));
        targets.values().forEach(p -> byRegion.computeIfAbsent(p.region, r -> new Totals()).add(p));
        int width = byRegion.keySet().stream().mapToInt(r -> regionName(r).length()).max().orElse(1);
        byRegion.forEach((region, t) -> lines.add(String.format(Locale.ROOT, "  %-" + width + "s %s  %9s / %-10s %12s  done %d/%d: "
                        + "%d activated, %d failed; %d sending", regionName(region), percent(t.delivered, t.wanted),
                HumanFormat.bytes(t.delivered), t.wantedText(), HumanFormat.rate(t.delivered, seconds), t.done, t.targets, t.activated,
                t.done - t.activated, t.targets - t.done)));
    }

    /** A count per state, then the slowest targets still running. */
    private void stateLines(List<String> lines, double seconds) {
        Map<String, Integer> byState = new LinkedHashMap<>();
        for (TargetProgress p : targets.values()) {
            byState.merge(p.phase.label, 1, Integer::sum);
        }
        List<String> counts = new ArrayList<>();
        byState.forEach((state, n) -> counts.add(n + " " + state));
        lines.add("  " + String.join(", ", counts));
        targets.values().stream()
                .filter(p -> !p.phase.done())
                .sorted(Comparator.comparingDouble(this::fraction))
                .limit(5)
                .forEach(p -> lines.add(line(p, seconds) + "  (slowest)"));
    }

    private static String regionName(String region) {
        return region.isEmpty() ? Topology.NO_REGION_NAME : region;
    }

    /** Sums over some targets; wanted counts each target's {@link #wanted(TargetProgress)}. */
    private final class Totals {
        long delivered;
        long wanted;
        boolean estimated;
        int targets;
        int done;
        int activated;

        void add(TargetProgress p) {
            targets++;
            delivered += p.delivered.get();
            wanted += wanted(p);
            estimated |= estimated(p);
            done += p.phase.done() ? 1 : 0;
            activated += p.phase == Phase.ACTIVATED ? 1 : 0;
        }

        String wantedText() {
            return (estimated ? "~" : "") + HumanFormat.bytes(wanted);
        }
    }

    /**
     * What a target will have been sent: all it got once activated (or once failed, when the sender
     * never planned it), the sender's plan while running, the release size while a relay sends to it,
     * and nothing before it starts.
     */
    private long wanted(TargetProgress p) {
        long delivered = p.delivered.get();
        long planned = p.wanted.get();
        Phase at = p.phase;
        if (at == Phase.ACTIVATED || (at == Phase.FAILED && planned < 0)) {
            return delivered;
        }
        if (planned >= 0) {
            return Math.max(planned, delivered);
        }
        return estimated(p) ? Math.max(releaseBytes, delivered) : 0;
    }

    /** Whether {@link #wanted} guesses: a relay is sending to it and it is not done. */
    private static boolean estimated(TargetProgress p) {
        return p.wanted.get() < 0 && !p.phase.done() && p.delivered.get() > 0;
    }

    private double fraction(TargetProgress p) {
        long wanted = wanted(p);
        return wanted == 0 ? 0 : (double) p.delivered.get() / wanted;
    }

    private String line(TargetProgress p, double seconds) {
        long delivered = p.delivered.get();
        long wanted = wanted(p);
        String wantedText = (estimated(p) ? "~" : "") + HumanFormat.bytes(wanted);
        return String.format(Locale.ROOT, "  %-24s %s  %9s / %-10s %12s  %s", p.target, percent(delivered, wanted),
                HumanFormat.bytes(delivered), wantedText, HumanFormat.rate(delivered, seconds), p.state());
    }

    private static String percent(long sent, long wanted) {
        return wanted > 0 ? String.format(Locale.ROOT, "%5.1f%%", 100.0 * sent / wanted) : "   - ";
    }

    private void paintLoop() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(250);
                paint();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Moves up over the previous drawing and redraws it, clearing each line first. */
    private synchronized void paint() {
        StringBuilder out = new StringBuilder();
        if (linesOnScreen > 1) {
            out.append("\033[").append(linesOnScreen - 1).append('A');
        }
        List<String> lines = lines((System.nanoTime() - startNanos) / 1e9);
        for (int i = 0; i < lines.size(); i++) {
            out.append('\r').append("\033[2K").append(lines.get(i));
            if (i < lines.size() - 1) {
                out.append('\n');
            }
        }
        linesOnScreen = lines.size();
        err.print(out);
        err.flush();
    }

    @Override
    public void close() {
        if (enabled) {
            painter.interrupt();
            try {
                painter.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (this) {
                StringBuilder out = new StringBuilder();
                if (linesOnScreen > 1) {
                    out.append("\033[").append(linesOnScreen - 1).append('A');
                }
                out.append('\r').append("\033[J"); // erase the drawing down to the end of the screen
                err.print(out);
                err.flush();
            }
        }
    }
}
