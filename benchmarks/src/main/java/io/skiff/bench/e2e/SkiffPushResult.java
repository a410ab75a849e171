package io.skiff.bench.e2e;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code skiff push --json} reports about a push to one target: skiff's own view, shown next to ours.
 *
 * @param attempts    connections the sender made to the target ({@code --retries}: 1 plus its reconnections);
 *                    1 for a skiff that does not report it. {@code bytesWire} sums all attempts' bytes.
 * @param errorCode   the target's error_code label (e.g. connection_lost), null when it activated
 * @param chunksSent  chunks this push sent the target (0 when not reported); with a resume, fewer than the
 *                    release has
 */
record SkiffPushResult(String releaseId, long bytesLogical, long bytesWire, double seconds, double manifestSeconds,
                       String targetStatus, String targetError, WireBreakdown breakdown, int attempts, String errorCode,
                       long chunksSent, long chunksTotal) {

    /** Chunks sent in one encoding and their payload bytes on the wire. */
    record EncodingCount(long chunks, long bytes) {
        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("chunks", chunks);
            m.put("bytes", bytes);
            return m;
        }
    }

    /**
     * Where one target's wire bytes went: the manifest, and chunks per encoding ({@code raw}, {@code zstd},
     * {@code zstd_ref}, in skiff's order; any other encoding skiff names is kept too). Read leniently: a
     * skiff that does not report them gives 0 and no encodings.
     */
    record WireBreakdown(long manifestBytes, Map<String, EncodingCount> encodings) {
        static final WireBreakdown NONE = new WireBreakdown(0, Map.of());

        WireBreakdown {
            encodings = Collections.unmodifiableMap(new LinkedHashMap<>(encodings));
        }

        boolean reported() {
            return manifestBytes > 0 || !encodings.isEmpty();
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("manifest_bytes", manifestBytes);
            Map<String, Object> e = new LinkedHashMap<>();
            encodings.forEach((name, c) -> e.put(name, c.toJson()));
            m.put("encodings", e);
            return m;
        }

        /** "manifest 12,345 bytes; raw 2 chunks 131,072 bytes; zstd ...". */
        String oneLine() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "manifest %,d bytes", manifestBytes));
            encodings.forEach((name, c) -> sb.append(String.format(Locale.ROOT, "; %s %,d chunk%s %,d bytes",
                    name, c.chunks(), c.chunks() == 1 ? "" : "s", c.bytes())));
            return sb.toString();
        }
    }

    boolean activated() {
        return "activated".equals(targetStatus);
    }

    static SkiffPushResult parse(String json) {
        Map<?, ?> m = object(json);
        if (!(m.get("targets") instanceof List<?> targets) || targets.size() != 1 || !(targets.get(0) instanceof Map<?, ?> t)) {
            throw new IllegalArgumentException("skiff push --json: expected exactly one target");
        }
        return new SkiffPushResult(String.valueOf(m.get("release_id")), number(m, "bytes_logical").longValue(),
                number(m, "bytes_wire").longValue(), number(m, "seconds").doubleValue(), number(m, "manifest_seconds").doubleValue(),
                String.valueOf(t.get("status")), t.get("error") == null ? null : String.valueOf(t.get("error")),
                breakdown(t), t.get("attempts") instanceof Number n && n.intValue() >= 1 ? n.intValue() : 1,
                t.get("error_code") == null ? null : String.valueOf(t.get("error_code")),
                lenient(t, "chunks_sent"), lenient(t, "chunks_total"));
    }

    /** The one JSON object skiff push --json prints on stdout; stray lines before it (a JVM warning, say) are skipped. */
    static Map<?, ?> object(String stdout) {
        String line = stdout.strip();
        int brace = line.lastIndexOf("\n{");
        if (brace >= 0) {
            line = line.substring(brace + 1);
        }
        if (!(JsonReader.parse(line) instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("skiff push --json did not print an object");
        }
        return m;
    }

    /** The target's manifest_bytes and encodings; whatever is absent (or not a number) counts as 0 / no entry. */
    static WireBreakdown breakdown(Map<?, ?> target) {
        Map<String, EncodingCount> encodings = new LinkedHashMap<>();
        if (target.get("encodings") instanceof Map<?, ?> e) {
            e.forEach((name, v) -> {
                if (v instanceof Map<?, ?> c) {
                    encodings.put(String.valueOf(name), new EncodingCount(lenient(c, "chunks"), lenient(c, "bytes")));
                }
            });
        }
        return new WireBreakdown(lenient(target, "manifest_bytes"), encodings);
    }

    static long lenient(Map<?, ?> m, String key) {
        return m.get(key) instanceof Number n ? n.longValue() : 0;
    }

    static Number number(Map<?, ?> m, String key) {
        if (m.get(key) instanceof Number n) {
            return n;
        }
        throw new IllegalArgumentException("skiff push --json: no number " + key);
    }
}
