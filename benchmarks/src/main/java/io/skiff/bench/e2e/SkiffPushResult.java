package io.skiff.bench.e2e;

import com.fasterxml.jackson.databind.JsonNode;

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
        JsonNode m = object(json);
        JsonNode targets = m.get("targets");
        if (targets == null || !targets.isArray() || targets.size() != 1 || !targets.get(0).isObject()) {
            throw new IllegalArgumentException("skiff push --json: expected exactly one target");
        }
        JsonNode t = targets.get(0);
        return new SkiffPushResult(text(m, "release_id", "null"), number(m, "bytes_logical").longValue(),
                number(m, "bytes_wire").longValue(), number(m, "seconds").doubleValue(), number(m, "manifest_seconds").doubleValue(),
                text(t, "status", "null"), text(t, "error", null), breakdown(t), attempts(t), text(t, "error_code", null),
                lenient(t, "chunks_sent"), lenient(t, "chunks_total"));
    }

    /** The one JSON object skiff push --json prints on stdout; stray lines before it (a JVM warning, say) are skipped. */
    static JsonNode object(String stdout) {
        String line = stdout.strip();
        int brace = line.lastIndexOf("\n{");
        if (brace >= 0) {
            line = line.substring(brace + 1);
        }
        JsonNode m = RunnerJson.read(line);
        if (!m.isObject()) {
            throw new IllegalArgumentException("skiff push --json did not print an object");
        }
        return m;
    }

    /** The target's manifest_bytes and encodings; whatever is absent (or not a number) counts as 0 / no entry. */
    static WireBreakdown breakdown(JsonNode target) {
        Map<String, EncodingCount> encodings = new LinkedHashMap<>();
        JsonNode e = target.get("encodings");
        if (e != null && e.isObject()) {
            e.fields().forEachRemaining(f -> {
                if (f.getValue().isObject()) {
                    encodings.put(f.getKey(), new EncodingCount(lenient(f.getValue(), "chunks"), lenient(f.getValue(), "bytes")));
                }
            });
        }
        return new WireBreakdown(lenient(target, "manifest_bytes"), encodings);
    }

    /** The target's attempts; 1 where skiff does not report it (or reports less). */
    static int attempts(JsonNode target) {
        JsonNode n = target.get("attempts");
        return n != null && n.isNumber() && n.intValue() >= 1 ? n.intValue() : 1;
    }

    static long lenient(JsonNode m, String key) {
        JsonNode n = m.get(key);
        return n != null && n.isNumber() ? n.longValue() : 0;
    }

    static Number number(JsonNode m, String key) {
        JsonNode n = m.get(key);
        if (n != null && n.isNumber()) {
            return n.numberValue();
        }
        throw new IllegalArgumentException("skiff push --json: no number " + key);
    }

    /** A value as text (a number as JSON writes it); {@code absent} where the key is missing or null. */
    static String text(JsonNode m, String key, String absent) {
        JsonNode v = m.get(key);
        if (v == null || v.isNull()) {
            return absent;
        }
        return v.isTextual() ? v.textValue() : v.toString();
    }
}
