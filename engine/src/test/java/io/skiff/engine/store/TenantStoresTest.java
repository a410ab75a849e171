package io.skiff.engine.store;

import io.skiff.engine.manifest.ManifestBuilder;
import io.skiff.engine.testing.TestTrees;
import io.skiff.protocol.ChunkingParams;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.StorageException;
import io.skiff.protocol.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A receiver root with tenants, on real files: {@code ROOT/<tenant>/<channel>} beside {@code ROOT/<channel>}. */
class TenantStoresTest {
    @TempDir
    Path tmp;

    private Manifest manifest(String channel, String version, int size, long seed) throws IOException {
        Path src = tmp.resolve("src-" + channel + "-" + version + "-" + seed);
        TestTrees.randomFile(src.resolve("a.bin"), size, seed);
        return ManifestBuilder.build(src, channel, version, ChunkingParams.DEFAULT, 1);
    }

    /** Stages, commits and activates a one-file release into {@code store}. */
    private Manifest activate(ReleaseStore store, String channel, String version, long seed) throws IOException {
        Manifest m = manifest(channel, version, 200_000, seed);
        StagingRelease staging = StagingRelease.create(store, m);
        Files.copy(tmp.resolve("src-" + channel + "-" + version + "-" + seed).resolve("a.bin"), staging.dir().resolve("a.bin"),
                StandardCopyOption.REPLACE_EXISTING);
        staging.commit("test", false);
        return m;
    }

