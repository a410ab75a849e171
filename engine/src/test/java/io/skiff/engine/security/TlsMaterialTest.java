package io.skiff.engine.security;

import io.skiff.engine.api.TlsFiles;
import io.skiff.protocol.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading key files: the warning before a certificate ends, and the one-line refusals of files that cannot be used. */
class TlsMaterialTest {
    @TempDir
    Path tmp;

    /** What the logger (slf4j-simple, on stderr) printed while {@code load} ran. */
    private static String logOf(Runnable load) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            load.run();
        } finally {
            System.setErr(err);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    /** A directory with {@code certDir}'s CA and certificate and {@code keyDir}'s key: a key that does not match. */
    private Path certificateWithAnothersKey(Path certDir, Path keyDir) throws IOException {
        Path mixed = Files.createDirectories(tmp.resolve("mixed"));
        Files.copy(certDir.resolve("ca.pem"), mixed.resolve("ca.pem"));
        Files.copy(certDir.resolve("cert.pem"), mixed.resolve("cert.pem"));
        Files.copy(keyDir.resolve("key.pem"), mixed.resolve("key.pem"));
        return mixed;
    }

    @Test
    void shouldWarnWhenTheCertificateEndsWithinFourteenDays() {
        DeploymentKeys.init(tmp.resolve("ca"));
        Instant now = Instant.now();
        DeploymentKeys.issue(tmp.resolve("ca"), "soon", tmp.resolve("soon"), now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(10)));
        DeploymentKeys.issue(tmp.resolve("ca"), "later", tmp.resolve("later"), now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)));

        String soon = logOf(() -> assertEquals("soon", TlsMaterial.load(TlsFiles.inDir(tmp.resolve("soon"))).identity()));
        String later = logOf(() -> TlsMaterial.load(TlsFiles.inDir(tmp.resolve("later"))));

        assertTrue(soon.contains("identity soon") && soon.contains("days left"), soon);
        assertFalse(later.contains("days left"), later);
    }

    @Test
    void shouldRefuseACertificateOfAnotherCaAndAKeyThatDoesNotMatch() throws Exception {
        DeploymentKeys.init(tmp.resolve("ca"));
        DeploymentKeys.init(tmp.resolve("other"));
        DeploymentKeys.issue(tmp.resolve("ca"), "a", tmp.resolve("a"));
        DeploymentKeys.issue(tmp.resolve("ca"), "b", tmp.resolve("b"));
        Path mixed = certificateWithAnothersKey(tmp.resolve("a"), tmp.resolve("b"));

        UsageException otherCa = assertThrows(UsageException.class,
                () -> TlsMaterial.load(new TlsFiles(tmp.resolve("other").resolve("ca.pem"), tmp.resolve("a").resolve("cert.pem"),
                        tmp.resolve("a").resolve("key.pem"))));
        UsageException wrongKey = assertThrows(UsageException.class, () -> TlsMaterial.load(TlsFiles.inDir(mixed)));

        assertTrue(otherCa.getMessage().contains("is not signed by the CA"), otherCa.getMessage());
        assertTrue(wrongKey.getMessage().startsWith("TLS: cannot use"), wrongKey.getMessage());
        assertFalse(wrongKey.getMessage().contains("\n"), wrongKey.getMessage());
    }

    /** A push's material: the files refused at once as for a daemon; a client context, and no server context to accept with. */
    @Test
    void shouldLoadForAClientOnlyWithTheSameRefusals() throws Exception {
        DeploymentKeys.init(tmp.resolve("ca"));
        DeploymentKeys.issue(tmp.resolve("ca"), "pipeline", tmp.resolve("pipeline"));
        DeploymentKeys.issue(tmp.resolve("ca"), "other", tmp.resolve("other"));
        Path mixed = certificateWithAnothersKey(tmp.resolve("pipeline"), tmp.resolve("other"));

        TlsMaterial client = TlsMaterial.loadForClient(TlsFiles.inDir(tmp.resolve("pipeline")));
        UsageException wrongKey = assertThrows(UsageException.class, () -> TlsMaterial.loadForClient(TlsFiles.inDir(mixed)));

        assertEquals("pipeline", client.identity());
        assertTrue(client.client().isClient(), "a client context");
        assertThrows(IllegalStateException.class, client::server);
        assertTrue(wrongKey.getMessage().contains("the key is not the certificate's"), wrongKey.getMessage());
        assertTrue(TlsMaterial.load(TlsFiles.inDir(tmp.resolve("pipeline"))).server().isServer(), "a daemon's has both");
    }
}
