package io.skiff.cli;

import io.skiff.engine.transfer.PushListener;
import io.skiff.engine.transfer.TargetResult;
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
 * wanted, rate, state), or for more than {@value #MAX_TARGET_LINES} targets a count per state and
 * the slowest targets still running. Redrawn in place every 250 ms, and only when stderr is a
 * terminal; {@link #close()} erases it.
 */
final class ProgressDisplay implements PushListener, AutoCloseable {
    static final int MAX_TARGET_LINES = 10;

    /** One target's progress; its fields are written by the push's threads and read by the painter. */
    static final class TargetProgress {
        final String target;
        final AtomicLong bytesWanted = new AtomicLong();
        final AtomicLong bytesSent = new AtomicLong();
        volatile String state = "connecting";

        TargetProgress(String target) {
            this.target = target;
        }
    }

    private final PrintWriter err;
    private final boolean enabled;
    private final Map<String, TargetProgress> targets = new LinkedHashMap<>();
    private final long startNanos = System.nanoTime();
    private volatile String phase = "building manifest";
    private final Thread painter;
    private int linesOnScreen;

    ProgressDisplay(PrintWriter err, boolean enabled, List<String> targetNames) {
        this.err = err;
        this.enabled = enabled;
        for (String name : targetNames) {
            targets.put(name, new TargetProgress(name));
        }
        this.painter = new Thread(this::paintLoop, "skiff-progress");
        this.painter.setDaemon(true);
        if (enabled) {
            painter.start();
        }
    }

    /** The target's progress; a name the display was not given is tracked nowhere (the display never fails a push). */
    private TargetProgress of(String target) {
        TargetProgress p = targets.get(target);
        return p != null ? p : new TargetProgress(target);
    }

    @Override
    public void manifestBuilt(Manifest manifest, double seconds) {
        phase = "pushing";
    }

    @Override
    public void planned(String target, int chunksWanted, long bytes) {
        TargetProgress p = of(target);
        p.bytesWanted.addAndGet(bytes);
        p.state = "sending";
    }

    @Override
    public void chunkSent(String target, int rawBytes) {
        of(target).bytesSent.addAndGet(rawBytes);
    }

    @Override
    public void retrying(String target, int failedAttempt, Duration wait, TargetResult failed) {
        of(target).state = "retrying (attempt " + (failedAttempt + 1) + ", " + failed.code().label() + ")";
    }

    @Override
    public void finished(TargetResult result) {
        of(result.target()).state = result.activated() ? "activated" : "failed: " + result.code().label();
    }

    /** What the view shows now: the total line, then the target lines. */
    List<String> lines(double seconds) {
        List<String> lines = new ArrayList<>();
        long sent = 0;
        long wanted = 0;
        int done = 0;
        for (TargetProgress p : targets.values()) {
            sent += p.bytesSent.get();
            wanted += p.bytesWanted.get();
            done += finished(p) ? 1 : 0;
        }
        lines.add(String.format(Locale.ROOT, "%s %s  %s / %s  %s  targets done %d/%d", phase, percent(sent, wanted),
                HumanFormat.bytes(sent), HumanFormat.bytes(wanted), HumanFormat.rate(sent, seconds), done, targets.size()));
        if (targets.size() <= MAX_TARGET_LINES) {
            targets.values().forEach(p -> lines.add(line(p, seconds)));
            return lines;
        }
        Map<String, Integer> byState = new LinkedHashMap<>();
        for (TargetProgress p : targets.values()) {
            byState.merge(p.state.startsWith("failed") ? "failed" : p.state.startsWith("retrying") ? "retrying" : p.state, 1, Integer::sum);
        }
        List<String> counts = new ArrayList<>();
        byState.forEach((state, n) -> counts.add(n + " " + state));
        lines.add("  " + String.join(", ", counts));
        targets.values().stream()
                .filter(p -> !finished(p))
                .sorted(Comparator.comparingDouble(ProgressDisplay::fraction))
                .limit(5)
                .forEach(p -> lines.add(line(p, seconds) + "  (slowest)"));
        return lines;
    }

    private static boolean finished(TargetProgress p) {
        return p.state.equals("activated") || p.state.startsWith("failed");
    }

    private static double fraction(TargetProgress p) {
        long wanted = p.bytesWanted.get();
        return wanted == 0 ? 0 : (double) p.bytesSent.get() / wanted;
    }

    private static String line(TargetProgress p, double seconds) {
        long sent = p.bytesSent.get();
        return String.format(Locale.ROOT, "  %-24s %s  %9s / %-9s %12s  %s", p.target, percent(sent, p.bytesWanted.get()),
                HumanFormat.bytes(sent), HumanFormat.bytes(p.bytesWanted.get()), HumanFormat.rate(sent, seconds), p.state);
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
