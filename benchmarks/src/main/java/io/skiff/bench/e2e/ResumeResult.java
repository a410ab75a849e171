package io.skiff.bench.e2e;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * All runs of the resume scenario (issue 6): per tool an uncut reference transfer through the
 * {@link LoopbackProxy#cutting}, measured once, then per repetition transfers cut at {@link #CUT_FRACTION} of the
 * reference's client-to-server bytes and completed; medians per variant, and bytes after the cut over the
 * full transfer's against {@link #TARGET}.
 */
final class ResumeResult implements ScenarioReport.Table {
    /** Where the first connection is cut, as a fraction of the full transfer's client-to-server bytes. */
    static final double CUT_FRACTION = 0.5;
    /** Issue 6: bytes after the cut ≤ 0.55 × the full transfer's. */
    static final double TARGET = 0.55;

    static final List<String> HEADERS = List.of("run", "wall s", "attempts", "client→server bytes", "cut at",
            "after the cut", "after / full");

    /** The runs, in table order. */
    enum Variant {
        SKIFF_FULL(ScenarioResult.SKIFF, "skiff_full", "skiff, uncut (reference, 1 run)", false),
        SKIFF_RETRYING(ScenarioResult.SKIFF, "skiff_retrying", "skiff, cut, same push reconnects", true),
        SKIFF_NEW_PUSH(ScenarioResult.SKIFF, "skiff_new_push", "skiff, cut, sender exits, new push", true),
        RSYNC_FULL(ScenarioResult.RSYNC, "rsync_full", "rsync, uncut (reference, 1 run)", false),
        RSYNC_PARTIAL_RERUN(ScenarioResult.RSYNC, "rsync_partial_rerun", "rsync --partial, cut, re-run", true);

        private final String tool;
        private final String key;
        private final String label;
        private final boolean cut;

        Variant(String tool, String key, String label, boolean cut) {
            this.tool = tool;
            this.key = key;
            this.label = label;
            this.cut = cut;
        }

        String tool() {
            return tool;
        }

        String key() {
            return key;
        }

        String label() {
            return label;
        }

        boolean cut() {
            return cut;
        }
    }

    /** The medians of one variant's runs, figure by figure (each median taken on its own). */
    record Medians(double wallSeconds, double attempts, double clientToServer, double afterCut, double afterCutOverFull) {
        static Medians of(List<ResumeRun> runs) {
            return new Medians(m(runs, ResumeRun::wallSeconds), m(runs, ResumeRun::attempts), m(runs, r -> r.clientToServer()),
                    m(runs, ResumeRun::afterCut), m(runs, ResumeRun::afterCutOverFull));
        }

        private static double m(List<ResumeRun> runs, ToDoubleFunction<ResumeRun> f) {
            return Median.of(runs, f);
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("wall_seconds", wallSeconds);
            m.put("attempts", attempts);
            m.put("client_to_server_bytes", clientToServer);
            m.put("after_cut_bytes", afterCut);
            m.put("after_cut_over_full", afterCutOverFull);
            return m;
        }
    }

    private final Workload workload;
    private final Map<Variant, List<ResumeRun>> runs = new EnumMap<>(Variant.class);
    private String rsyncSkipped;

    ResumeResult(Workload workload) {
        this.workload = workload;
        for (Variant v : Variant.values()) {
            runs.put(v, new ArrayList<>());
        }
    }

    /** Where to cut a transfer whose uncut reference sent {@code fullBytes} client to server. */
    static long cutAt(long fullBytes) {
        return (long) (fullBytes * CUT_FRACTION);
    }

    void add(ResumeRun run) {
        runs.get(run.variant()).add(run);
    }

    List<ResumeRun> runs(Variant v) {
        return List.copyOf(runs.get(v));
    }

    /** The rsync baseline was not (fully) measured: {@code why} is one line. Its rows are left out. */
    void rsyncSkipped(String why) {
        this.rsyncSkipped = why;
    }

    Optional<String> rsyncSkipped() {
        return Optional.ofNullable(rsyncSkipped);
    }

    Medians medians(Variant v) {
        return Medians.of(runs.get(v));
    }

    @Override
    public Workload workload() {
        return workload;
    }

    @Override
    public String title(int reps) {
        return ResultTable.title(workload, reps) + " (references: 1 run)";
    }

    /** The variants with runs to show: rsync's only when its baseline was measured. */
    private List<Variant> shown() {
        List<Variant> out = new ArrayList<>();
        for (Variant v : Variant.values()) {
            boolean rsync = v.tool().equals(ScenarioResult.RSYNC);
            if (!runs.get(v).isEmpty() && !(rsync && rsyncSkipped != null)) {
                out.add(v);
            }
        }
        return out;
    }

    @Override
    public List<List<String>> rows() {
        List<List<String>> rows = new ArrayList<>();
        for (Variant v : shown()) {
            Medians m = medians(v);
            String cutAt = v.cut() ? ResultTable.grouped(runs.get(v).get(0).cutAt()) : "—";
            rows.add(List.of(v.label(), ResultTable.fixed(m.wallSeconds(), 2), ResultTable.fixed(m.attempts(), 0),
                    ResultTable.grouped(m.clientToServer()), cutAt, v.cut() ? ResultTable.grouped(m.afterCut()) : "—",
                    v.cut() ? ResultTable.times(m.afterCutOverFull()) : "—"));
        }
        return rows;
    }

    /** "issue 6 target, ...: skiff, cut, same push reconnects 0.51× (met); ..."; empty when nothing was cut. */
    Optional<String> targetLine() {
        List<String> parts = new ArrayList<>();
        for (Variant v : shown()) {
            if (!v.cut()) {
                continue;
            }
            double ratio = medians(v).afterCutOverFull();
            String verdict = v.tool().equals(ScenarioResult.SKIFF)
                    ? (Double.isNaN(ratio) ? "" : ratio <= TARGET ? " (met)" : " (not met)")
                    : " (baseline)";
            parts.add(v.label() + " " + ResultTable.times(ratio) + verdict);
        }
        if (parts.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, "issue 6 target, bytes after the cut ≤ %.2f × the full transfer's "
                + "(median): %s", TARGET, String.join("; ", parts)));
    }

    @Override
    public List<String> linesUnder() {
        List<String> lines = new ArrayList<>();
        targetLine().ifPresent(lines::add);
        if (rsyncSkipped != null) {
            lines.add("rsync --partial baseline: not measured (" + rsyncSkipped + ")");
        }
        return lines;
    }

    @Override
    public List<String> headers() {
        return HEADERS;
    }

    @Override
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", scenario().label());
        m.put("description", scenario().description());
        m.put("source", workload.source().toString());
        m.put("files", workload.files());
        m.put("logical_bytes", workload.logicalBytes());
        m.put("cut_fraction", CUT_FRACTION);
        m.put("target_after_cut_over_full", TARGET);
        for (Variant v : Variant.values()) {
            if (runs.get(v).isEmpty()) {
                continue;
            }
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("label", v.label());
            t.put("median", medians(v).toJson());
            if (v.cut()) {
                t.put("target_met", v.tool().equals(ScenarioResult.SKIFF) ? medians(v).afterCutOverFull() <= TARGET : null);
            }
            t.put("runs", runs.get(v).stream().map(ResumeRun::toJson).toList());
            m.put(v.key(), t);
        }
        if (rsyncSkipped != null) {
            m.put("rsync_skipped", rsyncSkipped);
        }
        return m;
    }
}
