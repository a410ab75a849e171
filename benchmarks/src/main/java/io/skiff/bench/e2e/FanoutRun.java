package io.skiff.bench.e2e;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One push of the fan-out scenario, to new, empty channels on its targets.
 *
 * @param wallSeconds        System.nanoTime around the sender process
 * @param proxies            per target the sender was given, its {@link LoopbackProxy#counting}'s counts over all its connections
 * @param skiffBytesWire     push --json's top-level bytes_wire: skiff's own count of what left the sender
 * @param targets            targets in push --json
 * @param activated          of them, activated (and checked byte-identical on disk)
 * @param routes             targets per route (push --json's "route"; "direct" when skiff does not say)
 * @param senderCpuSeconds   user + sys of the sender (GNU time), NaN if not measured
 * @param senderPeakRssKb    max RSS of the sender, NaN if not measured
 * @param receiversCpuSeconds utime + stime of the receiver host JVM (all receivers, relays included) over the run
 * @param receiversPeakRssKb VmHWM of the receiver host JVM, reset before the run; NaN if not readable
 * @param details            extras for the JSON (per-target lines, release id, skiff's own seconds)
 */
record FanoutRun(FanoutResult.Kind kind, int rep, double wallSeconds, List<Proxied> proxies, long skiffBytesWire, int targets,
                 int activated, Map<String, Integer> routes, double senderCpuSeconds, double senderPeakRssKb,
                 double receiversCpuSeconds, double receiversPeakRssKb, Map<String, Object> details) {

    /** One proxy's totals: the target's address as the sender saw it, connections, bytes each way. */
    record Proxied(String address, int connections, long clientToServer, long serverToClient) {
        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("address", address);
            m.put("connections", connections);
            m.put("client_to_server_bytes", clientToServer);
            m.put("server_to_client_bytes", serverToClient);
            return m;
        }
    }

    FanoutRun {
        proxies = List.copyOf(proxies);
        routes = new LinkedHashMap<>(routes);
        details = new LinkedHashMap<>(details);
    }

    /** Bytes that left the sender, counted by the proxies: client→server bytes of every proxied connection. */
    long senderBytes() {
        return proxies.stream().mapToLong(Proxied::clientToServer).sum();
    }

    /** What came back to the sender through the proxies (the receivers' answers). */
    long senderBytesIn() {
        return proxies.stream().mapToLong(Proxied::serverToClient).sum();
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rep", rep);
        m.put("wall_seconds", wallSeconds);
        m.put("sender_bytes", senderBytes());
        m.put("sender_bytes_in", senderBytesIn());
        m.put("skiff_bytes_wire", skiffBytesWire);
        m.put("targets", targets);
        m.put("targets_activated", activated);
        m.put("routes", new LinkedHashMap<>(routes));
        m.put("sender_cpu_seconds", senderCpuSeconds);
        m.put("sender_peak_rss_kib", senderPeakRssKb);
        m.put("receivers_cpu_seconds", receiversCpuSeconds);
        m.put("receivers_peak_rss_kib", receiversPeakRssKb);
        m.put("proxies", proxies.stream().map(Proxied::toJson).toList());
        m.putAll(details);
        return m;
    }
}
