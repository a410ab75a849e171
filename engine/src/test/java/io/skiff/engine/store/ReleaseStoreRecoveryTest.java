package io.skiff.engine.store;

import io.skiff.engine.manifest.ManifestBuilder;
import io.skiff.engine.testing.TestTrees;
import io.skiff.protocol.ChunkingParams;
import io.skiff.protocol.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a receiver finds on startup after a crash mid-activation, on real files. */
class ReleaseStoreRecoveryTest {
    @TempDir
    Path tmp;

    private Manifest activate(ReleaseStore store, String version, long seed) throws IOException {
        Path src = tmp.resolve("src-" + version);
        TestTrees.randomFile(src.resolve("a.bin"), 200_000, seed);
        Manifest m = ManifestBuilder.build(src, "ch", version, ChunkingParams.DEFAULT, 1);
        StagingRelease staging = StagingRelease.create(store, m);
        Files.copy(src.resolve("a.bin"), staging.dir().resolve("a.bin"), StandardCopyOption.REPLACE_EXISTING);
        staging.commit("test", false);
        return m;
    }

    private static List<String> activations(Path root) throws IOException {
        return Files.readAllLines(root.resolve("ch/activations.log")).stream().filter(l -> l.contains(" activated ")).toList();
    }

    @Test
    void shouldLogAnActivationTheCrashLeftUnloggedWhenTheReceiverStarts() throws IOException {
        Path root = tmp.resolve("root");
        ReleaseStore store = new ReleaseStore(root, 3);
        activate(store, "v1", 1);
        Manifest v2 = activate(store, "v2", 2);
        // the crash: current was switched to v2, its manifest not marked as the latest activation, the audit line never written
        Files.setLastModifiedTime(store.manifestFile("ch", v2.releaseId()), java.nio.file.attribute.FileTime.fromMillis(1_000_000));
        assertFalse(store.releases("ch").get(0).equals(v2.releaseId()));
        Path log = root.resolve("ch/activations.log");
        List<String> lines = Files.readAllLines(log);
        Files.write(log, lines.subList(0, lines.size() - 1));
        assertFalse(activations(root).get(activations(root).size() - 1).contains(v2.releaseId().hex()));

        new ReleaseStore(root, 3);

        List<String> after = activations(root);
        String last = after.get(after.size() - 1);
        assertTrue(last.contains(" activated release=" + v2.releaseId().hex() + " version=v2 files=1 bytes=200000 "), last);
        assertTrue(last.endsWith("peer=unknown recorded-at=startup"), last);
        assertEquals(v2.releaseId(), store.releases("ch").get(0), "the recovered activation is the latest");

        new ReleaseStore(root, 3);
        assertEquals(after, activations(root), "nothing more to record on the next start");
    }

    @Test
    void shouldLogNothingWhenTheAuditTrailNamesCurrent() throws IOException {
        Path root = tmp.resolve("root");
        ReleaseStore store = new ReleaseStore(root, 3);
        activate(store, "v1", 1);
        activate(store, "v2", 2);
        List<String> before = Files.readAllLines(root.resolve("ch/activations.log"));

        new ReleaseStore(root, 3);

        assertEquals(before, Files.readAllLines(root.resolve("ch/activations.log")));
    }

    @Test
    void shouldRemoveAReleaseHalfPrunedByACrashAndKeepTheOthers() throws IOException {
        Path root = tmp.resolve("root");
        ReleaseStore store = new ReleaseStore(root, 3);
        Manifest v1 = activate(store, "v1", 1);
        Manifest v2 = activate(store, "v2", 2);
        // the crash: pruning v1 deleted its manifest, not yet its directory
        Files.delete(store.manifestFile("ch", v1.releaseId()));

        ReleaseStore restarted = new ReleaseStore(root, 3);

        assertFalse(Files.exists(restarted.releaseDir("ch", v1.releaseId())));
        assertEquals(List.of(v2.releaseId()), restarted.releases("ch"));
        assertEquals(java.util.Optional.of(v2.releaseId()), restarted.current("ch"));
        assertTrue(Files.isRegularFile(restarted.releaseDir("ch", v2.releaseId()).resolve("a.bin")));
        assertTrue(Files.readString(root.resolve("ch/activations.log")).contains("pruned release=" + v1.releaseId().hex() + " recorded-at=startup"));
    }
}
