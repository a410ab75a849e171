package io.skiff.bench.e2e;

import java.util.List;
import java.util.Map;

/** One scenario's part of the report: a title, its table as text and as markdown, and its JSON. */
interface ScenarioReport {
    /** What was measured: the scenario, its release, the destination's starting point. */
    Workload workload();

    default Scenario scenario() {
        return workload().scenario();
    }

    /** One line: the scenario, what it moves, how many repetitions. */
    String title(int reps);

    /** The table and the lines under it, for stdout. */
    String toText();

    /** The same for docs/benchmarks.md: a markdown table, each line under it a paragraph. */
    String toMarkdown();

    Map<String, Object> toJson();

    /** A report that is one table (headers, rows) with lines under it: its text and markdown come from those. */
    interface Table extends ScenarioReport {
        List<String> headers();

        List<List<String>> rows();

        List<String> linesUnder();

        @Override
        default String toText() {
            StringBuilder sb = new StringBuilder(ResultTable.text(headers(), rows()));
            linesUnder().forEach(line -> sb.append(line).append('\n'));
            return sb.toString();
        }

        @Override
        default String toMarkdown() {
            StringBuilder sb = new StringBuilder(ResultTable.markdown(headers(), rows()));
            linesUnder().forEach(line -> sb.append('\n').append(line).append('\n'));
            return sb.toString();
        }
    }
}
