package io.skiff.cli;

import io.skiff.engine.Skiff;
import io.skiff.engine.api.GcReport;
import io.skiff.protocol.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code skiff gc}: removes partial transfers nobody resumed. Safe while the receiver runs. */
@Command(name = "gc", mixinStandardHelpOptions = true,
        description = {"Remove abandoned partial transfers from a receiver root: staging/<id>/, its resume journal, and its "
                + "manifest unless that release is activated. Never touches current, releases/ or their manifests.",
                "Covers the untenanted channels and every tenant's (shown as TENANT/CHANNEL, paths relative to the root).",
                "Safe while the receiver runs: a transfer whose staging tree or journal changed within --older-than is kept "
                        + "(an active transfer updates its journal at least every --journal-sync)."})
final class GcCommand implements Callable<Integer> {
    private static final Pattern DURATION = Pattern.compile("(\\d+)([smhd])");

    @Spec
    CommandSpec spec;

    @Option(names = "--root", required = true, paramLabel = "DIR", description = "Receiver root directory.")
    Path root;

    @Option(names = "--older-than", defaultValue = "24h", paramLabel = "DURATION",
            description = "Remove transfers untouched for at least this long: a number with s, m, h or d, e.g. 30m, 6h, 2d, 0s "
                    + "(default: ${DEFAULT-VALUE}).")
    String olderThan;

    @Option(names = "--tenant", paramLabel = "NAME", description = "Only this tenant's channels (ROOT/NAME/CHANNEL).")
    String tenant;

    @Option(names = "--dry-run", description = "Only print what would be removed.")
    boolean dryRun;

    @Option(names = "--json", description = "Print JSON (\"tenant\": null for an untenanted channel).")
    boolean json;

    @Override
    public Integer call() {
        Duration threshold = parseDuration(olderThan);
        GcReport report = Skiff.gc(root, tenant, threshold, dryRun);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonOut j = new JsonOut().beginObject().field("root", report.root().toString())
                    .field("older_than_seconds", threshold.getSeconds()).field("dry_run", dryRun).name("removed").beginArray();
            for (GcReport.Transfer t : report.removed()) {
                entry(j, t).name("paths").beginArray();
                t.paths().forEach(p -> j.value(p.toString()));
                j.endArray().endObject();
            }
            j.endArray().name("kept").beginArray();
            for (GcReport.Transfer t : report.kept()) {
                entry(j, t).endObject();
            }
            out.println(j.endArray().field("bytes_reclaimed", report.bytesReclaimed()).endObject());
            return 0;
        }
        for (GcReport.Transfer t : report.removed()) {
            out.printf(Locale.ROOT, "%s %s %s %s  (%s, last written %s ago)%n", dryRun ? "would remove" : "removed", t.qualifiedName(),
                    t.version() == null ? "?" : t.version(), t.releaseId().hex(), HumanFormat.bytes(t.bytes()),
                    HumanFormat.duration(t.age()));
            for (Path p : t.paths()) {
                out.println("  " + p);
            }
        }
        out.printf(Locale.ROOT, "%s %d abandoned transfer(s), %s%s; kept %d modified within %s%n", dryRun ? "would remove" : "removed",
                report.removed().size(), HumanFormat.bytes(report.bytesReclaimed()), dryRun ? " to reclaim" : " reclaimed",
                report.kept().size(), olderThan);
        return 0;
    }

    private static JsonOut entry(JsonOut j, GcReport.Transfer t) {
        return j.beginObject().field("tenant", t.tenant()).field("channel", t.channel()).field("release_id", t.releaseId().hex()).field("version", t.version())
                .field("bytes", t.bytes()).field("age_seconds", t.age().getSeconds());
    }

    /** "30m", "6h", "2d", "0s", "90s". */
    static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new UsageException("--older-than wants a number with s, m, h or d (e.g. 30m, 6h, 2d), got '" + text + "'");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new UsageException("--older-than is too large: " + text);
        }
        try {
            return switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } catch (ArithmeticException e) {
            throw new UsageException("--older-than is too large: " + text);
        }
    }
}
