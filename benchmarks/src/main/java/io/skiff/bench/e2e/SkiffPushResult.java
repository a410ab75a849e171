package io.skiff.bench.e2e;

import java.util.List;
import java.util.Map;

/** What {@code skiff push --json} reports about a push to one target: skiff's own view, shown next to ours. */
record SkiffPushResult(String releaseId, long bytesLogical, long bytesWire, double seconds, double manifestSeconds,
                       String targetStatus, String targetError) {

    boolean activated() {
        return "activated".equals(targetStatus);
    }

    static SkiffPushResult parse(String json) {
        String line = json.strip();
        // The JSON object is the whole of stdout; tolerate stray lines before it (a JVM warning, say).
        int brace = line.lastIndexOf("\n{");
        if (brace >= 0) {
            line = line.substring(brace + 1);
        }
        if (!(JsonReader.parse(line) instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("skiff push --json did not print an object");
        }
        if (!(m.get("targets") instanceof List<?> targets) || targets.size() != 1 || !(targets.get(0) instanceof Map<?, ?> t)) {
            throw new IllegalArgumentException("skiff push --json: expected exactly one target");
        }
        return new SkiffPushResult(String.valueOf(m.get("release_id")), number(m, "bytes_logical").longValue(),
                number(m, "bytes_wire").longValue(), number(m, "seconds").doubleValue(), number(m, "manifest_seconds").doubleValue(),
                String.valueOf(t.get("status")), t.get("error") == null ? null : String.valueOf(t.get("error")));
    }

    private static Number number(Map<?, ?> m, String key) {
        if (m.get(key) instanceof Number n) {
            return n;
        }
        throw new IllegalArgumentException("skiff push --json: no number " + key);
    }
}
