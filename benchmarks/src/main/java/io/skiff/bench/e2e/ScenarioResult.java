package io.skiff.bench.e2e;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** All runs of one scenario, both tools, and their medians and skiff/rsync ratios. */
final class ScenarioResult {
    static final String SKIFF = "skiff";
    static final String RSYNC = "rsync";

    private final Workload workload;
    private final List<RunMeasurement> skiff = new ArrayList<>();
    private final List<RunMeasurement> rsync = new ArrayList<>();

    ScenarioResult(Workload workload) {
        this.workload = workload;
    }

    /** The medians of one tool's runs, figure by figure (each median taken on its own). */
    record Medians(double wallSeconds, double throughputMBps, double loWireBytes, double toolWireBytes,
                   double senderCpuSeconds, double receiverCpuSeconds, double senderPeakRssKb, double receiverPeakRssKb) {

        static Medians of(List<RunMeasurement> runs) {
            return new Medians(m(runs, RunMeasurement::wallSeconds), m(runs, RunMeasurement::throughputMBps),
                    m(runs, RunMeasurement::loWireBytes), m(runs, RunMeasurement::toolWireBytes),
                    m(runs, RunMeasurement::senderCpuSeconds), m(runs, RunMeasurement::receiverCpuSeconds),
                    m(runs, RunMeasurement::senderPeakRssKb), m(runs, RunMeasurement::receiverPeakRssKb));
        }

        private static double m(List<RunMeasurement> runs, ToDoubleFunction<RunMeasurement> f) {
            return Median.of(runs.stream().map(r -> f.applyAsDouble(r)).toList());
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("wall_seconds", wallSeconds);
            m.put("throughput_mb_per_s", throughputMBps);
            m.put("lo_wire_bytes", loWireBytes);
            m.put("tool_wire_bytes", toolWireBytes);
            m.put("sender_cpu_seconds", senderCpuSeconds);
            m.put("receiver_cpu_seconds", receiverCpuSeconds);
            m.put("sender_peak_rss_kib", senderPeakRssKb);
            m.put("receiver_peak_rss_kib", receiverPeakRssKb);
            return m;
        }
    }

    void add(RunMeasurement run) {
        (run.tool().equals(SKIFF) ? skiff : rsync).add(run);
    }

    Workload workload() {
        return workload;
    }

    Scenario scenario() {
        return workload.scenario();
    }

    List<RunMeasurement> runs(String tool) {
        return List.copyOf(tool.equals(SKIFF) ? skiff : rsync);
    }

    Medians medians(String tool) {
        return Medians.of(tool.equals(SKIFF) ? skiff : rsync);
    }

    /** skiff's median throughput over rsync's: above 1 means skiff is faster. */
    double throughputRatio() {
        return medians(SKIFF).throughputMBps() / medians(RSYNC).throughputMBps();
    }

    /** skiff's median loopback bytes over rsync's: below 1 means skiff moved fewer bytes. */
    double wireRatio() {
        return medians(SKIFF).loWireBytes() / medians(RSYNC).loWireBytes();
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", scenario().label());
        m.put("description", scenario().description());
        m.put("source", workload.source().toString());
        m.put("files", workload.files());
        m.put("logical_bytes", workload.logicalBytes());
        for (String tool : List.of(SKIFF, RSYNC)) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("median", medians(tool).toJson());
            t.put("runs", runs(tool).stream().map(RunMeasurement::toJson).toList());
            m.put(tool, t);
        }
        Map<String, Object> ratios = new LinkedHashMap<>();
        ratios.put("throughput_skiff_over_rsync", throughputRatio());
        ratios.put("lo_wire_skiff_over_rsync", wireRatio());
        ratios.put("tool_wire_skiff_over_rsync", medians(SKIFF).toolWireBytes() / medians(RSYNC).toolWireBytes());
        m.put("ratios", ratios);
        return m;
    }
}
