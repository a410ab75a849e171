package io.skiff.bench.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Clock ticks per second of /proc/pid/stat CPU fields ({@code getconf CLK_TCK}); 100 on every Linux we know. */
final class ClockTicks {
    private static final long DEFAULT = 100;

    private ClockTicks() {
    }

    static long perSecond() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return Long.parseLong(out);
            }
            p.destroyForcibly();
        } catch (IOException | NumberFormatException e) {
            // fall through to the default
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return DEFAULT;
    }
}
