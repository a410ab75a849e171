package io.skiff.cli;

import io.skiff.engine.Skiff;
import io.skiff.engine.api.ReleaseDiffSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code skiff diff}: what a push of NEW_DIR to a receiver holding OLD_DIR would send, without a receiver. */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = {"Show what a push of NEW_DIR would send to a receiver that holds OLD_DIR: files added, removed",
                "and changed, chunks to send, and the estimated bytes on the wire: each chunk encoded as the sender",
                "would with OLD_DIR in its history (zstd against the OLD_DIR bytes it replaces), plus framing and the",
                "manifest compressed against OLD_DIR's."})
final class DiffCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "OLD_DIR", description = "The release a receiver already holds.")
    Path oldDir;

    @Parameters(index = "1", paramLabel = "NEW_DIR", description = "The release to push.")
    Path newDir;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Option(names = "--files", description = "List every added, removed and changed file.")
    boolean listFiles;

    @Override
    public Integer call() {
        ReleaseDiffSummary diff = Skiff.diff(oldDir, newDir);
        long wire = diff.bytesWireEstimate();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonOut j = new JsonOut().beginObject()
                    .field("files_added", diff.added().size())
                    .field("files_removed", diff.removed().size())
                    .field("files_changed", diff.changed().size())
                    .field("files_unchanged", diff.unchanged())
                    .field("chunks_total", diff.chunksTotal())
                    .field("chunks_sent", diff.chunksToSend())
                    .field("bytes_logical", diff.bytesLogical())
                    .field("bytes_chunks_sent", diff.bytesChunksToSend())
                    .field("bytes_wire_estimate", wire);
            if (listFiles) {
                list(j, "added", diff.added());
                list(j, "removed", diff.removed());
                list(j, "changed", diff.changed());
            }
            out.println(j.endObject());
            return 0;
        }
        out.printf(Locale.ROOT, "files      %d added, %d removed, %d changed, %d unchanged%n", diff.added().size(),
                diff.removed().size(), diff.changed().size(), diff.unchanged());
        out.printf(Locale.ROOT, "chunks     %d of %d to send (%s of %s)%n", diff.chunksToSend(), diff.chunksTotal(),
                HumanFormat.bytes(diff.bytesChunksToSend()), HumanFormat.bytes(diff.bytesLogical()));
        out.printf(Locale.ROOT, "wire       ~%s (chunks compressed against OLD_DIR's bytes, as a push from a sender whose history "
                + "holds OLD_DIR; framing and manifest included)%n", HumanFormat.bytes(wire));
        if (listFiles) {
            diff.added().forEach(p -> out.println("  + " + p));
            diff.removed().forEach(p -> out.println("  - " + p));
            diff.changed().forEach(p -> out.println("  ~ " + p));
        }
        return 0;
    }

    private static void list(JsonOut j, String name, List<String> paths) {
        j.name(name).beginArray();
        paths.forEach(j::value);
        j.endArray();
    }
}
