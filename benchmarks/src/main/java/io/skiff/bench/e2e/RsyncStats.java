package io.skiff.bench.e2e;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The counters rsync prints with {@code --stats} that the runner reports: bytes the client sent and
 * received (rsync's own wire count, protocol framing included, TCP/IP excluded), and for delta
 * transfers how much was literal data versus matched against the destination's old file.
 */
record RsyncStats(long bytesSent, long bytesReceived, long literalData, long matchedData) {

    long wireBytes() {
        return bytesSent + bytesReceived;
    }

    static RsyncStats parse(String statsOutput) {
        return new RsyncStats(
                required(statsOutput, "Total bytes sent"),
                required(statsOutput, "Total bytes received"),
                field(statsOutput, "Literal data").orElse(-1),
                field(statsOutput, "Matched data").orElse(-1));
    }

    private static long required(String text, String label) {
        return field(text, label).orElseThrow(() -> new IllegalArgumentException("rsync --stats output has no '" + label + "'"));
    }

    /** "Total bytes sent: 3,000,907": digits with thousands separators (',' or '.' depending on locale). */
    static OptionalLong field(String text, String label) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(label) + ":\\s*([0-9][0-9,.]*)").matcher(text);
        if (!m.find()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(m.group(1).replaceAll("[,.]", "")));
    }
}
