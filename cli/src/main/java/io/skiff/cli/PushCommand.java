package io.skiff.cli;

import io.skiff.engine.Skiff;
import io.skiff.engine.manifest.ManifestFiles;
import io.skiff.engine.report.JsonWriter;
import io.skiff.engine.transfer.PushOptions;
import io.skiff.engine.transfer.PushResult;
import io.skiff.engine.transfer.TargetResult;
import io.skiff.engine.transport.HostPort;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.SkiffException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code skiff push}: pushes a release directory to one or more receivers. */
@Command(name = "push",
        description = {"Push a release directory to receivers; exit 0 only if every target activated it.",
                "Only chunks a target lacks cross the wire, zstd-compressed when that makes them smaller.",
                "Pushing a release a target already has is cheap, so re-running a push is safe."})
final class PushCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    // No mixinStandardHelpOptions: its --version would clash with the release's --version.
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Parameters(index = "0", paramLabel = "SRC_DIR", description = "Directory holding the release.")
    Path source;

    @Option(names = "--channel", required = true, paramLabel = "NAME", description = "Channel, e.g. icd10cm.")
    String channel;

    @Option(names = "--version", required = true, paramLabel = "V", description = "Release version label, e.g. 2027-01.")
    String version;

    @Option(names = "--to", required = true, split = ",", paramLabel = "HOST:PORT", description = "Target receiver(s), comma-separated.")
    List<String> targets;

    @Option(names = "--json", description = "Print one JSON object with the result on stdout.")
    boolean json;

    @Option(names = "--zstd-level", defaultValue = "" + PushOptions.DEFAULT_ZSTD_LEVEL, paramLabel = "N", description = "zstd level for chunks, 0 = no compression (default: ${DEFAULT-VALUE}).")
    int zstdLevel;

    @Option(names = "--idle-timeout", defaultValue = "120", paramLabel = "SECONDS", description = "Fail a target silent for this long (default: ${DEFAULT-VALUE}).")
    long idleTimeoutSeconds;

    @Option(names = "--no-progress", description = "Do not draw the progress line on stderr.")
    boolean noProgress;

    @Option(names = "--manifest", paramLabel = "FILE", description = "Use a manifest saved by 'skiff manifest --out' instead of "
            + "chunking and hashing SRC_DIR again (its channel and version must match).")
    Path manifestFile;

    @Override
    public Integer call() {
        List<HostPort> hostPorts = new ArrayList<>();
        for (String t : targets) {
            hostPorts.add(HostPort.parse(t));
        }
        if (zstdLevel < 0 || zstdLevel > 19) {
            throw new SkiffException(ErrorCode.USAGE, "--zstd-level must be 0..19, got " + zstdLevel);
        }
        PushOptions options = PushOptions.defaults().withZstdLevel(zstdLevel).withIdleTimeout(Duration.ofSeconds(idleTimeoutSeconds));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PushResult result;
        try (ProgressDisplay progress = new ProgressDisplay(err, !noProgress && System.console() != null, hostPorts.size())) {
            if (manifestFile == null) {
                result = Skiff.push(source, channel, version, hostPorts, options, progress);
            } else {
                Manifest manifest = ManifestFiles.readFor(manifestFile, source);
                if (!manifest.channel().equals(channel) || !manifest.version().equals(version)) {
                    throw new SkiffException(ErrorCode.USAGE, "manifest " + manifestFile + " is " + manifest.channel() + " "
                            + manifest.version() + ", not " + channel + " " + version);
                }
                result = Skiff.push(source, manifest, hostPorts, options, progress);
            }
        }
        if (json) {
            out.println(toJson(result));
        } else {
            printHuman(out, result);
        }
        for (TargetResult t : result.targets()) {
            if (!t.activated()) {
                if (json) {
                    err.println("skiff: error: " + t.target() + ": " + t.error());
                }
                return t.code().exitCode();
            }
        }
        return 0;
    }

    static String toJson(PushResult r) {
        JsonWriter j = new JsonWriter().beginObject()
                .field("release_id", r.manifest().releaseId().hex())
                .field("channel", r.manifest().channel())
                .field("version", r.manifest().version())
                .field("files", r.manifest().fileCount())
                .field("chunks_total", r.manifest().chunks().count())
                .field("bytes_logical", r.bytesLogical())
                .field("bytes_wire", r.bytesWire())
                .field("seconds", r.seconds())
                .field("manifest_seconds", r.manifestSeconds())
                .field("all_activated", r.allActivated());
        j.name("targets").beginArray();
        for (TargetResult t : r.targets()) {
            j.beginObject()
                    .field("target", t.target())
                    .field("status", t.status())
                    .field("already_active", t.alreadyActive())
                    .field("bytes_wire", t.bytesWire())
                    .field("seconds", t.seconds())
                    .field("chunks_total", t.chunksTotal())
                    .field("chunks_sent", t.chunksSent())
                    .field("chunks_copied_locally", t.chunksCopiedLocally())
                    .field("error_code", t.code() == null ? null : t.code().label())
                    .field("error", t.error())
                    .endObject();
        }
        return j.endArray().endObject().toString();
    }

    private static void printHuman(PrintWriter out, PushResult r) {
        out.printf(Locale.ROOT, "release %s  %s %s  (%d files, %s, %d chunks; manifest in %s)%n",
                r.manifest().releaseId().shortHex(), r.manifest().channel(), r.manifest().version(), r.manifest().fileCount(),
                HumanFormat.bytes(r.bytesLogical()), r.manifest().chunks().count(), HumanFormat.seconds(r.manifestSeconds()));
        out.printf(Locale.ROOT, "%-24s %-10s %12s %10s %14s  %s%n", "TARGET", "STATUS", "WIRE", "SECONDS", "CHUNKS SENT", "NOTE");
        int activated = 0;
        for (TargetResult t : r.targets()) {
            if (t.activated()) {
                activated++;
            }
            String note = t.activated() ? (t.alreadyActive() ? "already current" : "") : t.code().label() + ": " + t.error();
            out.printf(Locale.ROOT, "%-24s %-10s %12s %10.2f %14s  %s%n", t.target(), t.status(), HumanFormat.bytes(t.bytesWire()),
                    t.seconds(), t.chunksSent() + "/" + t.chunksTotal(), note);
        }
        out.printf(Locale.ROOT, "%d of %d targets activated; %s on the wire for %s of release in %s%n", activated, r.targets().size(),
                HumanFormat.bytes(r.bytesWire()), HumanFormat.bytes(r.bytesLogical()), HumanFormat.seconds(r.seconds()));
    }
}