    @Test
    void shouldCreateEachTenantsDirectoryOnFirstUseAndKeepItsStore() throws Exception {
        Path root = tmp.resolve("root");
        TenantStores stores = new TenantStores(root, 3);
        assertSame(stores.untenanted(), stores.forTenant(null));
        assertEquals(root.toAbsolutePath(), stores.untenanted().root());
        assertFalse(Files.exists(root.resolve("acme")));

        ReleaseStore acme = stores.forTenant("acme");

        assertTrue(Files.isDirectory(root.resolve("acme")));
        assertEquals(root.resolve("acme").toAbsolutePath(), acme.root());
        assertEquals(3, acme.retain());
        assertSame(acme, stores.forTenant("acme"));
        assertEquals(List.of(), stores.tenants(), "a tenant directory without channels is not listed yet");

        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            Set<ReleaseStore> seen = ConcurrentHashMap.newKeySet();
            List<Future<?>> calls = new java.util.ArrayList<>();
            for (int i = 0; i < 32; i++) {
                calls.add(pool.submit(() -> {
                    start.await();
                    return seen.add(stores.forTenant("beta"));
                }));
            }
            start.countDown();
            for (Future<?> f : calls) {
                f.get(10, TimeUnit.SECONDS);
            }
            assertEquals(1, seen.size(), "one store per tenant, whichever thread asked first");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldKeepTwoTenantsChannelsOfTheSameNameApart() throws IOException {
        Path root = tmp.resolve("root");
        TenantStores stores = new TenantStores(root, 3);
        Manifest plain = activate(stores.untenanted(), "icd10cm", "v0", 1);
        Manifest a = activate(stores.forTenant("acme"), "icd10cm", "v1", 2);
        Manifest b = activate(stores.forTenant("beta"), "icd10cm", "v7", 3);

        assertNotEquals(a.releaseId(), b.releaseId());
        assertEquals(Path.of("releases", plain.releaseId().hex()), Files.readSymbolicLink(root.resolve("icd10cm/current")));
        assertEquals(Path.of("releases", a.releaseId().hex()), Files.readSymbolicLink(root.resolve("acme/icd10cm/current")));
        assertEquals(Path.of("releases", b.releaseId().hex()), Files.readSymbolicLink(root.resolve("beta/icd10cm/current")));
        assertTrue(Files.readString(root.resolve("acme/icd10cm/activations.log")).contains("version=v1"));
        assertFalse(Files.readString(root.resolve("acme/icd10cm/activations.log")).contains("version=v7"));
        assertEquals(List.of(a.releaseId()), stores.forTenant("acme").releases("icd10cm"));
        assertEquals(List.of(b.releaseId()), stores.forTenant("beta").releases("icd10cm"));

        assertEquals(List.of("acme", "beta"), stores.tenants());
        assertEquals(List.of("icd10cm"), stores.untenanted().channels(), "tenant directories are not channels");
        assertEquals(List.of("icd10cm"), new ReleaseStore(root, 3).channels());
        assertEquals(List.of("icd10cm"), ReleaseStore.inspect(root).channels());
        assertTrue(TenantStores.isChannelDir(root.resolve("icd10cm")));
        assertFalse(TenantStores.isTenantDir(root.resolve("icd10cm")));
        assertTrue(TenantStores.isTenantDir(root.resolve("acme")));
        assertFalse(TenantStores.isChannelDir(root.resolve("acme")));
    }

    @Test
    void shouldIgnoreDirectoriesThatAreNeitherChannelNorTenant() throws IOException {
        Path root = tmp.resolve("root");
        Files.createDirectories(root.resolve("lost+found"));
        Files.createDirectories(root.resolve("scratch/notes"));
        TenantStores stores = new TenantStores(root, 3);

        assertEquals(List.of(), stores.untenanted().channels());
        assertEquals(List.of(), stores.tenants());
        assertTrue(Files.isDirectory(root.resolve("scratch/notes")), "left alone");
    }

    @Test
    void shouldCountATenantsReleasesStagingManifestsAndLogButNoOtherTenants() throws IOException {
        Path root = tmp.resolve("root");
        TenantStores stores = new TenantStores(root, 3);
        ReleaseStore acme = stores.forTenant("acme");
        assertEquals(0, stores.usedBytes("acme"));
        assertEquals(0, stores.usedBytes("nobody"), "no directory, nothing held");

        Manifest v1 = activate(acme, "icd10cm", "v1", 1);
        Manifest v2 = manifest("icd10cm", "v2", 300_000, 2);
        StagingRelease.create(acme, v2).close(); // a partial transfer: pre-sized, nothing written
        Manifest other = activate(acme, "snomed", "s1", 3);
        activate(stores.forTenant("beta"), "icd10cm", "v1", 4);
        activate(stores.untenanted(), "icd10cm", "v1", 5);

        Path ch = root.resolve("acme/icd10cm");
        long expected = 200_000 + 300_000 // release and staging files (apparent size)
                + Files.size(acme.manifestFile("icd10cm", v1.releaseId())) + Files.size(acme.manifestFile("icd10cm", v2.releaseId()))
                + Files.size(ch.resolve("activations.log"))
                + 200_000 + Files.size(acme.manifestFile("snomed", other.releaseId())) + Files.size(root.resolve("acme/snomed/activations.log"));
        assertEquals(300_000, Files.size(acme.stagingDir("icd10cm", v2.releaseId()).resolve("a.bin")));
        assertEquals(expected, stores.usedBytes("acme"), "each file once: current is a link, not followed");

        long beta = stores.usedBytes("beta");
        assertTrue(beta >= 200_000 && beta < 210_000, "beta holds its one release: " + beta);
        long untenanted = stores.usedBytes(null);
        assertTrue(untenanted >= 200_000 && untenanted < 210_000, "the untenanted channels, no tenant's: " + untenanted);
        TestTrees.randomFile(root.resolve("beta/icd10cm/staging/stray.bin"), 1_000, 6);
        assertEquals(expected, stores.usedBytes("acme"));
        assertEquals(beta + 1_000, stores.usedBytes("beta"));
    }

    @Test
    void shouldRefuseATenantNamedLikeAnUntenantedChannel() throws IOException {
        Path root = tmp.resolve("root");
        TenantStores stores = new TenantStores(root, 3);
        activate(stores.untenanted(), "icd10cm", "v1", 1);

        StorageException e = assertThrows(StorageException.class, () -> stores.forTenant("icd10cm"));

        assertEquals(root.toAbsolutePath().resolve("icd10cm") + " is channel icd10cm's directory, not tenant icd10cm's", e.getMessage());
        assertEquals(List.of("icd10cm"), stores.untenanted().channels(), "the channel is unchanged");
        assertThrows(StorageException.class, () -> new TenantStores(root, 3).forTenant("icd10cm"), "refused again, not cached");
    }

    @Test
    void shouldRefuseInvalidTenantNames() {
        TenantStores stores = new TenantStores(tmp.resolve("root"), 3);
        for (String bad : new String[]{"", ".", "..", "-acme", ".acme", "_acme", "a/b", "a b", "ac\u00e9me", "x".repeat(65), "a\\b"}) {
            assertThrows(UsageException.class, () -> stores.forTenant(bad), bad);
            assertThrows(UsageException.class, () -> stores.usedBytes(bad), bad);
        }
        assertEquals(tmp.resolve("root").toAbsolutePath().resolve("a".repeat(64)), stores.forTenant("a".repeat(64)).root());
        assertEquals(tmp.resolve("root").toAbsolutePath().resolve("Acme-2.eu_1"), stores.forTenant("Acme-2.eu_1").root());
    }

    @Test
    void shouldRefuseATenantsChannelNamedLikeAChannelsEntry() {
        ReleaseStore acme = new TenantStores(tmp.resolve("root"), 3).forTenant("acme");
        for (String reserved : new String[]{"current", "releases", "staging", "manifests", "activations.log"}) {
            assertThrows(ProtocolException.class, () -> acme.channelDir(reserved), reserved);
        }
        assertEquals(acme.root().resolve("icd10cm"), acme.channelDir("icd10cm"));
    }

    @Test
    void shouldRecoverEveryTenantsChannelsWhenTheReceiverStarts() throws IOException {
        Path root = tmp.resolve("root");
        TenantStores stores = new TenantStores(root, 3);
        ReleaseStore acme = stores.forTenant("acme");
        Manifest v1 = activate(acme, "ch", "v1", 1);
        Manifest v2 = activate(acme, "ch", "v2", 2);
        // a crash after the switch to v2, before its activation was logged; and one while pruning v1 (manifest gone)
        Path log = root.resolve("acme/ch/activations.log");
        List<String> lines = Files.readAllLines(log);
        Files.write(log, lines.subList(0, lines.size() - 1));
        Files.delete(acme.manifestFile("ch", v1.releaseId()));
        Files.createSymbolicLink(root.resolve("acme/ch/current.tmp"), Path.of("releases", v1.releaseId().hex()));

        TenantStores restarted = new TenantStores(root, 3);

        String last = Files.readAllLines(log).get(Files.readAllLines(log).size() - 1);
        assertTrue(Files.readString(log).contains(" activated release=" + v2.releaseId().hex() + " version=v2 files=1 bytes=200000 peer=unknown"
                + " recorded-at=startup"), Files.readString(log));
        assertTrue(last.contains("pruned release=" + v1.releaseId().hex() + " recorded-at=startup"), last);
        assertFalse(Files.exists(root.resolve("acme/ch/releases").resolve(v1.releaseId().hex())));
        assertFalse(Files.exists(root.resolve("acme/ch/current.tmp"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertEquals(Optional.of(v2.releaseId()), restarted.forTenant("acme").current("ch"));
        assertEquals(List.of(v2.releaseId()), restarted.forTenant("acme").releases("ch"));
    }
}
