package io.skiff.engine.inspect;

import io.skiff.engine.api.GcReport;
import io.skiff.engine.api.StatusReport;
import io.skiff.engine.api.VerifyReport;
import io.skiff.engine.store.TenantStores;
import io.skiff.engine.testing.ReceiverRoots;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.UsageException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** status, verify and gc over a root holding untenanted channels and two tenants' (one channel name in all three). */
class TenantInspectTest {
    @TempDir
    Path tmp;
    private Path root;
    private Manifest plain;
    private Manifest acme;
    private Manifest acmePartial;
    private Manifest beta;
    private Manifest plainPartial;

    @BeforeEach
    void root() {
        root = tmp.resolve("root");
        TenantStores stores = new TenantStores(root, 3);
        plain = ReceiverRoots.activate(stores.untenanted(), ReceiverRoots.tree(tmp.resolve("p1"), 100_000, 1), "icd10cm", "2024");
        plainPartial = ReceiverRoots.stage(stores.untenanted(), ReceiverRoots.tree(tmp.resolve("p2"), 50_000, 2), "icd10cm", "2025");
        acme = ReceiverRoots.activate(stores.forTenant("acme"), ReceiverRoots.tree(tmp.resolve("a1"), 100_000, 3), "icd10cm", "a1");
        acmePartial = ReceiverRoots.stage(stores.forTenant("acme"), ReceiverRoots.tree(tmp.resolve("a2"), 70_000, 4), "snomed", "s1");
        beta = ReceiverRoots.activate(stores.forTenant("beta"), ReceiverRoots.tree(tmp.resolve("b1"), 100_000, 5), "icd10cm", "b1");
    }

    @Test
    void shouldShowUntenantedChannelsThenEachTenantsInStatus() {
        StatusReport report = RootStatus.read(root, null, Instant.now());

        assertEquals(root.toAbsolutePath(), report.root());
        assertEquals(List.of("icd10cm", "acme/icd10cm", "acme/snomed", "beta/icd10cm"),
                report.channels().stream().map(StatusReport.Channel::qualifiedName).toList());
        StatusReport.Channel untenanted = report.channels().get(0);
        assertNull(untenanted.tenant());
        assertEquals(plain.releaseId(), untenanted.current().releaseId());
        assertEquals(plainPartial.releaseId(), untenanted.staging().get(0).releaseId());
        StatusReport.Channel acmeIcd = report.channels().get(1);
        assertEquals("acme", acmeIcd.tenant());
        assertEquals("icd10cm", acmeIcd.channel());
        assertEquals("a1", acmeIcd.current().version());
        assertEquals(List.of(), acmeIcd.staging());
        StatusReport.Channel acmeSnomed = report.channels().get(2);
        assertNull(acmeSnomed.current());
        assertEquals(acmePartial.releaseId(), acmeSnomed.staging().get(0).releaseId());
        assertEquals(70_000, acmeSnomed.staging().get(0).bytesMissing());
        assertEquals(beta.releaseId(), report.channels().get(3).current().releaseId());

        StatusReport onlyAcme = RootStatus.read(root, "acme", Instant.now());
        assertEquals(List.of("acme/icd10cm", "acme/snomed"), onlyAcme.channels().stream().map(StatusReport.Channel::qualifiedName).toList());
        assertEquals(root.toAbsolutePath(), onlyAcme.root());
        UsageException e = assertThrows(UsageException.class, () -> RootStatus.read(root, "gamma", Instant.now()));
        assertTrue(e.getMessage().contains("no tenant gamma"), e.getMessage());
        assertThrows(UsageException.class, () -> RootStatus.read(root, "icd10cm", Instant.now()), "a channel is no tenant");
    }

