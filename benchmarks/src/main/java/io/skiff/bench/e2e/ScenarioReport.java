package io.skiff.bench.e2e;

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
}
