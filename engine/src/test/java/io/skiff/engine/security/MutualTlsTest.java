package io.skiff.engine.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.skiff.engine.Skiff;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.PushListener;
import io.skiff.engine.api.PushOptions;
import io.skiff.engine.api.PushResult;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.api.TargetResult;
import io.skiff.engine.api.TlsFiles;
import io.skiff.engine.receive.Receiver;
import io.skiff.engine.testing.TestTrees;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.UsageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mutual TLS over real loopback TCP between a real sender and receiver: what is refused (and that
 * nothing is staged then), what succeeds, and that replaced key files take effect without a restart.
 */
class MutualTlsTest {
    private static final String CHANNEL = "icd10cm";

    @TempDir
    Path tmp;
    private Path ca;
    private Path source;
    private Receiver receiver;

    @BeforeEach
    void setUp() {
        ca = tmp.resolve("ca");
        Skiff.initKeys(ca);
        Skiff.issueKeys(ca, "rx1", tmp.resolve("rx1"));
        Skiff.issueKeys(ca, "pipeline-eu", tmp.resolve("pipeline-eu"));
        source = tmp.resolve("src");
        TestTrees.textFile(source.resolve("codes.tsv"), 3_000_000, 7);
        TestTrees.randomFile(source.resolve("blob.bin"), 2_000_000, 8); // raw chunks: FileRegions, read into buffers under TLS
    }

    @AfterEach
    void stop() {
        if (receiver != null) {
            receiver.close();
        }
    }

