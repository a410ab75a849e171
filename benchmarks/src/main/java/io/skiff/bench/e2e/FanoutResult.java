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
 * All runs of the fan-out scenario (issue 7): per repetition a single-target push, a push to every target
 * with {@code --no-relay}, and one with relays, each to new, empty channels; medians per kind, and the
 * ratios to the single-target push that issue 7 sets limits on: bytes leaving the sender ≤
 * {@link #BYTES_LIMIT} × and wall time ≤ {@link #TIME_LIMIT} × the single push's, with relays.
 */
final class FanoutResult implements ScenarioReport.Table {
    /** Issue 7: with relays, bytes leaving the sender ≤ 2.2 × one target's wire bytes. */
    static final double BYTES_LIMIT = 2.2;
    /** Issue 7: with relays, total time ≤ 2 × a single-target push of the same release. */
    static final double TIME_LIMIT = 2.0;

    static final List<String> HEADERS = List.of("run", "wall s", "sender bytes", "skiff bytes_wire", "bytes × single",
            "time × single", "activated", "routes", "sender CPU s", "sender RSS MiB", "receivers CPU s", "receivers RSS MiB");

    /** The runs of one repetition, in the order they run. */
    enum Kind {
        SINGLE("single", "single target"),
        NO_RELAY("no_relay", "--no-relay"),
        RELAY("relays", "relays");

        private final String key;
        private final String shortLabel;

        Kind(String key, String shortLabel) {
            this.key = key;
            this.shortLabel = shortLabel;
        }

        String key() {
            return key;
        }

        /** "--no-relay", "relays": how the check lines name it. */
        String shortLabel() {
            return shortLabel;
        }
    }

    /** The medians of one kind's runs, figure by figure (each median taken on its own). */
    record Medians(double wallSeconds, double senderBytes, double skiffBytesWire, double senderCpuSeconds, double senderPeakRssKb,
                   double receiversCpuSeconds, double receiversPeakRssKb) {
        static Medians of(List<FanoutRun> runs) {
            return new Medians(m(runs, FanoutRun::wallSeconds), m(runs, r -> r.senderBytes()), m(runs, r -> r.skiffBytesWire()),
                    m(runs, FanoutRun::senderCpuSeconds), m(runs, FanoutRun::senderPeakRssKb), m(runs, FanoutRun::receiversCpuSeconds),
                    m(runs, FanoutRun::receiversPeakRssKb));
        }

        private static double m(List<FanoutRun> runs, ToDoubleFunction<FanoutRun> f) {
            return Median.of(runs, f);
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("wall_seconds", wallSeconds);
            m.put("sender_bytes", senderBytes);
            m.put("skiff_bytes_wire", skiffBytesWire);
            m.put("sender_cpu_seconds", senderCpuSeconds);
            m.put("sender_peak_rss_kib", senderPeakRssKb);
            m.put("receivers_cpu_seconds", receiversCpuSeconds);
            m.put("receivers_peak_rss_kib", receiversPeakRssKb);
            return m;
        }
    }

    private final Workload workload;
    private final FanoutLayout layout;
    /** How the many-target pushes named their targets, one line (--topology file, or plain --to). */
    private final String targetsGivenAs;
    /** Whether they named regions (--topology); false: a plain --to list, no regions, no relay run. */
    private final boolean regions;
    private final List<String> hostJavaOpts;
    private final Map<Kind, List<FanoutRun>> runs = new EnumMap<>(Kind.class);
    private final Map<Kind, String> skipped = new EnumMap<>(Kind.class);

    FanoutResult(Workload workload, FanoutLayout layout, boolean regions, String targetsGivenAs, List<String> hostJavaOpts) {
        this.workload = workload;
        this.layout = layout;
        this.regions = regions;
        this.targetsGivenAs = targetsGivenAs;
        this.hostJavaOpts = List.copyOf(hostJavaOpts);
        for (Kind k : Kind.values()) {
            runs.put(k, new ArrayList<>());
        }
    }

    void add(FanoutRun run) {
        runs.get(run.kind()).add(run);
    }

    /** A kind that was not measured: {@code why} is one line. */
    void skipped(Kind kind, String why) {
        skipped.put(kind, why);
    }

    Optional<String> skipped(Kind kind) {
        return Optional.ofNullable(skipped.get(kind));
    }

    List<FanoutRun> runs(Kind kind) {
        return List.copyOf(runs.get(kind));
    }

    Medians medians(Kind kind) {
        return Medians.of(runs.get(kind));
    }

    /**
     * "single target (1 receiver)", "8 targets in 2 regions, --no-relay", "8 targets in 2 regions, relays";
     * without regions, "8 targets, plain --to" for the push to every target.
     */
    String label(Kind kind) {
        return switch (kind) {
            case SINGLE -> "single target (1 receiver)";
            case NO_RELAY -> regions ? layout.targetsText() + ", " + kind.shortLabel() : layout.receivers() + " targets, plain --to";
            case RELAY -> layout.targetsText() + ", " + kind.shortLabel();
        };
    }

    /** This kind's median sender bytes over the single-target push's: 1 target's worth is 1. */
    double bytesOverSingle(Kind kind) {
        return medians(kind).senderBytes() / medians(Kind.SINGLE).senderBytes();
    }

    /** This kind's median wall time over the single-target push's. */
    double timeOverSingle(Kind kind) {
        return medians(kind).wallSeconds() / medians(Kind.SINGLE).wallSeconds();
    }

    private boolean measured(Kind kind) {
        return !runs.get(kind).isEmpty();
    }

    /** Relays' bytes check: empty if relays or the single push were not measured. */
    Optional<Boolean> bytesMet() {
        return measured(Kind.RELAY) && measured(Kind.SINGLE) ? Optional.of(bytesOverSingle(Kind.RELAY) <= BYTES_LIMIT) : Optional.empty();
    }

    /** Relays' time check: empty if relays or the single push were not measured. */
    Optional<Boolean> timeMet() {
        return measured(Kind.RELAY) && measured(Kind.SINGLE) ? Optional.of(timeOverSingle(Kind.RELAY) <= TIME_LIMIT) : Optional.empty();
    }

    @Override
    public Workload workload() {
        return workload;
    }

    @Override
    public String title(int reps) {
        return String.format(Locale.ROOT, "%s: %s to %s (%d receivers in one JVM), each run to new, empty channels; "
                        + "%,d bytes in %d file%s; median of %d rep%s",
                scenario().label(), "code-set release v1", layout.targetsText(), layout.receivers(), workload.logicalBytes(),
                workload.files(), workload.files() == 1 ? "" : "s", reps, reps == 1 ? "" : "s");
    }

    /** The routes of a kind's runs: one text if all runs agree, else "varies (see JSON)". */
    private String routes(Kind kind) {
        List<String> distinct = runs.get(kind).stream().map(r -> FanoutPushResult.routesText(r.routes())).distinct().toList();
        return distinct.size() == 1 ? distinct.get(0) : distinct.isEmpty() ? "—" : "varies (see JSON)";
    }

    private String activated(Kind kind) {
        List<FanoutRun> r = runs.get(kind);
        int least = r.stream().mapToInt(FanoutRun::activated).min().orElse(0);
        int targets = r.stream().mapToInt(FanoutRun::targets).max().orElse(0);
        return least + "/" + targets;
    }

    @Override
    public List<List<String>> rows() {
        List<List<String>> rows = new ArrayList<>();
        for (Kind k : Kind.values()) {
            if (!measured(k)) {
                continue;
            }
            Medians m = medians(k);
            rows.add(List.of(label(k), ResultTable.fixed(m.wallSeconds(), 2), ResultTable.grouped(m.senderBytes()),
                    ResultTable.grouped(m.skiffBytesWire()), ResultTable.times(bytesOverSingle(k)), ResultTable.times(timeOverSingle(k)),
                    activated(k), routes(k), ResultTable.fixed(m.senderCpuSeconds(), 2), ResultTable.fixed(m.senderPeakRssKb() / 1024, 0),
                    ResultTable.fixed(m.receiversCpuSeconds(), 2), ResultTable.fixed(m.receiversPeakRssKb() / 1024, 0)));
        }
        return rows;
    }

    /** The two issue 7 checks, then a line per kind not measured, then how the targets were named. */
    @Override
    public List<String> linesUnder() {
        List<String> lines = new ArrayList<>();
        lines.add(checkLine(String.format(Locale.ROOT, "bytes leaving the sender ≤ %.1f × one target's (the single-target push's "
                + "sender bytes)", BYTES_LIMIT), this::bytesOverSingle, BYTES_LIMIT));
        lines.add(checkLine(String.format(Locale.ROOT, "wall time ≤ %.0f × the single-target push's", TIME_LIMIT),
                this::timeOverSingle, TIME_LIMIT));
        for (Kind k : Kind.values()) {
            skipped(k).ifPresent(why -> lines.add(label(k) + ": not measured (" + why + ")"));
        }
        noRelayUsed().ifPresent(lines::add);
        lines.add("targets named by " + targetsGivenAs + "; receivers: one JVM with " + String.join(" ", hostJavaOpts));
        return lines;
    }

    /** A warning when the relay run's push --json reports no relayed target in some repetition: nothing was relayed. */
    Optional<String> noRelayUsed() {
        List<Integer> reps = runs.get(Kind.RELAY).stream().filter(r -> !r.routes().containsKey("relayed")).map(FanoutRun::rep).toList();
        if (reps.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("warning: " + label(Kind.RELAY) + ": push --json reports no relayed target in rep" + (reps.size() == 1 ? " " : "s ")
                + reps.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", ")) + " (routes: " + routes(Kind.RELAY)
                + "): this skiff did not relay");
    }

    private String checkLine(String what, ToDoubleFunction<Kind> ratio, double limit) {
        StringBuilder sb = new StringBuilder("issue 7 check (medians), " + what + ": ");
        if (!measured(Kind.SINGLE)) {
            return sb.append("not measured (no single-target push)").toString();
        }
        List<String> parts = new ArrayList<>();
        if (measured(Kind.RELAY)) {
            double r = ratio.applyAsDouble(Kind.RELAY);
            parts.add("relays " + ResultTable.times(r) + (Double.isNaN(r) ? "" : r <= limit ? " (met)" : " (not met)"));
        } else {
            parts.add("relays not measured");
        }
        if (measured(Kind.NO_RELAY)) {
            parts.add((regions ? "--no-relay " : "plain --to ") + ResultTable.times(ratio.applyAsDouble(Kind.NO_RELAY)) + " (for comparison)");
        }
        return sb.append(String.join("; ", parts)).toString();
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
        m.put("regions", layout.regions());
        m.put("receivers_per_region", layout.perRegion());
        m.put("receivers", layout.receivers());
        m.put("receiver_host_java_opts", hostJavaOpts);
        m.put("regions_named", regions);
        m.put("targets_given_as", targetsGivenAs);
        for (Kind k : Kind.values()) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("label", label(k));
            if (measured(k)) {
                t.put("median", medians(k).toJson());
                t.put("sender_bytes_over_single", bytesOverSingle(k));
                t.put("wall_over_single", timeOverSingle(k));
                t.put("runs", runs.get(k).stream().map(FanoutRun::toJson).toList());
            }
            skipped(k).ifPresent(why -> t.put("skipped", why));
            m.put(k.key(), t);
        }
        Map<String, Object> checks = new LinkedHashMap<>();
        checks.put("sender_bytes_over_single", check(BYTES_LIMIT, measured(Kind.RELAY) ? bytesOverSingle(Kind.RELAY) : Double.NaN, bytesMet()));
        checks.put("wall_over_single", check(TIME_LIMIT, measured(Kind.RELAY) ? timeOverSingle(Kind.RELAY) : Double.NaN, timeMet()));
        m.put("checks", checks);
        noRelayUsed().ifPresent(w -> m.put("warning", w));
        return m;
    }

    private static Map<String, Object> check(double limit, double relays, Optional<Boolean> met) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("limit", limit);
        c.put("relays", relays);
        c.put("met", met.orElse(null));
        return c;
    }
}
