package io.skiff.bench.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The medians of one scenario as rows of text, rendered as an aligned text table or a markdown table. */
final class ResultTable {
    static final List<String> HEADERS = List.of("tool", "wall s", "MB/s", "lo wire bytes", "tool wire bytes",
            "sender CPU s", "receiver CPU s", "sender RSS MiB", "receiver RSS MiB");

    private final List<List<String>> rows = new ArrayList<>();
    private final String ratios;
    /** Lines under the ratios: a full copy's copy floors, the update's patch-from floor, the breakdown of skiff's median run. */
    private final List<String> extra = new ArrayList<>();

    ResultTable(ScenarioResult result) {
        for (String tool : List.of(ScenarioResult.SKIFF, ScenarioResult.RSYNC)) {
            ScenarioResult.Medians m = result.medians(tool);
            rows.add(List.of(tool, fixed(m.wallSeconds(), 2), fixed(m.throughputMBps(), 0), grouped(m.loWireBytes()),
                    grouped(m.toolWireBytes()), fixed(m.senderCpuSeconds(), 2), fixed(m.receiverCpuSeconds(), 2),
                    fixed(m.senderPeakRssKb() / 1024, 0), fixed(m.receiverPeakRssKb() / 1024, 0)));
        }
        double toolWire = result.medians(ScenarioResult.SKIFF).toolWireBytes() / result.medians(ScenarioResult.RSYNC).toolWireBytes();
        ratios = String.format(Locale.ROOT, "skiff/rsync: throughput %s, lo wire bytes %s (tool-reported %s)",
                times(result.throughputRatio()), times(result.wireRatio()), times(toolWire));
        for (CopyFloor.Mode mode : CopyFloor.Mode.values()) { // buffered first, as measured
            result.copyFloor(mode).ifPresent(f -> extra.add(copyFloorLine(result, mode, f)));
            result.copyFloorSkipped(mode).ifPresent(why -> extra.add("local copy floor, " + mode.label() + ": not measured ("
                    + why + ")"));
        }
        result.patchFrom().ifPresent(f -> extra.add(floorLine(result, f)));
        result.patchFromSkipped().ifPresent(why -> extra.add("zstd --patch-from floor: not measured (" + why + ")"));
        result.medianRun(ScenarioResult.SKIFF)
                .filter(r -> r.skiffWire().isPresent() && r.skiffWire().get().reported())
                .ifPresent(r -> extra.add(String.format(Locale.ROOT, "skiff wire bytes of its median run (rep %d, %s): %s",
                        r.rep(), grouped(r.toolWireBytes()), r.skiffWire().get().oneLine())));
    }

    /**
     * "local copy floor, MODE (...): median X s (Y MB/s; write A s, fsync B s; CPU C s, sys D s); wall time over it:
     * skiff x.xx×, rsync y.yy× (...)". An rsync without --fsync leaves its writes to the page cache, so its time is
     * also set against the write phase alone.
     */
    static String copyFloorLine(ScenarioResult result, CopyFloor.Mode mode, CopyFloor.Medians f) {
        String how = switch (mode) {
            case BUFFERED -> "the same bytes read and written to new files on the destinations' file system through the "
                    + "page cache, then fsynced";
            case DIRECT -> "the same bytes written to new files there with O_DIRECT in 4 MiB aligned blocks, bypassing "
                    + "the page cache, then fsynced";
        };
        String rsyncNote = result.rsyncFsync() ? "rsync with --fsync"
                : "rsync does not fsync; over the write alone " + times(result.rsyncOverCopyFloorWrite(mode));
        return String.format(Locale.ROOT, "local copy floor, %s (%s): median %s s (%s MB/s; write %s s, fsync %s s; CPU %s s, "
                        + "of it sys %s s); wall time over it: skiff %s, rsync %s (%s)",
                mode.label(), how, fixed(f.wallSeconds(), 2), fixed(f.throughputMBps(), 0), fixed(f.writeSeconds(), 2),
                fixed(f.fsyncSeconds(), 2), fixed(f.cpuSeconds(), 2), fixed(f.sysSeconds(), 2),
                times(result.overCopyFloor(mode, ScenarioResult.SKIFF)), times(result.overCopyFloor(mode, ScenarioResult.RSYNC)),
                rsyncNote);
    }

    /** "zstd --patch-from floor: N bytes (...); tool wire bytes over it: skiff x.xx×, rsync y.yy×". */
    static String floorLine(ScenarioResult result, PatchFromFloor.Result f) {
        return String.format(Locale.ROOT, "zstd --patch-from floor: %s bytes (%s of the tarred trees, %s s); "
                        + "tool wire bytes over it: skiff %s, rsync %s",
                grouped(f.bytes()), PatchFromFloor.commandText(), fixed(f.seconds(), 2),
                times(result.overFloor(ScenarioResult.SKIFF)), times(result.overFloor(ScenarioResult.RSYNC)));
    }

    static String title(ScenarioResult r, int reps) {
        return title(r.workload(), reps);
    }

    /** "label: description; N bytes in F files; median of R reps". */
    static String title(Workload w, int reps) {
        return String.format(Locale.ROOT, "%s: %s; %,d bytes in %d file%s; median of %d rep%s",
                w.scenario().label(), w.scenario().description(), w.logicalBytes(), w.files(), w.files() == 1 ? "" : "s",
                reps, reps == 1 ? "" : "s");
    }

    String ratios() {
        return ratios;
    }

    String toText() {
        StringBuilder sb = new StringBuilder(text(HEADERS, rows));
        sb.append(ratios).append('\n');
        extra.forEach(line -> sb.append(line).append('\n'));
        return sb.toString();
    }

    String toMarkdown() {
        StringBuilder sb = new StringBuilder(markdown(HEADERS, rows));
        sb.append('\n').append(ratios).append('\n');
        extra.forEach(line -> sb.append('\n').append(line).append('\n')); // a paragraph each
        return sb.toString();
    }

    /** An aligned text table: first column left-aligned (names), the others right-aligned so digits line up. */
    static String text(List<String> headers, List<List<String>> rows) {
        List<List<String>> all = new ArrayList<>();
        all.add(headers);
        all.addAll(rows);
        int[] width = new int[headers.size()];
        for (List<String> row : all) {
            for (int c = 0; c < row.size(); c++) {
                width[c] = Math.max(width[c], row.get(c).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> row : all) {
            for (int c = 0; c < row.size(); c++) {
                String cell = c == 0 ? pad(row.get(c), width[c], false) : pad(row.get(c), width[c], true);
                sb.append(c == 0 ? "" : "  ").append(cell);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** The same as a markdown table, numbers right-aligned. */
    static String markdown(List<String> headers, List<List<String>> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| ").append(String.join(" | ", headers)).append(" |\n");
        sb.append("|------").append("|-----:".repeat(headers.size() - 1)).append("|\n");
        for (List<String> row : rows) {
            sb.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        return sb.toString();
    }

    static String fixed(double v, int decimals) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    static String grouped(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%,d", Math.round(v));
    }

    static String times(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "n/a" : String.format(Locale.ROOT, "%.2f×", v);
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(width - s.length());
        return right ? fill + s : s + fill;
    }
}
