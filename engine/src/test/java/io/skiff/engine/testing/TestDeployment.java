package io.skiff.engine.testing;

import io.skiff.engine.Skiff;
import io.skiff.engine.api.TlsFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A deployment made for a test in {@code dir}: a CA ({@code ca/}), the receiver identity {@code rx1} and the
 * pipeline identity {@code pipeline-eu}, and a receiver config file {@code receiver.toml} granting pipeline-eu
 * push on every channel, then whatever tables a test adds (paths in them are relative to {@code dir}).
 */
public record TestDeployment(Path dir, Path config) {
    private static final String GRANT = """
            [[grant]]
            identity = "pipeline-eu"
            channels = ["*"]
            actions  = ["push"]

            """;

    public static TestDeployment withConfig(Path dir, String moreToml) throws IOException {
        Skiff.initKeys(dir.resolve("ca"));
        Skiff.issueKeys(dir.resolve("ca"), "rx1", dir.resolve("rx1"));
        Skiff.issueKeys(dir.resolve("ca"), "pipeline-eu", dir.resolve("pipeline-eu"));
        return new TestDeployment(dir, Files.writeString(dir.resolve("receiver.toml"), GRANT + moreToml));
    }

    /** The receiver's key files. */
    public TlsFiles receiverTls() {
        return TlsFiles.inDir(dir.resolve("rx1"));
    }

    /** The pipeline's key files, for a push. */
    public TlsFiles senderTls() {
        return TlsFiles.inDir(dir.resolve("pipeline-eu"));
    }
}
