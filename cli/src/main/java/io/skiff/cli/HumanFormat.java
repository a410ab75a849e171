package io.skiff.cli;

import java.util.Locale;

/** Sizes, rates and durations for people (tables, progress lines). Machines get raw numbers in --json. */
final class HumanFormat {
    private HumanFormat() {
    }

    static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    static String rate(long bytes, double seconds) {
        if (seconds <= 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.1f MB/s", bytes / seconds / 1e6);
    }

    static String seconds(double seconds) {
        return String.format(Locale.ROOT, "%.2f s", seconds);
    }

    /** E.g. "45s", "3m 12s", "6h 0m", "2d 3h": the two largest units. */
    static String duration(java.time.Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m " + s % 60 + "s";
        }
        if (s < 86400) {
            return s / 3600 + "h " + s % 3600 / 60 + "m";
        }
        return s / 86400 + "d " + s % 86400 / 3600 + "h";
    }
}
