package io.skiff.cli;

import io.skiff.engine.report.JsonWriter;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.engine.store.StagingCollector;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.SkiffException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code skiff gc}: removes partial transfers nobody resumed. Safe while the receiver runs. */
@Command(name = "gc", mixinStandardHelpOptions = true,
        description = {"Remove abandoned partial transfers from a receiver root: staging/<id>/, its resume journal, and its "
                + "manifest unless that release is activated. Never touches current, releases/ or their manifests.",
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

    @Option(names = "--dry-run", description = "Only print what would be removed.")
    boolean dryRun;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        Duration threshold = parseDuration(olderThan);
        ReleaseStore store = ReleaseStore.inspect(root);
        Instant now = Instant.now();
        PrintWriter out = spec.commandLine().getOut();
        List<StagingCollector.Candidate> removed = new ArrayList<>();
        List<StagingCollector.Candidate> kept = new ArrayList<>();
        for (StagingCollector.Candidate c : StagingCollector.scan(store)) {
            boolean old = c.olderThan(threshold, now);
            if (old && (dryRun || StagingCollector.remove(store, c, threshold, now))) {
                removed.add(c);
                if (!json) {
                    out.printf(Locale.ROOT, "%s %s %s %s  (%s, last written %s ago)%n", dryRun ? "would remove" : "removed", c.channel(),
                            c.version() == null ? "?" : c.version(), c.releaseId().hex(), HumanFormat.bytes(c.bytes()),
                            HumanFormat.duration(c.age(now)));
                    for (Path p : c.paths()) {
                        out.println("  " + store.root().relativize(p));
                    }
                }
            } else {
                kept.add(c);
            }
        }
        long reclaimed = removed.stream().mapToLong(StagingCollector.Candidate::bytes).sum();
        if (json) {
            JsonWriter j = new JsonWriter().beginObject().field("root", store.root().toString())
                    .field("older_than_seconds", threshold.getSeconds()).field("dry_run", dryRun).name("removed").beginArray();
            for (StagingCollector.Candidate c : removed) {
                entry(j, c, now).name("paths").beginArray();
                c.paths().forEach(p -> j.value(store.root().relativize(p).toString()));
                j.endArray().endObject();
            }
            j.endArray().name("kept").beginArray();
            for (StagingCollector.Candidate c : kept) {
                entry(j, c, now).endObject();
            }
            out.println(j.endArray().field("bytes_reclaimed", reclaimed).endObject());
        } else {
            out.printf(Locale.ROOT, "%s %d abandoned transfer(s), %s%s; kept %d modified within %s%n", dryRun ? "would remove" : "removed",
                    removed.size(), HumanFormat.bytes(reclaimed), dryRun ? " to reclaim" : " reclaimed", kept.size(), olderThan);
        }
        return 0;
    }

    private static JsonWriter entry(JsonWriter j, StagingCollector.Candidate c, Instant now) {
        return j.beginObject().field("channel", c.channel()).field("release_id", c.releaseId().hex()).field("version", c.version())
                .field("bytes", c.bytes()).field("age_seconds", c.age(now).getSeconds());
    }

    /** "30m", "6h", "2d", "0s", "90s". */
    static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new SkiffException(ErrorCode.USAGE, "--older-than wants a number with s, m, h or d (e.g. 30m, 6h, 2d), got '" + text + "'");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new SkiffException(ErrorCode.USAGE, "--older-than is too large: " + text);
        }
        try {
            return switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } catch (ArithmeticException e) {
            throw new SkiffException(ErrorCode.USAGE, "--older-than is too large: " + text);
        }
    }
}
