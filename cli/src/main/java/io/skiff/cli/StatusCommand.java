package io.skiff.cli;

import io.skiff.engine.Skiff;
import io.skiff.engine.api.StatusReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code skiff status}: what a receiver root holds. Read-only; safe while the receiver runs. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show each channel of a receiver root: current release, retained releases, partial transfers in staging "
                + "(share of the release's bytes the resume journal vouches for, bytes missing, time since last written).",
                "Untenanted channels (ROOT/CHANNEL) come first, then each tenant's (ROOT/TENANT/CHANNEL), shown as TENANT/CHANNEL."})
final class StatusCommand implements Callable<Integer> {
    private static final String[] STAGING_COUNTS = {"percent_done", "bytes_total", "bytes_done", "bytes_missing", "chunks_total",
            "chunks_done"};

    @Spec
    CommandSpec spec;

    @Option(names = "--root", required = true, paramLabel = "DIR", description = "Receiver root directory.")
    Path root;

    @Option(names = "--tenant", paramLabel = "NAME", description = "Only this tenant's channels (ROOT/NAME/CHANNEL).")
    String tenant;

    @Option(names = "--json", description = "Print JSON (\"tenant\": null for an untenanted channel).")
    boolean json;

    @Override
    public Integer call() {
        StatusReport report = Skiff.status(root, tenant);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(toJson(report));
            return 0;
        }
        for (StatusReport.Channel c : report.channels()) {
            out.printf(Locale.ROOT, "%s%n  current   %s%n", c.qualifiedName(),
                    c.current() == null ? "(none)" : version(c.current()) + "  " + c.current().releaseId().hex());
            for (StatusReport.Release r : c.releases()) {
                out.printf(Locale.ROOT, "  retained  %s  %s%s%n", version(r), r.releaseId().hex(), r.current() ? "  (current)" : "");
            }
            for (StatusReport.Staging s : c.staging()) {
                out.printf(Locale.ROOT, "  staging   %s  %s  %s  (partial, not served)%n", s.version() == null ? "?" : s.version(),
                        s.releaseId().hex(), describe(s));
            }
        }
        if (report.channels().isEmpty()) {
            out.println("no channels under " + report.root() + (tenant == null ? "" : " for tenant " + tenant));
        }
        return 0;
    }

    private static String toJson(StatusReport report) {
        JsonOut j = new JsonOut().beginObject().field("root", report.root().toString()).name("channels").beginArray();
        for (StatusReport.Channel c : report.channels()) {
            j.beginObject().field("tenant", c.tenant()).field("channel", c.channel()).name("current");
            if (c.current() != null) {
                j.beginObject().field("release_id", c.current().releaseId().hex()).field("version", version(c.current())).endObject();
            } else {
                j.nullValue();
            }
            j.name("releases").beginArray();
            for (StatusReport.Release r : c.releases()) {
                j.beginObject().field("release_id", r.releaseId().hex()).field("version", version(r)).field("current", r.current())
                        .endObject();
            }
            j.endArray().name("staging").beginArray();
            for (StatusReport.Staging s : c.staging()) {
                j.beginObject().field("release_id", s.releaseId().hex()).field("version", s.version());
                if (s.manifestKnown()) {
                    j.field("percent_done", s.percentDone()).field("bytes_total", s.bytesTotal()).field("bytes_done", s.bytesDone())
                            .field("bytes_missing", s.bytesMissing()).field("chunks_total", s.chunksTotal())
                            .field("chunks_done", s.chunksDone());
                } else {
                    for (String unknown : STAGING_COUNTS) {
                        j.name(unknown).nullValue();
                    }
                }
                j.name("age_seconds");
                if (s.age() != null) {
                    j.value(s.age().getSeconds());
                } else {
                    j.nullValue();
                }
                j.endObject();
            }
            j.endArray().endObject();
        }
        return j.endArray().endObject().toString();
    }

    /** E.g. "42.0% (12.3 MiB of 29.3 MiB, 17.0 MiB missing), last written 3m 12s ago". */
    static String describe(StatusReport.Staging s) {
        String done = s.manifestKnown()
                ? String.format(Locale.ROOT, "%.1f%% (%s of %s, %s missing)", s.percentDone(), HumanFormat.bytes(s.bytesDone()),
                        HumanFormat.bytes(s.bytesTotal()), HumanFormat.bytes(s.bytesMissing()))
                : "progress unknown (manifest missing)";
        Duration age = s.age();
        return age == null ? done : done + ", last written " + HumanFormat.duration(age) + " ago";
    }

    /** The version, "?" when the manifest is missing, "? (why)" when it could not be read. */
    private static String version(StatusReport.Release r) {
        if (r.version() != null) {
            return r.version();
        }
        return r.manifestProblem() == null ? "?" : "? (" + r.manifestProblem() + ")";
    }
}
