package io.skiff.cli;

import io.skiff.engine.Skiff;
import io.skiff.engine.api.AuditEntry;
import io.skiff.engine.api.AuditReport;
import io.skiff.protocol.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code skiff audit verify|show}: a receiver's tamper-evident trail, checked or read. Safe while the receiver runs. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"Check or read a receiver's tamper-evident audit trail (ROOT/audit).",
                "One hash-chained JSON record per activation, refusal, failed transfer, smoke test, rollback, prune and removal,",
                "with who asked (certificate identity), the release and its signers. Record format and how an auditor checks it:",
                "docs/operations.md, \"Audit trail\"."},
        subcommands = {AuditCommand.Verify.class, AuditCommand.Show.class})
final class AuditCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Check the audit trail's chain end to end; exit 12 naming the first broken record.",
                    "Every record numbered in turn and naming the hash of the one before, HEAD not beyond the last record, and with",
                    "--against, the heads senders recorded still in the trail: catches records edited, removed, reordered, cut off, rewritten."})
    static final class Verify implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--root", required = true, paramLabel = "DIR", description = "Receiver root directory.")
        Path root;

        @Option(names = "--against", paramLabel = "FILE", description = {"Heads senders recorded (JSON lines or a JSON document "
                + "holding \"audit_head\": {\"trail\", \"seq\", \"hash\"} objects): catches a trail rewritten and re-chained."})
        Path against;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() {
            AuditReport r = Skiff.verifyAudit(root, against);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                JsonOut j = new JsonOut().beginObject().field("root", root.toString()).field("intact", r.intact())
                        .field("records", r.records()).field("head_seq", r.headSeq()).field("head_hash", r.headHash())
                        .field("trail", r.trailId()).field("anchors_checked", r.anchors());
                j.name("broken");
                if (r.broken() == null) {
                    j.nullValue();
                } else {
                    j.beginObject().field("file", r.broken().file()).field("line", r.broken().line()).field("seq", r.broken().seq())
                            .field("reason", r.broken().reason()).endObject();
                }
                j.name("warnings").beginArray();
                r.warnings().forEach(j::value);
                out.println(j.endArray().endObject());
            } else if (r.intact()) {
                out.printf(Locale.ROOT, "audit trail intact: %d records, head %d %s%s%n", r.records(), r.headSeq(), r.headHash(),
                        against == null ? "" : ", " + r.anchors() + " sender head(s) agree");
                r.warnings().forEach(w -> out.println("warning: " + w));
            }
            if (!r.intact()) {
                spec.commandLine().getErr().println("skiff: error: audit trail broken at " + r.broken().file()
                        + (r.broken().line() > 0 ? " line " + r.broken().line() : "") + ": " + r.broken().reason());
                return ExitStatus.of(io.skiff.protocol.ErrorCode.FILE_HASH_MISMATCH);
            }
            return ExitStatus.SUCCESS;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = {"Print the audit trail's records, oldest first: all, one channel's, or those since a time."})
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--root", required = true, paramLabel = "DIR", description = "Receiver root directory.")
        Path root;

        @Option(names = "--channel", paramLabel = "NAME", description = "Only this channel's records.")
        String channel;

        @Option(names = "--since", paramLabel = "TIME", description = "Only records from this time on (ISO-8601, e.g. 2027-01-31T00:00:00Z).")
        String since;

        @Option(names = "--json", description = "Print each record as stored, one JSON object per line.")
        boolean json;

        @Override
        public Integer call() {
            Instant from = null;
            if (since != null) {
                try {
                    from = Instant.parse(since);
                } catch (DateTimeParseException e) {
                    throw new UsageException("--since must be an ISO-8601 time such as 2027-01-31T00:00:00Z, got " + since);
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            int[] count = {0};
            Skiff.auditEntries(root, channel, from, e -> {
                count[0]++;
                out.println(json ? e.line() : human(e));
            });
            if (!json && count[0] == 0) {
                out.println("no records" + (channel == null ? "" : " for " + channel) + (since == null ? "" : " since " + since));
            }
            return ExitStatus.SUCCESS;
        }

        private static String human(AuditEntry e) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%6d  %s  %-14s %-8s %s", e.seq(), e.time(), e.action(),
                    e.outcome(), e.actor() + (e.peer() == null ? "" : "@" + e.peer())));
            if (e.channel() != null) {
                line.append("  ").append(e.tenant() == null ? "" : e.tenant() + "/").append(e.channel());
            }
            if (e.version() != null) {
                line.append(' ').append(e.version());
            }
            if (e.releaseId() != null) {
                line.append(" (").append(e.releaseId(), 0, Math.min(12, e.releaseId().length())).append(')');
            }
            if (!e.signers().isEmpty()) {
                line.append(" signed by ").append(String.join(",", e.signers().stream().map(k -> k.substring(0, Math.min(12, k.length()))).toList()));
            }
            if (e.reason() != null) {
                line.append(": ").append(e.reason());
            }
            return line.toString();
        }
    }
}
