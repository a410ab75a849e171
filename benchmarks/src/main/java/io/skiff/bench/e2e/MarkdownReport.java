package io.skiff.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/** The dated section appended to docs/benchmarks.md: machine, exact command, one table per scenario, method notes. */
final class MarkdownReport {
    private MarkdownReport() {
    }

    static String section(LocalDate date, MachineInfo machine, String command, int reps, List<? extends ScenarioReport> results,
                          List<String> notes) {
        StringBuilder sb = new StringBuilder();
        sb.append("## End to end, ").append(date).append("\n\n");
        sb.append("Machine: ").append(machine.oneLine()).append(".\n\n");
        sb.append("Command: `").append(command).append("`\n");
        for (ScenarioReport r : results) {
            sb.append("\n**").append(r.title(reps)).append(".**\n\n");
            sb.append(r.toMarkdown());
        }
        sb.append("\nHow each figure was measured:\n\n");
        for (String n : notes) {
            sb.append("- ").append(n).append('\n');
        }
        return sb.toString();
    }

    static void append(Path file, String section) throws IOException {
        String existing = Files.readString(file);
        String sep = existing.endsWith("\n\n") ? "" : existing.endsWith("\n") ? "\n" : "\n\n";
        Files.writeString(file, sep + section, StandardOpenOption.APPEND);
    }

    static LocalDate today() {
        return LocalDate.now(ZoneOffset.UTC);
    }
}
