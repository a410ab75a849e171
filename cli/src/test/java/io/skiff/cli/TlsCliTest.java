package io.skiff.cli;

import io.skiff.engine.Skiff;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.api.TlsFiles;
import io.skiff.engine.receive.Receiver;
import io.skiff.engine.testing.TestTrees;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static io.skiff.cli.CliTest.skiffAsTyped;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS and grants as an operator meets them on the command line, run exactly as typed: the default,
 * --insecure's limits, the one-line refusals with their exit codes, and a granted push. Each refusal
 * leaves the receiver's root empty.
 */
class TlsCliTest {
    @TempDir
    Path tmp;
    private Path src;
    private Receiver receiver;
    private String target;

    @BeforeEach
    void setUp() throws IOException {
        assertEquals(0, skiffAsTyped("keys", "init", tmp.resolve("ca").toString()).exit());
        for (String name : new String[]{"rx1", "pipeline-eu", "pipeline-us"}) {
            assertEquals(0, skiffAsTyped("keys", "issue", tmp.resolve("ca").toString(), "--name", name, "--out",
                    tmp.resolve(name).toString()).exit());
        }
        Files.writeString(tmp.resolve("grants.toml"), """
                [[grant]]
                identity = "pipeline-eu"
                channels = ["icd10cm", "snomed-*"]
                actions  = ["push"]
                """);
        receiver = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("root"))
                .withTls(TlsFiles.inDir(tmp.resolve("rx1"))).withGrants(tmp.resolve("grants.toml")));
        target = "127.0.0.1:" + receiver.port();
        src = tmp.resolve("src");
        TestTrees.textFile(src.resolve("codes.tsv"), 500_000, 5);
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    private CliTest.Run push(String... tlsArgs) {
        String[] base = {"push", src.toString(), "--channel", "icd10cm", "--version", "2027", "--to", target, "--retries", "0"};
        String[] args = new String[base.length + tlsArgs.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(tlsArgs, 0, args, base.length, tlsArgs.length);
        return skiffAsTyped(args);
    }

    /** Nothing staged or activated: no file under the root but the audit trail's (which records a refusal). */
    private boolean rootEmpty() throws IOException {
        Path audit = tmp.resolve("root").resolve("audit");
        try (Stream<Path> files = Files.walk(tmp.resolve("root"))) {
            List<Path> found = files.filter(Files::isRegularFile).filter(f -> !f.startsWith(audit)).toList();
            assertEquals(List.of(), found);
            return found.isEmpty();
        }
    }

    /** The first line of what the command printed (stdout, then stderr) that names a failure: the target's row or "skiff: error:". */
    private static String oneLine(CliTest.Run run) {
        return (run.out() + "\n" + run.err()).lines().filter(l -> l.contains("error") || l.contains("_failed") || l.contains("not_"))
                .findFirst().orElse("(no error line) " + run.out() + run.err());
    }

    @Test
    void shouldAskForKeysOrInsecureWhenNoTlsOptionIsGiven() throws IOException {
        CliTest.Run run = push();

        assertEquals(2, run.exit(), run.err());
        assertTrue(oneLine(run).contains("TLS is the default: give --tls-dir DIR"), run.err());
        assertTrue(rootEmpty());
    }

    @Test
    void shouldRefuseInsecureOnANonLoopbackAddress() {
        CliTest.Run receive = skiffAsTyped("receive", "--insecure", "--listen", "0.0.0.0:0", "--root", tmp.resolve("r2").toString());
        CliTest.Run pushed = skiffAsTyped("push", src.toString(), "--channel", "c", "--version", "v", "--to", "10.1.2.3:7070", "--insecure");

        assertEquals(2, receive.exit(), receive.err());
        assertTrue(receive.err().contains("--insecure is for loopback addresses only, not 0.0.0.0:0"), receive.err());
        assertEquals(2, pushed.exit(), pushed.err());
        assertTrue(pushed.err().contains("--insecure is for loopback addresses only, not 10.1.2.3:7070"), pushed.err());
        assertFalse(Files.exists(tmp.resolve("r2")));
    }

    @Test
    void shouldExit16WhenAPlaintextPushMeetsATlsReceiver() throws IOException {
        CliTest.Run run = push("--insecure");

        assertEquals(16, run.exit(), run.err());
        assertTrue(oneLine(run).contains("requires mutual TLS"), run.err());
        assertTrue(rootEmpty());
    }

    @Test
    void shouldExit16ForKeysOfAnotherCa() throws IOException {
        skiffAsTyped("keys", "init", tmp.resolve("other").toString());

        CliTest.Run run = push("--tls-dir", tmp.resolve("other").toString());

        assertEquals(16, run.exit(), run.err());
        assertTrue(oneLine(run).contains("certificate is not of our deployment's CA"), run.err());
        assertTrue(rootEmpty());
    }

    @Test
    void shouldExit17ForAnIdentityWithoutAGrant() throws IOException {
        CliTest.Run run = push("--tls-dir", tmp.resolve("pipeline-us").toString(), "--json");

        assertEquals(17, run.exit(), run.err());
        assertTrue(run.out().contains("\"error_code\":\"not_authorized\""), run.out());
        assertTrue(run.out().contains("pipeline-us may not push icd10cm"), run.out());
        assertTrue(rootEmpty());
    }

    @Test
    void shouldPushWithGrantedKeysGivenAsThreePaths() throws IOException {
        Path keys = tmp.resolve("pipeline-eu");

        CliTest.Run run = push("--tls-ca", keys.resolve("ca.pem").toString(), "--tls-cert", keys.resolve("cert.pem").toString(),
                "--tls-key", keys.resolve("key.pem").toString());

        assertEquals(0, run.exit(), run.err());
        TestTrees.assertSameTree(src, tmp.resolve("root").resolve("icd10cm").resolve("current"));
    }

    @Test
    void shouldNameTheMissingKeyFileInOneLine() {
        CliTest.Run run = push("--tls-dir", tmp.resolve("no-such-dir").toString());

        assertEquals(2, run.exit(), run.err());
        assertTrue(oneLine(run).contains("cannot read " + tmp.resolve("no-such-dir").resolve("ca.pem")), run.err());
    }

    @Test
    void shouldRefuseABadGrantsFileAtStartInOneLine() throws IOException {
        Files.writeString(tmp.resolve("bad.toml"), "[[grant]]\nidentity = \"x\"\nchanels = [\"a\"]\nactions = [\"push\"]\n");

        CliTest.Run run = skiffAsTyped("receive", "--tls-dir", tmp.resolve("rx1").toString(), "--listen", "127.0.0.1:0",
                "--root", tmp.resolve("r3").toString(), "--config", tmp.resolve("bad.toml").toString());

        assertEquals(2, run.exit(), run.err());
        assertEquals(1, run.err().lines().filter(l -> l.startsWith("skiff: error:")).count(), run.err());
        assertTrue(oneLine(run).contains("bad.toml"), run.err());
    }
}