    @Test
    void shouldVerifyEveryTenantsCurrentReleaseAndNameTheTenantOfAFailure() throws IOException {
        VerifyReport all = CurrentVerifier.verify(root, null, null);
        assertTrue(all.ok(), all.toString());
        assertEquals(List.of("icd10cm", "acme/icd10cm", "beta/icd10cm"), all.channels().stream().map(VerifyReport.Channel::qualifiedName).toList());

        Path victim = root.resolve("acme/icd10cm/current/a.bin");
        byte[] bytes = Files.readAllBytes(victim);
        bytes[10] ^= 1;
        Files.write(victim, bytes);

        VerifyReport after = CurrentVerifier.verify(root, null, null);
        assertEquals(1, after.failures());
        VerifyReport.Channel failed = after.channels().stream().filter(c -> !c.ok()).findFirst().orElseThrow();
        assertEquals("acme", failed.tenant());
        assertEquals(acme.releaseId(), failed.releaseId());
        assertTrue(failed.problems().get(0).contains("a.bin"), failed.problems().toString());

        VerifyReport one = CurrentVerifier.verify(root, null, "acme/icd10cm");
        assertEquals(List.of("acme/icd10cm"), one.channels().stream().map(VerifyReport.Channel::qualifiedName).toList());
        assertFalse(one.ok());
        assertEquals(one, CurrentVerifier.verify(root, "acme", "icd10cm"));
        assertEquals(one, CurrentVerifier.verify(root, "acme", "acme/icd10cm"));
        VerifyReport untenanted = CurrentVerifier.verify(root, null, "icd10cm");
        assertEquals(List.of("icd10cm"), untenanted.channels().stream().map(VerifyReport.Channel::qualifiedName).toList());
        assertTrue(untenanted.ok());
        assertEquals(List.of("beta/icd10cm"), CurrentVerifier.verify(root, "beta", null).channels().stream()
                .map(VerifyReport.Channel::qualifiedName).toList());

        assertTrue(assertThrows(UsageException.class, () -> CurrentVerifier.verify(root, null, "acme/nope")).getMessage()
                .contains("no channel acme/nope"));
        assertThrows(UsageException.class, () -> CurrentVerifier.verify(root, "beta", "acme/icd10cm"));
        assertThrows(UsageException.class, () -> CurrentVerifier.verify(root, null, "gamma/icd10cm"));
    }

    @Test
    void shouldCollectOneTenantsAbandonedTransfersOrAll() {
        Instant now = Instant.now();
        GcReport dry = AbandonedTransfers.collect(root, null, Duration.ZERO, true, now);
        assertEquals(List.of("icd10cm", "acme/snomed"), dry.removed().stream().map(GcReport.Transfer::qualifiedName).toList());
        assertEquals(root.toAbsolutePath(), dry.root());

        GcReport acmeOnly = AbandonedTransfers.collect(root, "acme", Duration.ZERO, false, now);

        assertEquals(1, acmeOnly.removed().size(), acmeOnly.toString());
        GcReport.Transfer t = acmeOnly.removed().get(0);
        assertEquals("acme", t.tenant());
        assertEquals("snomed", t.channel());
        String id = acmePartial.releaseId().hex();
        assertEquals(List.of(Path.of("acme/snomed/staging", id), Path.of("acme/snomed/manifests", id + ".manifest")), t.paths());
        assertFalse(Files.exists(root.resolve("acme/snomed/staging").resolve(id)));
        assertTrue(Files.isDirectory(root.resolve("icd10cm/staging").resolve(plainPartial.releaseId().hex())), "another tenant's: kept");
        assertTrue(Files.isDirectory(root.resolve("acme/icd10cm/current/")), "releases are never touched");

        GcReport rest = AbandonedTransfers.collect(root, null, Duration.ZERO, false, now);
        assertEquals(List.of("icd10cm"), rest.removed().stream().map(GcReport.Transfer::qualifiedName).toList());
        assertNull(rest.removed().get(0).tenant());
        assertEquals(Path.of("icd10cm/staging", plainPartial.releaseId().hex()), rest.removed().get(0).paths().get(0));
        assertTrue(CurrentVerifier.verify(root, null, null).ok());
    }
}
