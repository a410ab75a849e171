package io.skiff.cli;

import io.skiff.engine.transfer.PushListener;
import io.skiff.engine.transfer.TargetResult;
import io.skiff.protocol.Manifest;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One self-rewriting line on stderr while a push runs: bytes sent of bytes wanted, rate, targets done.
 * Only drawn when stderr is a terminal; {@link #close()} erases it.
 */
final class ProgressDisplay implements PushListener, AutoCloseable {
    private final PrintWriter err;
    private final boolean enabled;
    private final int targets;
    private final AtomicLong bytesWanted = new AtomicLong();
    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicInteger finished = new AtomicInteger();
    private final long startNanos = System.nanoTime();
    private volatile String phase = "building manifest";
    private final Thread painter;

    ProgressDisplay(PrintWriter err, boolean enabled, int targets) {
        this.err = err;
        this.enabled = enabled;
        this.targets = targets;
        this.painter = new Thread(this::paintLoop, "skiff-progress");
        this.painter.setDaemon(true);
        if (enabled) {
            painter.start();
        }
    }

    @Override
    public void manifestBuilt(Manifest manifest, double seconds) {
        phase = "pushing";
    }

    @Override
    public void planned(String target, int chunksWanted, long bytes) {
        bytesWanted.addAndGet(bytes);
    }

    @Override
    public void chunkSent(String target, int rawBytes) {
        bytesSent.addAndGet(rawBytes);
    }

    @Override
    public void retrying(String target, int failedAttempt, java.time.Duration wait, TargetResult failed) {
        phase = "retrying " + target + " (attempt " + (failedAttempt + 1) + ")";
    }

    @Override
    public void finished(TargetResult result) {
        finished.incrementAndGet();
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

    private synchronized void paint() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        long sent = bytesSent.get();
        long wanted = bytesWanted.get();
        String percent = wanted > 0 ? String.format(Locale.ROOT, "%5.1f%%", 100.0 * sent / wanted) : "   - ";
        err.print(String.format(Locale.ROOT, "\r%s %s  %s / %s  %s  targets done %d/%d   ", phase, percent,
                HumanFormat.bytes(sent), HumanFormat.bytes(wanted), HumanFormat.rate(sent, seconds), finished.get(), targets));
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
                err.print("\r" + " ".repeat(100) + "\r");
                err.flush();
            }
        }
    }
}
