package io.skiff.engine.security;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.skiff.engine.api.IssuedIdentity;
import io.skiff.protocol.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeploymentKeysTest {
    @TempDir
    Path tmp;

    @Test
    void shouldWriteACaAndAFirstNodeItSignedWhenInitRuns() throws Exception {
        Path dir = tmp.resolve("keys");
        IssuedIdentity id = DeploymentKeys.init(dir);

        assertEquals("skiff-node", id.identity());
        X509Certificate ca = PemFiles.readCertificate(dir.resolve("ca.pem"));
        X509Certificate node = PemFiles.readCertificate(dir.resolve("cert.pem"));
        ca.verify(ca.getPublicKey()); // self-signed
        node.verify(ca.getPublicKey());
        assertTrue(ca.getBasicConstraints() >= 0, "the CA may sign");
        assertEquals(-1, node.getBasicConstraints(), "a node may not sign certificates");
        assertEquals("CN=skiff-node", node.getSubjectX500Principal().getName());
        assertEquals(List.of(List.of(2, "skiff-node")), List.copyOf(node.getSubjectAlternativeNames().stream().map(List::copyOf).toList()));
        assertTrue(node.getExtendedKeyUsage().containsAll(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2")), "server and client auth");
        assertEquals(ca.getSubjectX500Principal(), node.getIssuerX500Principal());
        assertEquals(id.notAfter(), node.getNotAfter().toInstant());
        Duration validity = Duration.between(Instant.now(), id.notAfter());
        assertTrue(validity.toDays() >= 824 && validity.toDays() <= 825, validity.toString());
        assertEquals(Fingerprints.sha256(ca), id.caFingerprint());
        assertKeyBelongsTo(PemFiles.readPrivateKey(dir.resolve("key.pem")), node);
        assertKeyBelongsTo(PemFiles.readPrivateKey(dir.resolve("ca-key.pem")), ca);
        for (String key : List.of("key.pem", "ca-key.pem")) {
            assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                    Files.getPosixFilePermissions(dir.resolve(key)), key);
        }
    }

    @Test
    void shouldIssueAnotherIdentitySignedByTheSameCaWithoutItsKey() throws Exception {
        Path dir = tmp.resolve("keys");
        IssuedIdentity first = DeploymentKeys.init(dir);
        Path out = tmp.resolve("rx1");
        IssuedIdentity id = DeploymentKeys.issue(dir, "rx1.eu.example", out);

        assertEquals("rx1.eu.example", id.identity());
        assertEquals(first.caFingerprint(), id.caFingerprint());
        assertArrayEquals(Files.readAllBytes(dir.resolve("ca.pem")), Files.readAllBytes(out.resolve("ca.pem")));
        assertFalse(Files.exists(out.resolve("ca-key.pem")), "the CA's key stays where identities are issued");
        X509Certificate ca = PemFiles.readCertificate(dir.resolve("ca.pem"));
        X509Certificate node = PemFiles.readCertificate(out.resolve("cert.pem"));
        node.verify(ca.getPublicKey());
        assertEquals("CN=rx1.eu.example", node.getSubjectX500Principal().getName());
        assertNotEquals(PemFiles.readCertificate(dir.resolve("cert.pem")).getPublicKey(), node.getPublicKey());
        assertKeyBelongsTo(PemFiles.readPrivateKey(out.resolve("key.pem")), node);
    }

    @Test
    void shouldMakeFilesThatNettyBuildsMutualTlsContextsFrom() throws Exception {
        Path dir = tmp.resolve("keys");
        DeploymentKeys.init(dir);
        SslContext server = SslContextBuilder.forServer(dir.resolve("cert.pem").toFile(), dir.resolve("key.pem").toFile())
                .trustManager(dir.resolve("ca.pem").toFile()).sslProvider(SslProvider.JDK).build();
        SslContext client = SslContextBuilder.forClient()
                .keyManager(dir.resolve("cert.pem").toFile(), dir.resolve("key.pem").toFile())
                .trustManager(dir.resolve("ca.pem").toFile()).sslProvider(SslProvider.JDK).build();
        assertTrue(server.isServer());
        assertTrue(client.isClient());
    }

    @Test
    void shouldNeverOverwriteKeysThatAreThere() throws Exception {
        Path dir = tmp.resolve("keys");
        DeploymentKeys.init(dir);
        Map<String, byte[]> before = contents(dir);

        UsageException again = assertThrows(UsageException.class, () -> DeploymentKeys.init(dir));
        assertTrue(again.getMessage().contains("already holds ca.pem"), again.getMessage());
        UsageException issueOver = assertThrows(UsageException.class, () -> DeploymentKeys.issue(dir, "other", dir));
        assertTrue(issueOver.getMessage().contains("already holds cert.pem"), issueOver.getMessage());

        Map<String, byte[]> after = contents(dir);
        assertEquals(before.keySet(), after.keySet());
        before.forEach((name, bytes) -> assertArrayEquals(bytes, after.get(name), name));
    }

    @Test
    void shouldRefuseANameThatIsNotAnIdentityAndWriteNothing() {
        Path dir = tmp.resolve("keys");
        DeploymentKeys.init(dir);
        for (String bad : List.of("", "a b", "../x", "-lead", "x/y", "a".repeat(64))) {
            Path out = tmp.resolve("out");
            UsageException e = assertThrows(UsageException.class, () -> DeploymentKeys.issue(dir, bad, out), bad);
            assertTrue(e.getMessage().startsWith("--name " + bad + ": "), e.getMessage());
            assertFalse(Files.exists(out), bad);
        }
    }

    @Test
    void shouldRefuseToIssueWithoutTheCasKey() {
        Path dir = tmp.resolve("keys");
        DeploymentKeys.init(dir);
        Path node = tmp.resolve("node");
        DeploymentKeys.issue(dir, "rx1", node); // node holds ca.pem but not ca-key.pem
        UsageException e = assertThrows(UsageException.class, () -> DeploymentKeys.issue(node, "rx2", tmp.resolve("rx2")));
        assertEquals(node.resolve("ca-key.pem") + ": no such file", e.getMessage());
        assertFalse(Files.exists(tmp.resolve("rx2")));
    }

    private static void assertKeyBelongsTo(PrivateKey key, X509Certificate cert) throws Exception {
        byte[] message = "skiff".getBytes();
        Signature sign = Signature.getInstance("SHA256withECDSA");
        sign.initSign(key);
        sign.update(message);
        byte[] signature = sign.sign();
        Signature verify = Signature.getInstance("SHA256withECDSA");
        verify.initVerify(cert.getPublicKey());
        verify.update(message);
        assertTrue(verify.verify(signature), "the key in the file signs for " + cert.getSubjectX500Principal());
    }

    private static Map<String, byte[]> contents(Path dir) throws Exception {
        Map<String, byte[]> files = new TreeMap<>();
        try (var list = Files.list(dir)) {
            for (Path p : list.toList()) {
                files.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return files;
    }
}
