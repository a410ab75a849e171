package io.skiff.bench.e2e;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One timed run of one tool. Every figure is measured by the runner except {@code toolWireBytes}
 * (skiff's bytes_wire, rsync's total bytes sent + received), kept to compare with the loopback count.
 * NaN means not measured (no /usr/bin/time, no /proc).
 *
 * @param details    tool-specific extras for the JSON (skiff's own seconds, rsync's literal/matched data)
 * @param skiffWire  skiff's own breakdown of its wire bytes (manifest, chunks per encoding); empty for rsync
 */
record RunMeasurement(String tool, int rep, long logicalBytes, double wallSeconds, double loWireBytes,
                      double toolWireBytes, double senderCpuSeconds, double receiverCpuSeconds,
                      double senderPeakRssKb, double receiverPeakRssKb, Map<String, Object> details,
                      Optional<SkiffPushResult.WireBreakdown> skiffWire) {

    static final double MB = 1e6;

    double throughputMBps() {
        return logicalBytes / wallSeconds / MB;
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rep", rep);
        m.put("wall_seconds", wallSeconds);
        m.put("throughput_mb_per_s", throughputMBps());
        m.put("lo_wire_bytes", loWireBytes);
        m.put("tool_wire_bytes", toolWireBytes);
        m.put("sender_cpu_seconds", senderCpuSeconds);
        m.put("receiver_cpu_seconds", receiverCpuSeconds);
        m.put("sender_peak_rss_kib", senderPeakRssKb);
        m.put("receiver_peak_rss_kib", receiverPeakRssKb);
        m.putAll(details);
        skiffWire.ifPresent(w -> m.putAll(w.toJson()));
        return m;
    }
}
