package io.skiff.cli;

import io.skiff.engine.Skiff;
import io.skiff.engine.api.SignedManifest;
import io.skiff.engine.api.SigningOptions;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code skiff manifest}: chunk and hash a directory, print what its release would be; optionally save and sign it. */
@Command(name = "manifest",
        description = {"Build the manifest of a directory and print its summary (files, chunks, sizes, release id).",
                "With --out and --sign-key, also sign it where the keys live, for a push that runs elsewhere."})
final class ManifestCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    // No mixinStandardHelpOptions: its --version would clash with the release's --version.
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Parameters(index = "0", paramLabel = "SRC_DIR", description = "Directory holding the release.")
    Path source;

    @Option(names = "--channel", defaultValue = "local", paramLabel = "NAME", description = "Channel recorded in the manifest (default: ${DEFAULT-VALUE}).")
    String channel;

    @Option(names = "--version", defaultValue = "0", paramLabel = "V", description = "Version recorded in the manifest (default: ${DEFAULT-VALUE}).")
    String version;

    @Option(names = "--json", description = "Print the summary as JSON.")
    boolean json;

    @Option(names = "--entries", description = "With --json: include every entry and its chunks.")
    boolean entries;

    @Option(names = "--out", paramLabel = "FILE", description = {"Also save the canonical manifest, for 'skiff push --manifest FILE'.",
            "With --sign-key, the signed statement goes beside it as FILE.signed, which that push sends; without, an earlier "
                    + "FILE.signed is removed."})
    Path outFile;

    @Mixin
    SigningFlags signing;

    @Override
    public Integer call() {
        SigningOptions signingOptions = signing.options();
        if (signingOptions != null && outFile == null) {
            throw new UsageException("--sign-key needs --out FILE: the signed statement is saved beside it as FILE.signed");
        }
        long start = System.nanoTime();
        SignedManifest saved = Skiff.manifest(source, channel, version, signingOptions);
        Manifest m = saved.manifest();
        double seconds = (System.nanoTime() - start) / 1e9;
        Path signatureFile = saved.signed() == null ? null : Skiff.signatureFile(outFile);
        if (outFile != null) {
            Skiff.writeManifest(saved, outFile);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(ManifestJson.render(m, saved.signed(), signatureFile, entries));
            return 0;
        }
        out.printf(Locale.ROOT, "release id   %s%n", m.releaseId().hex());
        out.printf(Locale.ROOT, "channel      %s%nversion      %s%n", m.channel(), m.version());
        out.printf(Locale.ROOT, "files        %d (%d directories)%n", m.fileCount(), m.entries().size() - m.fileCount());
        out.printf(Locale.ROOT, "bytes        %d (%s)%n", m.totalBytes(), HumanFormat.bytes(m.totalBytes()));
        out.printf(Locale.ROOT, "chunks       %d (%d unique, average %s)%n", m.chunks().count(), ManifestJson.uniqueChunks(m),
                HumanFormat.bytes(m.chunks().count() == 0 ? 0 : m.totalBytes() / m.chunks().count()));
        out.printf(Locale.ROOT, "manifest     %s%n", HumanFormat.bytes(m.canonicalLength()));
        out.printf(Locale.ROOT, "built in     %s (%s)%n", HumanFormat.seconds(seconds), HumanFormat.rate(m.totalBytes(), seconds));
        if (saved.signed() != null) {
            out.printf(Locale.ROOT, "signed by    %s%n", String.join(", ", ManifestJson.keyIds(saved.signed())));
            out.printf(Locale.ROOT, "expires      %s%s%n", Instant.ofEpochMilli(saved.signed().statement().expiresAtMillis()),
                    saved.signed().statement().allowDowngrade() ? " (downgrade allowed)" : "");
            out.printf(Locale.ROOT, "signature    %s%n", signatureFile);
        }
        return 0;
    }
}
