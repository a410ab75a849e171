package io.skiff.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.skiff.cli.CliTest.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

import static io.skiff.cli.CliTest.skiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeysCommandTest {
    @TempDir
    Path tmp;

    @Test
    void shouldInitADeploymentThenIssueAnIdentityItsCaSigned() throws Exception {
        Path keys = tmp.resolve("keys");
        Run init = skiff("keys", "init", keys.toString(), "--json");
        assertEquals(0, init.exit(), init.err());
        JsonNode first = new ObjectMapper().readTree(init.out());
        assertEquals("skiff-node", first.get("identity").asText());
        for (String f : new String[]{"ca.pem", "ca-key.pem", "cert.pem", "key.pem"}) {
            assertTrue(Files.isRegularFile(keys.resolve(f)), f);
        }

        Path rx = tmp.resolve("rx1");
        Run issue = skiff("keys", "issue", keys.toString(), "--name", "rx1", "--out", rx.toString());
        assertEquals(0, issue.exit(), issue.err());
        assertTrue(issue.out().startsWith("identity rx1 in " + rx + " "), issue.out());
        assertTrue(issue.out().contains("CA sha256 " + first.get("ca_sha256").asText()), issue.out());
        assertArrayEquals(Files.readAllBytes(keys.resolve("ca.pem")), Files.readAllBytes(rx.resolve("ca.pem")));
        assertFalse(Files.exists(rx.resolve("ca-key.pem")));
        X509Certificate ca = certificate(keys.resolve("ca.pem"));
        X509Certificate node = certificate(rx.resolve("cert.pem"));
        node.verify(ca.getPublicKey());
        assertEquals("CN=rx1", node.getSubjectX500Principal().getName());
    }

    @Test
    void shouldRefuseInOneLineToOverwriteADeploymentsKeys() throws Exception {
        Path keys = tmp.resolve("keys");
        assertEquals(0, skiff("keys", "init", keys.toString()).exit());
        byte[] caKey = Files.readAllBytes(keys.resolve("ca-key.pem"));

        Run again = skiff("keys", "init", keys.toString());
        assertEquals(2, again.exit());
        assertEquals("", again.out());
        assertEquals(1, again.err().strip().lines().count(), again.err());
        assertTrue(again.err().contains("already holds ca.pem"), again.err());
        assertArrayEquals(caKey, Files.readAllBytes(keys.resolve("ca-key.pem")));
    }

    @Test
    void shouldRefuseABadNameAndAMissingCaKeyWithUsageErrors() {
        Path keys = tmp.resolve("keys");
        assertEquals(0, skiff("keys", "init", keys.toString()).exit());
        Run badName = skiff("keys", "issue", keys.toString(), "--name", "a b", "--out", tmp.resolve("x").toString());
        assertEquals(2, badName.exit());
        assertTrue(badName.err().contains("--name a b: an identity is"), badName.err());
        Run noCa = skiff("keys", "issue", tmp.resolve("nothing").toString(), "--name", "rx", "--out", tmp.resolve("y").toString());
        assertEquals(2, noCa.exit());
        assertTrue(noCa.err().contains("ca.pem: no such file"), noCa.err());
        assertFalse(Files.exists(tmp.resolve("x")));
        assertFalse(Files.exists(tmp.resolve("y")));
    }

    private static X509Certificate certificate(Path pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(Files.readAllBytes(pem)));
    }

    @Test
    void shouldGenerateASigningKeyPairAndNeverOverwriteIt() throws Exception {
        Path dir = tmp.resolve("publisher");
        Run gen = skiff("keys", "gen-signing", dir.toString(), "--json");
        assertEquals(0, gen.exit(), gen.err());
        JsonNode key = new ObjectMapper().readTree(gen.out());
        Path publicKey = dir.resolve("signing-pub.pem");
        byte[] spki = Base64.getMimeDecoder().decode(Files.readString(publicKey)
                .replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", "").strip());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(spki)),
                key.get("key_id").asText(), "the key id is the SHA-256 of the public key's SPKI");
        EdECPublicKey parsed = (EdECPublicKey) KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
        assertEquals("Ed25519", parsed.getParams().getName());
        assertEquals(dir.resolve("signing-key.pem").toString(), key.get("private_key").asText());
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("signing-key.pem"))));
        byte[] privateBefore = Files.readAllBytes(dir.resolve("signing-key.pem"));

        Run again = skiff("keys", "gen-signing", dir.toString());

        assertEquals(2, again.exit());
        assertEquals(1, again.err().strip().lines().count(), again.err());
        assertTrue(again.err().contains("already holds signing-key.pem"), again.err());
        assertArrayEquals(privateBefore, Files.readAllBytes(dir.resolve("signing-key.pem")));
    }
}
