package io.skiff.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.skiff.engine.Skiff;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.api.TrustKeys;
import io.skiff.engine.receive.Receiver;
import io.skiff.engine.security.ReleaseTrust;
import io.skiff.engine.security.SigningKeys;
import io.skiff.engine.testing.TestTrees;
import io.skiff.protocol.ReleaseStatement;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SignedRelease;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static io.skiff.cli.CliTest.skiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * push --sign-key, and manifest --sign-key then push --manifest, against a receiver that trusts one key:
 * the exit codes and one-line refusals a pipeline sees.
 */
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

    private CliTest.Run manifest(Path out, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("manifest", src.toString(), "--channel", "icd10cm", "--version", "2027",
                "--out", out.toString(), "--json"));
        args.addAll(List.of(more));
        return skiff(args.toArray(String[]::new));
    }

    private String key(String publisher) {
        return tmp.resolve(publisher).resolve("signing-key.pem").toString();
    }

    private String keyId(String publisher) throws Exception {
        return SigningKeys.keyId(SigningKeys.readPublic(tmp.resolve(publisher).resolve("signing-pub.pem"))).hex();
    }

    /** The pipeline split in two: signed where the key lives, pushed elsewhere to a receiver run as operators run it. */
    @Test
    void shouldSignAtManifestTimeAndPushTheSignatureFileToAReceiverStartedWithTrustKey() throws Exception {
        Path root = tmp.resolve("process-root");
        Path saved = tmp.resolve("icd10cm-2027.manifest");
        CliTest.Run signed = manifest(saved, "--sign-key", key("publisher"), "--sign-key", key("stranger"), "--sign-validity", "7");

        assertEquals(0, signed.exit(), signed.err());
        JsonNode signature = signed.json().get("signature");
        assertEquals(saved + ".signed", signature.get("file").asText());
        assertEquals(List.of(keyId("publisher"), keyId("stranger")),
                List.of(signature.get("key_ids").get(0).asText(), signature.get("key_ids").get(1).asText()));
        Instant expires = Instant.parse(signature.get("expires_at").asText());
        assertTrue(expires.isAfter(Instant.now().plus(Duration.ofDays(6))) && expires.isBefore(Instant.now().plus(Duration.ofDays(8))),
                expires.toString());
        assertEquals(signed.json().get("release_id").asText(), Skiff.manifest(src, "icd10cm", "2027").releaseId().hex(),
                "the release id is the manifest's hash, signed or not");
        try (SkiffProcess trusting = SkiffProcess.receiver(root, "--trust-key", tmp.resolve("publisher").resolve("signing-pub.pem").toString())) {
            String to = "127.0.0.1:" + trusting.port();
            byte[] good = Files.readAllBytes(Path.of(saved + ".signed"));
            byte[] tampered = good.clone();
            // the sequence's last byte (before expiry u64 and flags u8) edited: the signatures no longer verify
            tampered[SignedRelease.decode(good).statement().canonicalBytes().length - 10] ^= 1;
            Files.write(Path.of(saved + ".signed"), tampered);

            CliTest.Run refused = skiff("push", src.toString(), "--channel", "icd10cm", "--version", "2027", "--to", to, "--retries", "0",
                    "--no-history", "--manifest", saved.toString(), "--json");
            Files.write(Path.of(saved + ".signed"), good);
            CliTest.Run pushed = skiff("push", src.toString(), "--channel", "icd10cm", "--version", "2027", "--to", to, "--retries", "0",
                    "--no-history", "--manifest", saved.toString(), "--json");

            assertEquals(19, refused.exit(), refused.err() + trusting.output());
            assertTrue(refused.out().contains("release_untrusted") && refused.out().contains("that do not verify"), refused.out());
            assertEquals(0, pushed.exit(), pushed.err() + trusting.output());
            assertTrue(Files.isSymbolicLink(root.resolve("icd10cm").resolve("current")));
        }
    }

    @Test
    void shouldRefuseTheSignatureFileOfAnotherManifestInOneLineWithExit2() throws Exception {
        Path first = tmp.resolve("first.manifest");
        Path second = tmp.resolve("second.manifest");
        assertEquals(0, manifest(first, "--sign-key", key("publisher")).exit());
        Files.writeString(src.resolve("codes.tsv"), "changed\n", java.nio.file.StandardOpenOption.APPEND);
        assertEquals(0, manifest(second).exit());
        Files.copy(Path.of(first + ".signed"), Path.of(second + ".signed"));

        CliTest.Run other = push("2027", "--manifest", second.toString());
        CliTest.Run explicit = push("2027", "--manifest", second.toString(), "--signature", first + ".signed");

        for (CliTest.Run run : List.of(other, explicit)) {
            assertEquals(2, run.exit(), run.err());
            assertEquals(1, run.err().strip().lines().count(), run.err());
            assertTrue(run.err().contains(".signed signs icd10cm 2027 (") && run.err().contains("not this manifest's icd10cm 2027 ("),
                    run.err());
        }
        assertFalse(Files.exists(tmp.resolve("root").resolve("icd10cm").resolve("current")));
    }

    /** An expired statement: the receiver would refuse it (19), so the sender does, before connecting (2). */
    @Test
    void shouldRefuseAnExpiredSignatureFileBeforeConnecting() throws Exception {
        Path saved = tmp.resolve("icd10cm.manifest");
        CliTest.Run built = manifest(saved);
        assertEquals(0, built.exit(), built.err());
        Instant expiredAt = Instant.now().minus(Duration.ofHours(1));
        ReleaseStatement stale = new ReleaseStatement("icd10cm", "2027", Sha256.parseHex(built.json().get("release_id").asText()),
                expiredAt.minus(Duration.ofDays(30)).toEpochMilli(), expiredAt.toEpochMilli(), false);
        Files.write(Path.of(saved + ".signed"),
                ReleaseTrust.sign(stale, List.of(SigningKeys.readPrivate(Path.of(key("publisher"))))).encode());

        CliTest.Run expired = push("2027", "--manifest", saved.toString());

        assertEquals(2, expired.exit(), expired.err());
        assertEquals(1, expired.err().strip().lines().count(), expired.err());
        assertTrue(expired.err().contains("expired at " + Instant.ofEpochMilli(expiredAt.toEpochMilli()) + "; sign again"), expired.err());
        assertFalse(Files.exists(tmp.resolve("root").resolve("icd10cm")), "the receiver never saw an offer");
    }

    /** --sign-key on push over a saved signature: a flag over a file found by name, said in one line. */
    @Test
    void shouldSignAnewWithSignKeyOverASavedSignatureAndSaySo() throws Exception {
        Path saved = tmp.resolve("icd10cm.manifest");
        assertEquals(0, manifest(saved, "--sign-key", key("stranger")).exit());

        CliTest.Run anew = push("2027", "--manifest", saved.toString(), "--sign-key", key("publisher"));

        assertEquals(0, anew.exit(), anew.err());
        assertTrue(anew.err().contains("signing anew with --sign-key; " + saved + ".signed is not sent"), anew.err());
    }

    @Test
    void shouldKeepTheManifestAndItsSignatureFileInStep() throws Exception {
        Path saved = tmp.resolve("icd10cm.manifest");
        CliTest.Run noOut = skiff("manifest", src.toString(), "--sign-key", key("publisher"));
        CliTest.Run badKey = manifest(saved, "--sign-key", tmp.resolve("nope.pem").toString());
        assertFalse(Files.exists(saved), "a bad key is refused before anything is written");
        CliTest.Run sameKeyTwice = manifest(saved, "--sign-key", key("publisher"), "--sign-key", key("publisher"));
        assertEquals(0, manifest(saved, "--sign-key", key("publisher")).exit());
        assertTrue(Files.isRegularFile(Path.of(saved + ".signed")));
        CliTest.Run unsigned = manifest(saved);

        assertEquals(2, noOut.exit());
        assertTrue(noOut.err().contains("--sign-key needs --out FILE"), noOut.err());
        assertEquals(2, badKey.exit());
        assertEquals(1, badKey.err().strip().lines().count(), badKey.err());
        assertEquals(2, sameKeyTwice.exit());
        assertTrue(sameKeyTwice.err().contains("are the same key"), sameKeyTwice.err());
        assertEquals(0, unsigned.exit(), unsigned.err());
        assertTrue(unsigned.json().get("signature").isNull());
        assertFalse(Files.exists(Path.of(saved + ".signed")), "an unsigned manifest leaves no earlier signature beside it");
        try (java.util.stream.Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.filter(p -> p.toString().endsWith(".tmp")).toList());
        }
    }
}
