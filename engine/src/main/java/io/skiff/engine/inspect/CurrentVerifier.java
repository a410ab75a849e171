package io.skiff.engine.inspect;

import io.skiff.engine.api.VerifyReport;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.engine.store.ReleaseVerifier;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.UsageException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Re-hashes the current release of each channel of a receiver root (or of one) against its manifest. */
public final class CurrentVerifier {
    private CurrentVerifier() {
    }

    /**
     * @param channel only this channel; null for all. A channel without a current release is skipped.
     * @throws UsageException when {@code root} is not a directory, or {@code channel} is not under it
     */
    public static VerifyReport verify(Path root, String channel) {
        ReleaseStore store = ReleaseStore.inspect(root);
        if (channel != null && !Files.isDirectory(store.channelDir(channel))) {
            throw new UsageException("no channel " + channel + " under " + store.root());
        }
        List<VerifyReport.Channel> rows = new ArrayList<>();
        for (String c : channel == null ? store.channels() : List.of(channel)) {
            Optional<Sha256> current = store.current(c);
            if (current.isEmpty()) {
                continue;
            }
            Sha256 id = current.get();
            Optional<Manifest> manifest = store.loadManifest(c, id);
            List<String> problems = manifest.map(m -> ReleaseVerifier.problems(store.releaseDir(c, id), m))
                    .orElse(List.of("manifest missing for release " + id.hex()));
            rows.add(new VerifyReport.Channel(c, id, manifest.map(Manifest::version).orElse(null), problems));
        }
        return new VerifyReport(rows);
    }
}
