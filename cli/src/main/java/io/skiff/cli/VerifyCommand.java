package io.skiff.cli;

import io.skiff.engine.report.JsonWriter;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.engine.store.ReleaseVerifier;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SkiffException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code skiff verify}: re-hash active releases against their manifests. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Re-hash the current release of each channel (or one) against its manifest.",
                "Exit 0 if every file matches; 12 naming each mismatching, missing or unexpected file otherwise."})
final class VerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--root", required = true, paramLabel = "DIR", description = "Receiver root directory.")
    Path root;

    @Option(names = "--channel", paramLabel = "NAME", description = "Only this channel.")
    String channel;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        ReleaseStore store = ReleaseStore.inspect(root);
        List<String> channels = channel == null ? store.channels() : List.of(channel);
        if (channel != null && !Files.isDirectory(store.channelDir(channel))) {
            throw new SkiffException(ErrorCode.USAGE, "no channel " + channel + " under " + store.root());
        }
        PrintWriter out = spec.commandLine().getOut();
        JsonWriter j = new JsonWriter().beginObject().name("channels").beginArray();
        int failures = 0;
        for (String c : channels) {
            Optional<Sha256> current = store.current(c);
            if (current.isEmpty()) {
                continue;
            }
            Sha256 id = current.get();
            Optional<Manifest> manifest = store.loadManifest(c, id);
            List<String> problems = manifest.map(m -> ReleaseVerifier.problems(store.releaseDir(c, id), m))
                    .orElse(List.of("manifest missing for release " + id.hex()));
            failures += problems.isEmpty() ? 0 : 1;
            j.beginObject().field("channel", c).field("release_id", id.hex())
                    .field("version", manifest.map(Manifest::version).orElse(null))
                    .field("ok", problems.isEmpty()).name("problems").beginArray();
            problems.forEach(j::value);
            j.endArray().endObject();
            if (!json) {
                out.printf(Locale.ROOT, "%-6s %s %s  %s%n", problems.isEmpty() ? "ok" : "FAILED", c,
                        manifest.map(Manifest::version).orElse("?"), id.hex());
                for (String p : problems) {
                    out.println("  " + p);
                }
            }
        }
        j.endArray().field("ok", failures == 0).endObject();
        if (json) {
            out.println(j);
        }
        if (failures > 0) {
            spec.commandLine().getErr().println("skiff: error: " + failures + " channel(s) failed verification");
            return ErrorCode.FILE_HASH_MISMATCH.exitCode();
        }
        return 0;
    }
}
