package io.skiff.engine.security;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A size written for people: digits, an optional space, and a unit, case-insensitive: B; KB, MB, GB, TB
 * (powers of 1000); KiB, MiB, GiB, TiB (powers of 1024). No unit means bytes. Whole numbers only.
 */
final class ByteSize {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,19}) ?([A-Za-z]*)");
    private static final Map<String, Long> UNITS = Map.of(
            "", 1L, "b", 1L,
            "kb", 1000L, "mb", 1000L * 1000, "gb", 1000L * 1000 * 1000, "tb", 1000L * 1000 * 1000 * 1000,
            "kib", 1L << 10, "mib", 1L << 20, "gib", 1L << 30, "tib", 1L << 40);

    private ByteSize() {
    }

    /**
     * @param text "10 GiB", "500MB", "2TiB", "4096"
     * @return the number of bytes
     * @throws IllegalArgumentException with a short reason: not a size, an unknown unit, or past 2^63-1 bytes
     */
    static long parse(String text) {
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size like \"10 GiB\" or \"500MB\"");
        }
        Long unit = UNITS.get(m.group(2).toLowerCase(Locale.ROOT));
        if (unit == null) {
            throw new IllegalArgumentException("unknown unit '" + m.group(2) + "' (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)");
        }
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("too large");
        }
    }
}