    private Receiver startReceiver(TlsFiles tls) {
        ReceiverConfig config = ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("root"));
        receiver = Skiff.receiver(tls == null ? config : config.withTls(tls));
        return receiver;
    }

    private TargetResult push(TlsFiles tls) {
        PushOptions options = PushOptions.defaults().withRetries(0, Duration.ZERO);
        PushResult result = Skiff.push(source, CHANNEL, "2027", List.of(new HostPort("127.0.0.1", receiver.port())),
                tls == null ? options : options.withTls(tls), PushListener.NONE);
        return result.targets().get(0);
    }

    private boolean anythingStaged() throws IOException {
        Path channel = tmp.resolve("root").resolve(CHANNEL);
        if (!Files.exists(channel)) {
            return false;
        }
        try (Stream<Path> files = Files.walk(channel)) {
            return files.anyMatch(Files::isRegularFile);
        }
    }

    @Test
    void shouldActivateAPushOverMutualTls() {
        startReceiver(TlsFiles.inDir(tmp.resolve("rx1")));

        TargetResult r = push(TlsFiles.inDir(tmp.resolve("pipeline-eu")));

        assertTrue(r.activated(), r.error());
        TestTrees.assertSameTree(source, tmp.resolve("root").resolve(CHANNEL).resolve("current"));
    }

    @Test
    void shouldActivateOverFourTlsStreams() {
        startReceiver(TlsFiles.inDir(tmp.resolve("rx1")));
        PushOptions options = PushOptions.defaults().withRetries(0, Duration.ZERO).withStreams(4)
                .withTls(TlsFiles.inDir(tmp.resolve("pipeline-eu")));

        TargetResult r = Skiff.push(source, CHANNEL, "2027", List.of(new HostPort("127.0.0.1", receiver.port())), options,
                PushListener.NONE).targets().get(0);

        assertTrue(r.activated(), r.error());
        TestTrees.assertSameTree(source, tmp.resolve("root").resolve(CHANNEL).resolve("current"));
    }

    @Test
    void shouldRefuseAPlaintextSenderWithAOneLineReasonAndStageNothing() throws IOException {
        startReceiver(TlsFiles.inDir(tmp.resolve("rx1")));

        TargetResult r = push(null);

        assertEquals(ErrorCode.TLS_FAILED, r.code());
        assertTrue(r.error().contains("requires mutual TLS"), r.error());
        assertFalse(r.error().contains("\n"));
        assertFalse(anythingStaged());
        JsonNode refused = awaitAuditRecord("connect-refused");
        assertEquals("refused", refused.get("outcome").asText());
        assertEquals("127.0.0.1", refused.get("peer").asText());
        assertTrue(refused.get("reason").asText().startsWith("tls_failed: plaintext to a TLS receiver"), refused.toString());
    }

    @Test
    void shouldSayTheReceiverSpeaksPlaintextToATlsSender() throws IOException {
        startReceiver(null);

        TargetResult r = push(TlsFiles.inDir(tmp.resolve("pipeline-eu")));

        assertEquals(ErrorCode.TLS_FAILED, r.code());
        assertTrue(r.error().contains("does not speak TLS"), r.error());
        assertFalse(anythingStaged());
    }

    @Test
    void shouldRefuseASenderOfAnotherCa() throws IOException {
        startReceiver(TlsFiles.inDir(tmp.resolve("rx1")));
        Skiff.initKeys(tmp.resolve("other-ca"));
        Skiff.issueKeys(tmp.resolve("other-ca"), "pipeline-eu", tmp.resolve("intruder"));

        TargetResult r = push(TlsFiles.inDir(tmp.resolve("intruder")));

        assertEquals(ErrorCode.TLS_FAILED, r.code(), r.error());
        assertFalse(r.error().contains("\n"));
        assertFalse(anythingStaged());
        assertTrue(awaitAuditRecord("connect-refused").get("reason").asText().startsWith("tls_failed: "), "audited");
        // and the receiver still serves the deployment's own senders
        assertTrue(push(TlsFiles.inDir(tmp.resolve("pipeline-eu"))).activated());
    }

    @Test
    void shouldRefuseAnExpiredSenderCertificate() throws IOException {
        startReceiver(TlsFiles.inDir(tmp.resolve("rx1")));
        Path expired = tmp.resolve("expired");
        DeploymentKeys.issue(ca, "pipeline-eu", expired, Instant.now().minus(Duration.ofDays(30)), Instant.now().minus(Duration.ofDays(1)));
        // a sender refuses to use its own expired files, so present them as if it did not check (the receiver must)
        TlsFiles files = TlsFiles.inDir(expired);
        UsageException own = assertThrows(UsageException.class, () -> TlsMaterial.load(files));
        assertTrue(own.getMessage().contains("expired"), own.getMessage());

        String alert = handshakeWith(expired.resolve("cert.pem"), expired.resolve("key.pem"));

        assertTrue(alert.contains("certificate"), alert);
        assertFalse(anythingStaged());
    }

    @Test
    void shouldRefuseASenderWithoutACertificate() throws IOException {
        startReceiver(TlsFiles.inDir(tmp.resolve("rx1")));

        String alert = handshakeWith(null, null);

        assertTrue(alert.contains("certificate") || alert.contains("handshake"), alert);
        assertFalse(anythingStaged());
    }

    @Test
    void shouldUseReplacedKeyFilesOnTheNextConnection() throws Exception {
        Path rxDir = tmp.resolve("rx1");
        startReceiver(TlsFiles.inDir(rxDir));
        // a new CA for the deployment: the receiver's files are replaced in place while it runs
        Skiff.initKeys(tmp.resolve("ca2"));
        Skiff.issueKeys(tmp.resolve("ca2"), "rx1", tmp.resolve("rx1-new"));
        Skiff.issueKeys(tmp.resolve("ca2"), "pipeline-eu", tmp.resolve("sender-new"));
        for (String f : List.of("ca.pem", "cert.pem", "key.pem")) {
            Path staged = rxDir.resolve(f + ".new");
            Files.copy(tmp.resolve("rx1-new").resolve(f), staged);
            Files.move(staged, rxDir.resolve(f), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        Thread.sleep(1_100); // files are looked at once a second at most

        TargetResult old = push(TlsFiles.inDir(tmp.resolve("pipeline-eu")));
        TargetResult renewed = push(TlsFiles.inDir(tmp.resolve("sender-new")));

        assertEquals(ErrorCode.TLS_FAILED, old.code(), old.error());
        assertTrue(renewed.activated(), renewed.error());
    }

    @Test
    void shouldTrustBothCasWhileTheDeploymentMovesToANewOne() throws Exception {
        Skiff.initKeys(tmp.resolve("ca2"));
        Skiff.issueKeys(tmp.resolve("ca2"), "rx1", tmp.resolve("rx1-new"));
        String both = Files.readString(ca.resolve("ca.pem")) + Files.readString(tmp.resolve("ca2").resolve("ca.pem"));
        for (Path dir : List.of(tmp.resolve("rx1-new"), tmp.resolve("pipeline-eu"))) {
            Files.writeString(dir.resolve("ca.pem"), both);
        }
        startReceiver(TlsFiles.inDir(tmp.resolve("rx1-new"))); // already on the new CA

        TargetResult r = push(TlsFiles.inDir(tmp.resolve("pipeline-eu"))); // still on the old one

        assertTrue(r.activated(), r.error());
    }

    @Test
    void shouldKeepTheCurrentKeysWhenTheNewFilesAreBad() throws Exception {
        Path rxDir = tmp.resolve("rx1");
        startReceiver(TlsFiles.inDir(rxDir));
        Files.writeString(rxDir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\nhalf written");

        assertFalse(receiver.reloadTls());
        assertTrue(push(TlsFiles.inDir(tmp.resolve("pipeline-eu"))).activated());
        JsonNode reload = awaitAuditRecord("config-reload");
        assertEquals("failed", reload.get("outcome").asText());
        assertEquals("operator", reload.get("actor").asText());
    }

    /** The first record of {@code action} in the receiver's trail (refusals are written by a thread of their own: at most 10 s). */
    private JsonNode awaitAuditRecord(String action) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (true) {
            List<JsonNode> found = new java.util.ArrayList<>();
            io.skiff.engine.audit.AuditRecords.forEach(tmp.resolve("root").resolve("audit"), line -> {
                if (line.json() != null && action.equals(line.json().path("action").asText())) {
                    found.add(line.json());
                }
            });
            if (!found.isEmpty()) {
                return found.get(0);
            }
            assertTrue(System.nanoTime() < deadline, "no " + action + " record in the audit trail");
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
        }
    }

    /** A JDK TLS client trusting the CA, presenting {@code cert}/{@code key} (or nothing); returns the failure it saw. */
    private String handshakeWith(Path cert, Path key) throws IOException {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            try (InputStream in = Files.newInputStream(ca.resolve("ca.pem"))) {
                trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(cert == null ? null : keyManagers(cert, key), tmf.getTrustManagers(), null);
            try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", receiver.port())) {
                socket.setSoTimeout(10_000);
                socket.startHandshake();
                socket.getOutputStream().write(new byte[]{0, 0, 0, 1});
                socket.getOutputStream().flush();
                int read = socket.getInputStream().read();
                return "no failure, read " + read;
            }
        } catch (javax.net.ssl.SSLException e) {
            return e.getMessage();
        } catch (java.net.SocketException e) {
            return "handshake: " + e.getMessage();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static javax.net.ssl.KeyManager[] keyManagers(Path cert, Path key) throws java.security.GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        java.security.cert.Certificate c;
        try (InputStream in = Files.newInputStream(cert)) {
            c = CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        ks.setKeyEntry("node", PemFiles.readPrivateKey(key), new char[0], new java.security.cert.Certificate[]{c});
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        return kmf.getKeyManagers();
    }
}
