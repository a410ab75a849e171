package io.skiff.cli;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.ArrayList;
import java.util.List;

import static io.skiff.cli.CliTest.skiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code skiff keys rotate}, {@code sign-rotation}, {@code show-rotation} and {@code push --rotation} against a
 * receiver trusting 2 of the keys a, b, c: the ceremony's output, its exit codes, and one-line errors.
 */
class KeyRotationCliTest {
    @TempDir
    Path tmp;
    private Path src;
    private Receiver receiver;
    private String target;

    @BeforeEach
    void setUp() {
        for (String key : List.of("a", "b", "c", "n1")) {
            assertEquals(0, skiff("keys", "gen-signing", tmp.resolve(key).toString()).exit());
        }
        receiver = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("root"))
                .withTrust(new TrustKeys(List.of(Path.of(pub("a")), Path.of(pub("b")), Path.of(pub("c"))), 2)));
        target = "127.0.0.1:" + receiver.port();
        src = tmp.resolve("src");
        TestTrees.textFile(src.resolve("codes.tsv"), 200_000, 5);
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    private String pub(String key) {
        return tmp.resolve(key).resolve("signing-pub.pem").toString();
    }

    private String priv(String key) {
        return tmp.resolve(key).resolve("signing-key.pem").toString();
    }

    private CliTest.Run push(String signKey, String... rotations) {
        List<String> args = new ArrayList<>(List.of("push", src.toString(), "--channel", "icd10cm", "--version", "2027",
                "--to", target, "--retries", "0", "--no-history", "--json", "--sign-key", priv(signKey)));
        for (String r : rotations) {
            args.addAll(List.of("--rotation", r));
        }
        return skiff(args.toArray(String[]::new));
    }

    @Test
    void shouldRunTheCeremonyAndPushTheNewKeysReleaseWithTheRotation() throws Exception {
        String file = tmp.resolve("rotation-1").toString();

        CliTest.Run rotate = skiff("keys", "rotate", "--new-key", pub("n1"), "--threshold", "1", "--sequence", "1",
                "--sign-key", priv("a"), "--out", file, "--json");
        CliTest.Run sign = skiff("keys", "sign-rotation", file, "--sign-key", priv("c"), "--sign-key", priv("n1"), "--json");
        CliTest.Run show = skiff("keys", "show-rotation", file);
        CliTest.Run pushed = push("n1", file);

        assertEquals(0, rotate.exit(), rotate.err());
        JsonNode created = rotate.json();
        assertEquals("*", created.get("scope").asText());
        assertEquals(1, created.get("sequence").asLong());
        assertEquals(1, created.get("threshold").asInt());
        assertEquals(1, created.get("keys").size());
        assertEquals(1, created.get("signed_by").size(), "a's signature");
        assertFalse(created.get("new_keys_signed").asBoolean());
        assertEquals(0, sign.exit(), sign.err());
        assertEquals(3, sign.json().get("signed_by").size());
        assertTrue(sign.json().get("new_keys_signed").asBoolean());
        assertEquals(0, show.exit(), show.err());
        assertTrue(show.out().startsWith("key rotation 1 of scope * in " + file + ": 1 of 1 new key(s) "), show.out());
        assertTrue(show.out().contains("3 signature(s) by "), show.out());
        assertEquals(0, pushed.exit(), pushed.out() + pushed.err());
        assertArrayEquals(Files.readAllBytes(Path.of(file)),
                Files.readAllBytes(tmp.resolve("root").resolve("trust").resolve("%2A").resolve("1.rotation")));
    }

    @Test
    void shouldRefuseARotationWithoutTheCurrentThresholdWithExit19() {
        String file = tmp.resolve("rotation-1").toString();
        assertEquals(0, skiff("keys", "rotate", "--new-key", priv("n1"), "--threshold", "1", "--sequence", "1",
                "--sign-key", priv("a"), "--out", file).exit(), "a private new key signs as it is named");

        CliTest.Run pushed = push("n1", file);

        assertEquals(19, pushed.exit(), pushed.err());
        assertTrue(pushed.out().contains("release_untrusted"), pushed.out());
        assertTrue(pushed.out().contains("1 valid signature(s) by the current key set 0"), pushed.out());
        assertFalse(Files.exists(tmp.resolve("root").resolve("trust")));
    }

    @Test
    void shouldRefuseUsageMistakesInOneLineWithExit2() throws Exception {
        String file = tmp.resolve("rotation-1").toString();
        assertEquals(0, skiff("keys", "rotate", "--new-key", pub("n1"), "--threshold", "1", "--sequence", "1", "--out", file).exit());
        Path notARotation = Files.writeString(tmp.resolve("hello"), "hello");

        List<CliTest.Run> mistakes = List.of(
                skiff("keys", "rotate", "--new-key", tmp.resolve("nope.pem").toString(), "--threshold", "1", "--sequence", "1",
                        "--out", tmp.resolve("r2").toString()),
                skiff("keys", "rotate", "--new-key", pub("n1"), "--threshold", "1", "--sequence", "1", "--out", file),
                skiff("keys", "rotate", "--new-key", pub("n1"), "--threshold", "2", "--sequence", "1", "--out", tmp.resolve("r3").toString()),
                skiff("keys", "rotate", "--new-key", pub("n1"), "--threshold", "1", "--sequence", "0", "--out", tmp.resolve("r4").toString()),
                skiff("keys", "rotate", "--new-key", pub("n1"), "--threshold", "1", "--sequence", "1", "--channel", "icd/x",
                        "--out", tmp.resolve("r5").toString()),
                skiff("keys", "rotate", "--new-key", pub("n1"), "--new-key", priv("n1"), "--threshold", "1", "--sequence", "1",
                        "--out", tmp.resolve("r6").toString()),
                skiff("keys", "sign-rotation", notARotation.toString(), "--sign-key", priv("a")),
                skiff("keys", "sign-rotation", file, "--sign-key", pub("a")),
                skiff("keys", "show-rotation", tmp.resolve("missing").toString()),
                skiff("push", src.toString(), "--channel", "icd10cm", "--version", "2027", "--to", target, "--rotation", file));
        byte[] unsigned = Files.readAllBytes(Path.of(file));
        assertEquals(0, skiff("keys", "sign-rotation", file, "--sign-key", priv("a")).exit());
        CliTest.Run twice = skiff("keys", "sign-rotation", file, "--sign-key", priv("a"));

        List<String> expected = List.of("nope.pem: no such file", "exists: a rotation statement is never overwritten",
                "threshold 2 of 1 new key(s)", "sequence 0 outside 1..", "scope 'icd/x' is not a channel glob",
                "is a new key named twice", "hello is not a key rotation", "holds no PEM private key", "missing: no such file",
                "--rotation hands trust to the keys that sign the release: give --sign-key too");
        for (int i = 0; i < mistakes.size(); i++) {
            CliTest.Run run = mistakes.get(i);
            assertEquals(2, run.exit(), expected.get(i) + ": " + run.err());
            assertEquals(1, run.err().strip().lines().count(), run.err());
            assertTrue(run.err().contains(expected.get(i)), expected.get(i) + " in " + run.err());
        }
        assertEquals(2, twice.exit());
        assertTrue(twice.err().contains("already"), twice.err());
        assertFalse(Files.exists(tmp.resolve("r2")) || Files.exists(tmp.resolve("r3")) || Files.exists(tmp.resolve("r6")), "nothing written");
        assertFalse(java.util.Arrays.equals(unsigned, Files.readAllBytes(Path.of(file))), "the one signature that was asked for is in");
    }
}
