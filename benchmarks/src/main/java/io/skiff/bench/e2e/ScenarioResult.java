package io.skiff.bench.e2e;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * All runs of one scenario, both tools, and their medians and skiff/rsync ratios; for an update, also
 * the {@link PatchFromFloor zstd --patch-from floor} (measured once) or why it was skipped; for a full copy,
 * the {@link CopyFloor local copy floors}, buffered and direct (each measured every repetition), unless
 * --no-copy-floor, or why either was not measured.
 */
final class ScenarioResult implements ScenarioReport {
    static final String SKIFF = "skiff";
    static final String RSYNC = "rsync";

    private final Workload workload;
    private final boolean rsyncFsync;
    private final List<RunMeasurement> skiff = new ArrayList<>();
    private final List<RunMeasurement> rsync = new ArrayList<>();
    private PatchFromFloor.Result patchFrom;
    private String patchFromSkipped;
    private final Map<CopyFloor.Mode, List<CopyFloor.Run>> copyFloor = new EnumMap<>(CopyFloor.Mode.class);
    private final Map<CopyFloor.Mode, String> copyFloorSkipped = new EnumMap<>(CopyFloor.Mode.class);

    ScenarioResult(Workload workload) {
        this(workload, false);
    }

    /** @param rsyncFsync rsync ran with --fsync (--rsync-fsync): as durable as skiff's receiver */
    ScenarioResult(Workload workload, boolean rsyncFsync) {
        this.workload = workload;
        this.rsyncFsync = rsyncFsync;
    }

    boolean rsyncFsync() {
        return rsyncFsync;
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
            return Median.of(runs, f);
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

    void patchFrom(PatchFromFloor.Result floor) {
        this.patchFrom = floor;
        this.patchFromSkipped = null;
    }

    /** The floor was not measured: {@code why} is one line (zstd missing, zstd failed). */
    void patchFromSkipped(String why) {
        this.patchFrom = null;
        this.patchFromSkipped = why;
    }

    Optional<PatchFromFloor.Result> patchFrom() {
        return Optional.ofNullable(patchFrom);
    }

    Optional<String> patchFromSkipped() {
        return Optional.ofNullable(patchFromSkipped);
    }

    void add(CopyFloor.Run run) {
        copyFloor.computeIfAbsent(run.mode(), m -> new ArrayList<>()).add(run);
    }

    /**
     * A copy floor could not be measured ({@code why}: one line): its runs measured so far are dropped, since a
     * median over fewer repetitions than the tools' would not compare with theirs. The other floor stays.
     */
    void copyFloorSkipped(CopyFloor.Mode mode, String why) {
        copyFloor.remove(mode);
        copyFloorSkipped.put(mode, why);
    }

    List<CopyFloor.Run> copyFloorRuns(CopyFloor.Mode mode) {
        return List.copyOf(copyFloor.getOrDefault(mode, List.of()));
    }

    /** A copy floor's medians; empty when it was not measured (not a full copy, --no-copy-floor, refused, failed). */
    Optional<CopyFloor.Medians> copyFloor(CopyFloor.Mode mode) {
        List<CopyFloor.Run> runs = copyFloorRuns(mode);
        return runs.isEmpty() ? Optional.empty() : Optional.of(CopyFloor.Medians.of(runs));
    }

    Optional<String> copyFloorSkipped(CopyFloor.Mode mode) {
        return Optional.ofNullable(copyFloorSkipped.get(mode));
    }

    /** A tool's median wall time over a copy floor's median wall time: 1 would mean as fast as the local copy. */
    double overCopyFloor(CopyFloor.Mode mode, String tool) {
        return copyFloor(mode).map(f -> medians(tool).wallSeconds() / f.wallSeconds()).orElse(Double.NaN);
    }

    /** rsync's median wall time over a copy floor's write phase alone (for an rsync without --fsync). */
    double rsyncOverCopyFloorWrite(CopyFloor.Mode mode) {
        return copyFloor(mode).map(f -> medians(RSYNC).wallSeconds() / f.writeSeconds()).orElse(Double.NaN);
    }

    /** A tool's median tool-reported wire bytes over the patch-from floor: 1 would mean as small as zstd's patch. */
    double overFloor(String tool) {
        return patchFrom == null ? Double.NaN : medians(tool).toolWireBytes() / patchFrom.bytes();
    }

    /**
     * The run at the median of a tool's tool-reported wire bytes (the lower middle one for an even count):
     * a real run, so its breakdown (skiff's manifest and encodings) adds up, unlike per-figure medians.
     */
    Optional<RunMeasurement> medianRun(String tool) {
        List<RunMeasurement> sorted = (tool.equals(SKIFF) ? skiff : rsync).stream()
                .sorted(Comparator.comparingDouble(RunMeasurement::toolWireBytes).thenComparingInt(RunMeasurement::rep))
                .toList();
        return sorted.isEmpty() ? Optional.empty() : Optional.of(sorted.get((sorted.size() - 1) / 2));
    }

    @Override
    public Workload workload() {
        return workload;
    }

    @Override
    public String title(int reps) {
        return ResultTable.title(this, reps);
    }

    @Override
    public String toText() {
        return new ResultTable(this).toText();
    }

    @Override
    public String toMarkdown() {
        return new ResultTable(this).toMarkdown();
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

    @Override
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", scenario().label());
        m.put("description", scenario().description());
        m.put("source", workload.source().toString());
        m.put("files", workload.files());
        m.put("logical_bytes", workload.logicalBytes());
        m.put("rsync_fsync", rsyncFsync);
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
        if (patchFrom != null) {
            ratios.put("tool_wire_skiff_over_patch_from", overFloor(SKIFF));
            ratios.put("tool_wire_rsync_over_patch_from", overFloor(RSYNC));
        }
        for (CopyFloor.Mode mode : copyFloor.keySet()) { // copy_floor: the buffered one, copy_floor_direct
            ratios.put("wall_skiff_over_" + mode.jsonKey(), overCopyFloor(mode, SKIFF));
            ratios.put("wall_rsync_over_" + mode.jsonKey(), overCopyFloor(mode, RSYNC));
            if (!rsyncFsync) { // rsync left its writes to the page cache: also against the floor's writes alone
                ratios.put("wall_rsync_over_" + mode.jsonKey() + "_write", rsyncOverCopyFloorWrite(mode));
            }
        }
        m.put("ratios", ratios);
        if (patchFrom != null) {
            m.put("patch_from", patchFrom.toJson());
        } else if (patchFromSkipped != null) {
            m.put("patch_from", Map.of("skipped", patchFromSkipped));
        }
        for (CopyFloor.Mode mode : CopyFloor.Mode.values()) {
            if (copyFloor.containsKey(mode)) {
                Map<String, Object> floor = new LinkedHashMap<>();
                floor.put("method", mode.method());
                floor.put("median", copyFloor(mode).get().toJson());
                floor.put("runs", copyFloorRuns(mode).stream().map(CopyFloor.Run::toJson).toList());
                m.put(mode.jsonKey(), floor);
            } else if (copyFloorSkipped.containsKey(mode)) {
                m.put(mode.jsonKey(), Map.of("skipped", copyFloorSkipped.get(mode)));
            }
        }
        medianRun(SKIFF).filter(r -> r.skiffWire().isPresent()).ifPresent(r -> {
            Map<String, Object> wire = new LinkedHashMap<>();
            wire.put("rep", r.rep());
            wire.put("tool_wire_bytes", r.toolWireBytes());
            wire.putAll(r.skiffWire().get().toJson());
            m.put("skiff_median_run_wire", wire);
        });
        return m;
    }
}
