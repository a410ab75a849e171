package io.skiff.cli;

import io.skiff.engine.Skiff;
import io.skiff.engine.api.VerifyReport;
import io.skiff.protocol.ErrorCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code skiff verify}: re-hash active releases against their manifests. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Re-hash the current release of each channel (or one) against its manifest: untenanted channels, then "
                + "each tenant's, shown as TENANT/CHANNEL.",
                "Exit 0 if every file matches; 12 naming each mismatching, missing or unexpected file otherwise."})
final class VerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--root", required = true, paramLabel = "DIR", description = "Receiver root directory.")
    Path root;

    @Option(names = "--channel", paramLabel = "NAME", description = "Only this channel: CHANNEL for an untenanted one (or, with "
            + "--tenant, that tenant's), TENANT/CHANNEL for a tenant's.")
    String channel;

    @Option(names = "--tenant", paramLabel = "NAME", description = "Only this tenant's channels (ROOT/NAME/CHANNEL).")
    String tenant;

    @Option(names = "--json", description = "Print JSON (\"tenant\": null for an untenanted channel).")
    boolean json;

    @Override
    public Integer call() {
        VerifyReport report = Skiff.verify(root, tenant, channel);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonOut j = new JsonOut().beginObject().name("channels").beginArray();
            for (VerifyReport.Channel c : report.channels()) {
                j.beginObject().field("tenant", c.tenant()).field("channel", c.channel()).field("release_id", c.releaseId().hex()).field("version", c.version())
                        .field("ok", c.ok()).name("problems").beginArray();
                c.problems().forEach(j::value);
                j.endArray().endObject();
            }
            out.println(j.endArray().field("ok", report.ok()).endObject());
        } else {
            for (VerifyReport.Channel c : report.channels()) {
                out.printf(Locale.ROOT, "%-6s %s %s  %s%n", c.ok() ? "ok" : "FAILED", c.qualifiedName(),
                        c.version() == null ? "?" : c.version(), c.releaseId().hex());
                for (String p : c.problems()) {
                    out.println("  " + p);
                }
            }
        }
        if (!report.ok()) {
            spec.commandLine().getErr().println("skiff: error: " + report.failures() + " channel(s) failed verification");
            return ExitStatus.of(ErrorCode.FILE_HASH_MISMATCH);
        }
        return 0;
    }
}
