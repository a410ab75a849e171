package io.skiff.bench.e2e;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The end of a run of {@link EndToEndRunner}: the result tables on stdout, then, when asked for, the JSON
 * document (--json) and the dated markdown section (--append-md), each with the method notes and the
 * loopback warnings.
 */
final class RunReport {
    /** A transfer whose loopback count exceeds its own count by more than this shared other traffic, probably. */
    private static final double LO_NOISE_RATIO = 1.10;

    private final RunnerOptions options;
    private final PrintStream out;
    private final PrintStream log;

    RunReport(RunnerOptions options, PrintStream out, PrintStream log) {
        this.options = options;
        this.out = out;
        this.log = log;
    }

    void print(List<ScenarioReport> results, MachineInfo machine, boolean gnuTime, Instant started) throws IOException {
        String javaOpts = options.javaOpts().isEmpty() ? "no JVM options" : String.join(" ", options.javaOpts());
        List<String> notes = new ArrayList<>(Methodology.notes(gnuTime, javaOpts, options.coldReceiver(), options.savedManifest(),
                options.scenarios(), options.fanoutLayout(), options.fanoutHostJavaOpts(), options.copyFloor(), options.rsyncFsync()));
        if (options.warmReceiver() > 0) {
            notes.add("skiff, --warm-receiver " + options.warmReceiver() + ": before the timed repetitions of random, codeset and update, "
                    + "the scenario's receiver daemon received the scenario's release (an update: its base, then the release) "
                    + options.warmReceiver() + " time(s), untimed, to a scratch channel removed afterwards: its JIT had compiled "
                    + "what the timed pushes run, as in a daemon that has been up a while. Without it a daemon's first push "
                    + "also pays its compilation.");
        }
        List<String> warnings = loopbackWarnings(results);
        String command = commandLine();
        Optional<String> tls = tlsLine(results);
        tls.ifPresent(notes::add);

        out.println();
        out.println("End to end, " + started + " on " + machine.oneLine());
        out.println("command: " + command);
        for (ScenarioReport r : results) {
            out.println();
            out.println(r.title(options.reps()));
            out.print(r.toText());
        }
        out.println();
        tls.ifPresent(out::println);
        warnings.forEach(w -> out.println("warning: " + w));
        if (results.stream().anyMatch(ScenarioResult.class::isInstance)) {
            out.println("lo wire bytes include TCP/IP headers and any other loopback traffic; see --json or --append-md for all method notes.");
        } else {
            out.println("See --json or --append-md for all method notes.");
        }

        if (options.json().isPresent()) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("started", started.toString());
            json.put("command", command);
            json.put("machine", machine.toJson());
            json.put("reps", options.reps());
            json.put("java_opts", options.javaOpts());
            json.put("scenarios", results.stream().map(ScenarioReport::toJson).toList());
            json.put("notes", notes);
            json.put("warnings", warnings);
            Files.writeString(options.json().get(), RunnerJson.write(json));
            log.println("wrote " + options.json().get());
        }
        if (options.appendMd().isPresent()) {
            List<String> mdNotes = new ArrayList<>(notes);
            warnings.forEach(w -> mdNotes.add("Warning: " + w));
            MarkdownReport.append(options.appendMd().get(),
                    MarkdownReport.section(MarkdownReport.today(), machine, command, options.reps(), results, mdNotes));
            log.println("appended to " + options.appendMd().get());
        }
    }

    /**
     * Issue 18: skiff's median throughput over mutual TLS set against plaintext, when random and tls ran
     * in this run (the same file, machine and moment).
     */
    static Optional<String> tlsLine(List<ScenarioReport> reports) {
        Optional<ScenarioResult> plain = result(reports, Scenario.RANDOM);
        Optional<ScenarioResult> tls = result(reports, Scenario.TLS);
        if (plain.isEmpty() || tls.isEmpty()) {
            return Optional.empty();
        }
        double p = plain.get().medians(ScenarioResult.SKIFF).throughputMBps();
        double t = tls.get().medians(ScenarioResult.SKIFF).throughputMBps();
        return Optional.of(String.format(Locale.ROOT, "TLS full copy: %.0f MB/s median vs plaintext %.0f MB/s in the same run: "
                + "%.0f %% of plaintext (skiff over mutual TLS 1.3; the receiver's log names the provider, BoringSSL or JDK)",
                t, p, 100 * t / p));
    }

    private static Optional<ScenarioResult> result(List<ScenarioReport> reports, Scenario scenario) {
        return reports.stream().filter(ScenarioResult.class::isInstance).map(ScenarioResult.class::cast)
                .filter(r -> r.scenario() == scenario && !r.runs(ScenarioResult.SKIFF).isEmpty()).findFirst();
    }

    /** Runs whose loopback count is far above the tool's own count: something else used loopback meanwhile. */
    private static List<String> loopbackWarnings(List<ScenarioReport> reports) {
        List<String> w = new ArrayList<>();
        for (ScenarioResult r : reports.stream().filter(ScenarioResult.class::isInstance).map(ScenarioResult.class::cast).toList()) {
            for (String tool : List.of(ScenarioResult.SKIFF, ScenarioResult.RSYNC)) {
                for (RunMeasurement m : r.runs(tool)) {
                    double ratio = m.loWireBytes() / m.toolWireBytes();
                    if (ratio > LO_NOISE_RATIO) {
                        w.add(String.format(Locale.ROOT, "%s %s rep %d: loopback counted %.2f× the tool's own bytes "
                                + "(other loopback traffic on the machine during the run?)", r.scenario().label(), tool, m.rep(), ratio));
                    }
                }
            }
        }
        return w;
    }

    /** As the user typed it when started by run-e2e.sh (which passes it in), else reconstructed. */
    private String commandLine() {
        String fromScript = System.getProperty("skiff.e2e.command");
        if (fromScript != null && !fromScript.isBlank()) {
            return fromScript.strip();
        }
        return "java -cp benchmarks/target/benchmarks.jar:cli/target/skiff.jar " + EndToEndRunner.class.getName() + " "
                + options.args().stream().map(RunReport::shellQuote).collect(Collectors.joining(" "));
    }

    static String shellQuote(String s) {
        return s.matches("[A-Za-z0-9_./:=,+-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }
}
