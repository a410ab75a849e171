package io.skiff.engine.api;

import io.skiff.protocol.UsageException;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A bandwidth as operators write it: {@code 500K}, {@code 50M}, {@code 1.5G}, {@code 50MiB/s}, {@code 2000000}. */
public final class Rate {
    private static final Pattern RATE = Pattern.compile("(?i)(\\d+(?:\\.\\d+)?)\\s*([KMG]?)(?:i?B)?(?:/s)?");

    private Rate() {
    }

    /**
     * Bytes per second: K, M and G are powers of 1024, case-insensitive; an optional {@code B}/{@code iB}
     * and {@code /s}.
     *
     * @param what names the setting in the error, e.g. {@code --bwlimit}
     * @throws SkiffException {@link ErrorCode#USAGE} for anything else, or for less than 1 byte per second
     */
    public static long parse(String text, String what) {
        Matcher m = RATE.matcher(text.strip());
        if (!m.matches()) {
            throw new UsageException(what + " must be a rate like 500K, 50M or 1G, got " + text);
        }
        int shift = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            default -> 0;
        };
        long bytes = (long) (Double.parseDouble(m.group(1)) * (1L << shift));
        if (bytes < 1) {
            throw new UsageException(what + " must be at least 1 byte per second, got " + text);
        }
        return bytes;
    }
}
