package io.skiff.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * CPU time and peak RSS of a live process, from {@code /proc/<pid>/stat} and {@code /proc/<pid>/status}.
 * Used for the long-lived receiver side (skiff receiver JVM, rsync daemon), sampled before and after
 * each timed run; the sender side is measured by {@link ProcessMeter}.
 */
final class ProcStat {
    private ProcStat() {
    }

    /** CPU clock ticks from /proc/pid/stat: own (utime + stime) and reaped children's (cutime + cstime). */
    record CpuTicks(long self, long children) {
        long total() {
            return self + children;
        }
    }

    static CpuTicks cpuTicks(long pid) throws IOException {
        return parseCpuTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    }

    /**
     * Fields 14-17 of proc(5): utime, stime, cutime, cstime. The command name (field 2) is in
     * parentheses and may itself hold spaces or ')', so fields are counted from the last ')'.
     */
    static CpuTicks parseCpuTicks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        // f[0] is field 3 (state): field n is f[n - 3].
        long utime = Long.parseLong(f[14 - 3]);
        long stime = Long.parseLong(f[15 - 3]);
        long cutime = Long.parseLong(f[16 - 3]);
        long cstime = Long.parseLong(f[17 - 3]);
        return new CpuTicks(utime + stime, cutime + cstime);
    }

    /** VmHWM (peak resident set) in KiB; empty if the process is gone. */
    static OptionalLong peakRssKb(long pid) {
        try {
            return parseStatusKb(Files.readString(Path.of("/proc", Long.toString(pid), "status")), "VmHWM");
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    static OptionalLong parseStatusKb(String status, String key) {
        for (String line : status.split("\n")) {
            if (line.startsWith(key + ":")) {
                String v = line.substring(key.length() + 1).trim();
                return OptionalLong.of(Long.parseLong(v.split("\\s+")[0]));
            }
        }
        return OptionalLong.empty();
    }

    /**
     * Resets VmHWM to the current RSS (writing 5 to clear_refs, Linux 4.0+), so a peak measured after the
     * timed run is the timed run's and not that of the untimed preparation before it. False if refused.
     */
    static boolean resetPeakRss(long pid) {
        try {
            Files.writeString(Path.of("/proc", Long.toString(pid), "clear_refs"), "5");
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }
}
