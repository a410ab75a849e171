package io.skiff.cli;

import io.skiff.engine.Skiff;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.api.TrustKeys;
import io.skiff.engine.receive.Receiver;
import io.skiff.engine.testing.TestTrees;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.skiff.cli.CliTest.skiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** push --sign-key against a receiver that trusts one key: the exit codes and one-line refusals a pipeline sees. */
class SigningCliTest {
    @TempDir
    Path tmp;
    private Path src;
    private Receiver receiver;
    private String target;

    @BeforeEach
    void setUp() {
        assertEquals(0, skiff("keys", "gen-signing", tmp.resolve("publisher").toString()).exit());
        assertEquals(0, skiff("keys", "gen-signing", tmp.resolve("stranger").toString()).exit());
        receiver = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("root"))
                .withTrust(new TrustKeys(List.of(tmp.resolve("publisher").resolve("signing-pub.pem")), 1)));
        target = "127.0.0.1:" + receiver.port();
        src = tmp.resolve("src");
        TestTrees.textFile(src.resolve("codes.tsv"), 300_000, 5);
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    private CliTest.Run push(String version, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("push", src.toString(), "--channel", "icd10cm", "--version", version,
                "--to", target, "--retries", "0", "--no-history", "--json"));
        args.addAll(List.of(more));
        return skiff(args.toArray(String[]::new));
    }

    @Test
    void shouldActivateASignedPushAndRefuseUnsignedAndStrangersWithExit19() {
        CliTest.Run unsigned = push("2027");
        CliTest.Run stranger = push("2027", "--sign-key", tmp.resolve("stranger").resolve("signing-key.pem").toString());
        CliTest.Run signed = push("2027", "--sign-key", tmp.resolve("publisher").resolve("signing-key.pem").toString());

        assertEquals(19, unsigned.exit(), unsigned.err());
        assertTrue(unsigned.out().contains("release_untrusted"), unsigned.out());
        assertEquals(19, stranger.exit(), stranger.err());
        assertEquals(0, signed.exit(), signed.err());
        assertTrue(Files.isSymbolicLink(tmp.resolve("root").resolve("icd10cm").resolve("current")));
    }

    @Test
    void shouldRefuseAReusedVersionLabelWithExit20() throws Exception {
        String key = tmp.resolve("publisher").resolve("signing-key.pem").toString();
        assertEquals(0, push("2027", "--sign-key", key).exit());
        Files.writeString(src.resolve("codes.tsv"), "changed\n", java.nio.file.StandardOpenOption.APPEND);

        CliTest.Run reused = push("2027", "--sign-key", key);

        assertEquals(20, reused.exit(), reused.err());
        assertTrue(reused.out().contains("rollback_refused"), reused.out());
    }

    @Test
    void shouldRefuseUsageMistakesInOneLine() {
        CliTest.Run downgradeUnsigned = push("2027", "--allow-downgrade");
        CliTest.Run missingKey = push("2027", "--sign-key", tmp.resolve("nope.pem").toString());

        assertEquals(2, downgradeUnsigned.exit());
        assertTrue(downgradeUnsigned.err().contains("--allow-downgrade is signed into the release"), downgradeUnsigned.err());
        assertEquals(2, missingKey.exit());
        assertEquals(1, missingKey.err().strip().lines().count(), missingKey.err());
        assertFalse(Files.exists(tmp.resolve("root").resolve("icd10cm").resolve("current")));
    }
}
