package io.skiff.bench.e2e;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code skiff push --json} reports about a push to several targets, for the fan-out scenario.
 * {@code bytesWire} is the top-level figure: the bytes that left the sender (a relayed target's bytes left
 * its relay and are not in it). Per target, {@code region}, {@code route} and {@code via} are read
 * leniently: a skiff without relays prints none of them, which reads as region "" and route "direct".
 */
record FanoutPushResult(String releaseId, long bytesLogical, long bytesWire, double seconds, double manifestSeconds,
                        List<Target> targets) {

    /** Routes in the order the report lists them; any other route skiff names comes after. */
    static final List<String> ROUTES = List.of("direct", "relay", "relayed", "fallback");

    FanoutPushResult {
        targets = List.copyOf(targets);
    }

    /**
     * One target's line.
     *
     * @param route direct | relay | relayed | fallback ("direct" when skiff does not say)
     * @param via   the relay a relayed target came through (or that failed, for fallback); null if none
     */
    record Target(String target, String status, String region, String route, String via, long bytesWire, int attempts,
                  String errorCode, String error) {
        boolean activated() {
            return "activated".equals(status);
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("target", target);
            m.put("status", status);
            m.put("region", region);
            m.put("route", route);
            m.put("via", via);
            m.put("bytes_wire", bytesWire);
            m.put("attempts", attempts);
            if (errorCode != null || error != null) {
                m.put("error_code", errorCode);
                m.put("error", error);
            }
            return m;
        }
    }

    static FanoutPushResult parse(String stdout) {
        JsonNode m = SkiffPushResult.object(stdout);
        JsonNode list = m.get("targets");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new IllegalArgumentException("skiff push --json: no targets");
        }
        List<Target> targets = new ArrayList<>();
        for (JsonNode t : list) {
            if (!t.isObject()) {
                throw new IllegalArgumentException("skiff push --json: a target is not an object");
            }
            targets.add(new Target(SkiffPushResult.text(t, "target", "null"), SkiffPushResult.text(t, "status", "null"),
                    SkiffPushResult.text(t, "region", ""), SkiffPushResult.text(t, "route", "direct").toLowerCase(Locale.ROOT),
                    SkiffPushResult.text(t, "via", null), SkiffPushResult.lenient(t, "bytes_wire"), SkiffPushResult.attempts(t),
                    SkiffPushResult.text(t, "error_code", null), SkiffPushResult.text(t, "error", null)));
        }
        return new FanoutPushResult(SkiffPushResult.text(m, "release_id", "null"), SkiffPushResult.number(m, "bytes_logical").longValue(),
                SkiffPushResult.number(m, "bytes_wire").longValue(), SkiffPushResult.number(m, "seconds").doubleValue(),
                SkiffPushResult.number(m, "manifest_seconds").doubleValue(), targets);
    }

    long activated() {
        return targets.stream().filter(Target::activated).count();
    }

    /** Targets per route, in {@link #ROUTES} order, routes with no target left out. */
    Map<String, Integer> routes() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String r : ROUTES) {
            int n = (int) targets.stream().filter(t -> t.route().equals(r)).count();
            if (n > 0) {
                counts.put(r, n);
            }
        }
        for (Target t : targets) {
            if (!ROUTES.contains(t.route())) {
                counts.merge(t.route(), 1, Integer::sum);
            }
        }
        return counts;
    }

    /** "2 relay, 6 relayed"; "1 direct". */
    static String routesText(Map<String, Integer> routes) {
        List<String> parts = new ArrayList<>();
        routes.forEach((route, n) -> parts.add(n + " " + route));
        return parts.isEmpty() ? "—" : String.join(", ", parts);
    }

    /** One line per target that did not activate: "127.0.0.1:7001 failed (relay_failed: ...)". */
    List<String> failures() {
        return targets.stream().filter(t -> !t.activated())
                .map(t -> t.target() + " " + t.status() + (t.errorCode() != null || t.error() != null
                        ? " (" + (t.errorCode() == null ? "" : t.errorCode() + ": ") + (t.error() == null ? "" : t.error()) + ")" : ""))
                .toList();
    }
}
