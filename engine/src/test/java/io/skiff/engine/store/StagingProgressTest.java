package io.skiff.engine.store;

import io.skiff.engine.manifest.ManifestBuilder;
import io.skiff.engine.testing.TestTrees;
import io.skiff.protocol.ChunkTable;
import io.skiff.protocol.ChunkingParams;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.Sha256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Progress of staging transfers from manifest and journal; garbage collection of abandoned ones. Real files. */
class StagingProgressTest {
    @TempDir
    Path tmp;

    /** Two identical files (every chunk of b.bin shares its hash with a.bin's) and a different one. */
    private Manifest manifest(String version) throws IOException {
        Path src = tmp.resolve("src-" + version);
        TestTrees.randomFile(src.resolve("a.bin"), 300_000, 1);
        Files.createDirectories(src.resolve("copy"));
        Files.copy(src.resolve("a.bin"), src.resolve("copy/b.bin"));
        TestTrees.randomFile(src.resolve("c.bin"), 200_000, version.hashCode());
        return ManifestBuilder.build(src, "ch", version, ChunkingParams.DEFAULT, 2, 0);
    }

    private static void journal(ReleaseStore store, Manifest m, int... ordinals) throws IOException {
        try (TransferJournal j = TransferJournal.open(TransferJournal.fileFor(store, m.channel(), m.releaseId()), m.releaseId(), m.chunks().count())) {
            j.append(ordinals, ordinals.length);
        }
    }

