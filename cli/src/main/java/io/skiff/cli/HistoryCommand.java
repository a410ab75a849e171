package io.skiff.cli;

import io.skiff.engine.Skiff;
import io.skiff.engine.api.AuditEntry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code skiff history}: a channel's releases as its receiver's audit trail tells them. */
@Command(name = "history", mixinStandardHelpOptions = true,
        description = {"Show a channel's releases on a receiver, oldest first, from its audit trail.",
                "Each activation, smoke test, rollback and prune, with the version, release id, when, who (certificate identity),",
                "signers and outcome."})
final class HistoryCommand implements Callable<Integer> {
    /** The audit actions that change or judge what is active. */
    private static final Set<String> LIFECYCLE = Set.of("activate", "smoke-pass", "smoke-fail", "rollback", "prune");

    @Spec
    CommandSpec spec;

    @Option(names = "--root", required = true, paramLabel = "DIR", description = "Receiver root directory.")
    Path root;

    @Option(names = "--channel", required = true, paramLabel = "NAME", description = "The channel.")
    String channel;

    @Option(names = "--json", description = "Print each record as stored, one JSON object per line.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        int[] count = {0};
        Skiff.auditEntries(root, channel, null, e -> {
            if (!LIFECYCLE.contains(e.action())) {
                return;
            }
            count[0]++;
            out.println(json ? e.line() : row(e));
        });
        if (!json && count[0] == 0) {
            out.println("no history for " + channel + " under " + root);
        }
        return ExitStatus.SUCCESS;
    }

    private static String row(AuditEntry e) {
        return String.format(Locale.ROOT, "%s  %-10s %-12s %-14s %-8s by %s%s%s", e.time(), e.action(), e.version() == null ? "-" : e.version(),
                e.releaseId() == null ? "-" : e.releaseId().substring(0, 12), e.outcome(), e.actor(),
                e.signers().isEmpty() ? "" : ", signed by " + String.join(",", e.signers().stream().map(k -> k.substring(0, 12)).toList()),
                e.reason() == null ? "" : ": " + e.reason());
    }
}
