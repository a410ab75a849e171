package io.skiff.bench.e2e;

import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code --saved-manifest}: the manifest of a release built with {@code skiff manifest --out} before the
 * timed push, untimed, as a pipeline pushing one release to many targets would; the push then sends it.
 */
final class SavedManifest {
    private SavedManifest() {
    }

    /**
     * Runs {@code skiff manifest} for {@code source} into {@code file}, its output logged under {@code logBase}.
     *
     * @return {@code file}
     * @throws RunFailedException when skiff manifest exits non-zero (its stderr in the message)
     */
    static Path build(ProcessMeter meter, SkiffCommand skiff, Path source, String channel, String version, Path file, Path logBase)
            throws IOException, InterruptedException, RunFailedException {
        ProcessMeter.MeteredRun built = meter.run(skiff.manifest(source, channel, version, file), logBase);
        if (built.exitCode() != 0) {
            throw new RunFailedException("skiff manifest " + source + " exited with " + built.exitCode() + ":\n" + built.stderr().strip());
        }
        return file;
    }
}
