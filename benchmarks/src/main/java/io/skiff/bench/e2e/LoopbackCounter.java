package io.skiff.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Bytes the loopback interface transmitted, from {@code /proc/net/dev}: a count of the wire that does
 * not trust either tool's own counters. It includes TCP/IP headers and ACKs, and any other loopback
 * traffic on the machine during the run (other tests, builds), so it is an upper bound.
 */
final class LoopbackCounter {
    private static final Path PROC_NET_DEV = Path.of("/proc/net/dev");
    /** After "iface:", receive has 8 columns (bytes packets errs drop fifo frame compressed multicast), then transmit bytes. */
    private static final int TRANSMIT_BYTES_COLUMN = 8;

    private LoopbackCounter() {
    }

    /** Empty where there is no /proc/net/dev (not Linux); the runner then reports n/a. */
    static OptionalLong transmittedBytes() {
        try {
            return OptionalLong.of(transmitBytes(Files.readString(PROC_NET_DEV), "lo"));
        } catch (IOException | IllegalArgumentException e) {
            return OptionalLong.empty();
        }
    }

    static long transmitBytes(String procNetDev, String iface) {
        for (String line : procNetDev.split("\n")) {
            int colon = line.indexOf(':');
            // The two header lines have '|' and no "name:" prefix; long counters may touch the colon.
            if (colon < 0 || !line.substring(0, colon).trim().equals(iface)) {
                continue;
            }
            String[] cols = line.substring(colon + 1).trim().split("\\s+");
            if (cols.length <= TRANSMIT_BYTES_COLUMN) {
                throw new IllegalArgumentException("short /proc/net/dev line: " + line);
            }
            return Long.parseLong(cols[TRANSMIT_BYTES_COLUMN]);
        }
        throw new IllegalArgumentException("no interface " + iface + " in /proc/net/dev");
    }
}