    private static void age(Path tree, Duration by) throws IOException {
        FileTime past = FileTime.from(Instant.now().minus(by));
        try (Stream<Path> walk = Files.walk(tree)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Files.setLastModifiedTime(p, past);
            }
        }
    }

    @Test
    void shouldCountEveryOrdinalSharingAJournaledHash() throws IOException {
        ReleaseStore store = new ReleaseStore(tmp.resolve("root"), 3);
        Manifest m = manifest("v1");
        StagingRelease.create(store, m).close();
        ChunkTable chunks = m.chunks();
        int firstOfA = 0; // a.bin sorts first; copy/b.bin repeats its chunks
        int sameHash = -1;
        for (int o = 1; o < chunks.count(); o++) {
            if (chunks.hash(o).equals(chunks.hash(firstOfA))) {
                sameHash = o;
            }
        }
        assertTrue(sameHash > 0, "b.bin repeats a.bin's first chunk");

        journal(store, m, firstOfA);
        StagingProgress p = StagingProgress.of(store, "ch", m.releaseId());

        assertEquals("v1", p.version());
        assertEquals(m.totalBytes(), p.bytesTotal());
        assertEquals(2L * chunks.length(firstOfA), p.bytesDone());
        assertEquals(2, p.chunksDone());
        assertEquals(m.totalBytes() - p.bytesDone(), p.bytesMissing());
        assertEquals(100.0 * p.bytesDone() / m.totalBytes(), p.percentDone(), 1e-9);
        assertTrue(p.age(Instant.now()).compareTo(Duration.ofMinutes(1)) < 0, p.toString());

        int[] all = new int[chunks.count()];
        for (int o = 0; o < all.length; o++) {
            all[o] = o;
        }
        journal(store, m, all);
        assertEquals(100.0, StagingProgress.of(store, "ch", m.releaseId()).percentDone(), 1e-9);
    }

    @Test
    void shouldReportNothingDoneWithoutAJournalAndUnknownProgressWithoutAManifest() throws IOException {
        ReleaseStore store = new ReleaseStore(tmp.resolve("root"), 3);
        Manifest m = manifest("v1");
        StagingRelease.create(store, m).close();
        StagingProgress p = StagingProgress.of(store, "ch", m.releaseId());
        assertEquals(0, p.bytesDone());
        assertEquals(0.0, p.percentDone());

        Files.delete(store.manifestFile("ch", m.releaseId()));
        StagingProgress unknown = StagingProgress.of(store, "ch", m.releaseId());
        assertFalse(unknown.manifestKnown());
        assertNull(unknown.version());
        assertEquals(-1, unknown.bytesMissing());
    }

    @Test
    void shouldTakeTheNewestModificationOfTreeAndJournalAsLastModified() throws IOException {
        ReleaseStore store = new ReleaseStore(tmp.resolve("root"), 3);
        Manifest m = manifest("v1");
        StagingRelease.create(store, m).close();
        journal(store, m, 0);
        Path journal = TransferJournal.fileFor(store, "ch", m.releaseId());
        age(store.stagingDir("ch", m.releaseId()), Duration.ofDays(3));
        Files.setLastModifiedTime(journal, FileTime.from(Instant.now().minus(Duration.ofHours(2))));

        Duration age = StagingProgress.of(store, "ch", m.releaseId()).age(Instant.now());
        assertTrue(age.compareTo(Duration.ofHours(2)) >= 0 && age.compareTo(Duration.ofHours(3)) < 0, age.toString());

        Files.setLastModifiedTime(store.stagingDir("ch", m.releaseId()).resolve("copy/b.bin"), FileTime.from(Instant.now()));
        assertTrue(StagingProgress.of(store, "ch", m.releaseId()).age(Instant.now()).compareTo(Duration.ofMinutes(1)) < 0);
    }

    @Test
    void shouldCollectOnlyAbandonedStagingAndKeepManifestsOfActivatedReleases() throws IOException {
        ReleaseStore store = new ReleaseStore(tmp.resolve("root"), 3);
        Manifest v1 = manifest("v1");
        StagingRelease s1 = StagingRelease.create(store, v1);
        for (String file : List.of("a.bin", "copy/b.bin", "c.bin")) {
            Files.copy(tmp.resolve("src-v1").resolve(file), s1.dir().resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        s1.commit("test", false);                             // v1 activated; pretend the crash kept its journal:
        Files.write(TransferJournal.fileFor(store, "ch", v1.releaseId()), new byte[]{1, 2, 3});
        Manifest v2 = manifest("v2");
        StagingRelease.create(store, v2).close();             // abandoned
        journal(store, v2, 0, 1);
        Manifest v3 = manifest("v3");
        StagingRelease.create(store, v3).close();             // active
        Path staging = store.channelDir("ch").resolve("staging");
        age(staging, Duration.ofDays(2));
        age(store.stagingDir("ch", v3.releaseId()), Duration.ofSeconds(0));

        List<StagingCollector.Candidate> found = StagingCollector.scan(store);
        assertEquals(3, found.size(), found.toString());
        Instant now = Instant.now();
        Duration day = Duration.ofDays(1);
        for (StagingCollector.Candidate c : found) {
            boolean removed = c.olderThan(day, now) && StagingCollector.remove(store, c, day, now);
            assertEquals(!c.releaseId().equals(v3.releaseId()), removed, c.toString());
            if (c.releaseId().equals(v2.releaseId())) {
                assertEquals("v2", c.version());
                assertTrue(c.paths().contains(store.manifestFile("ch", v2.releaseId())), c.paths().toString());
                assertTrue(c.bytes() >= v2.totalBytes(), c.bytes() + " < " + v2.totalBytes());
            }
            if (c.releaseId().equals(v1.releaseId())) {
                assertEquals(List.of(TransferJournal.fileFor(store, "ch", v1.releaseId())), c.paths());
            }
        }

        assertFalse(Files.exists(store.stagingDir("ch", v2.releaseId())));
        assertFalse(Files.exists(TransferJournal.fileFor(store, "ch", v2.releaseId())));
        assertFalse(Files.exists(store.manifestFile("ch", v2.releaseId())));
        assertFalse(Files.exists(TransferJournal.fileFor(store, "ch", v1.releaseId())));
        assertTrue(Files.exists(store.manifestFile("ch", v1.releaseId())));
        assertEquals(v1.releaseId(), store.current("ch").orElseThrow());
        assertEquals(List.of(), ReleaseVerifier.problems(store.releaseDir("ch", v1.releaseId()), v1));
        assertTrue(Files.isDirectory(store.stagingDir("ch", v3.releaseId())));
        assertTrue(Files.exists(store.manifestFile("ch", v3.releaseId())));
        assertEquals(List.of(v3.releaseId()), store.staging("ch"));
    }

    @Test
    void shouldKeepATransferThatWasTouchedAfterTheScan() throws IOException {
        ReleaseStore store = new ReleaseStore(tmp.resolve("root"), 3);
        Manifest m = manifest("v1");
        StagingRelease.create(store, m).close();
        age(store.channelDir("ch").resolve("staging"), Duration.ofDays(2));
        Instant scanned = Instant.now();
        StagingCollector.Candidate c = StagingCollector.scan(store).get(0);
        assertTrue(c.olderThan(Duration.ofDays(1), scanned));

        journal(store, m, 0); // the transfer resumes between scan and removal
        Files.setLastModifiedTime(TransferJournal.fileFor(store, "ch", m.releaseId()), FileTime.from(scanned.plusSeconds(1)));

        assertFalse(StagingCollector.remove(store, c, Duration.ZERO, scanned));
        assertTrue(Files.isDirectory(store.stagingDir("ch", m.releaseId())));
        Sha256 id = m.releaseId();
        assertTrue(Files.exists(store.manifestFile("ch", id)));
    }
}
