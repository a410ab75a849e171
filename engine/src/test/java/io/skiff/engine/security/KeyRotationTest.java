package io.skiff.engine.security;

import io.skiff.engine.Skiff;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.PushListener;
import io.skiff.engine.api.PushOptions;
import io.skiff.engine.api.PushResult;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.api.SigningOptions;
import io.skiff.engine.api.TargetResult;
import io.skiff.engine.api.Topology;
import io.skiff.engine.api.TrustKeys;
import io.skiff.engine.follow.Origin;
import io.skiff.engine.receive.Receiver;
import io.skiff.engine.testing.TestDeployment;
import io.skiff.engine.testing.TestTrees;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.SkiffException;
import io.skiff.protocol.StorageException;
import io.skiff.protocol.TrustException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Key rotation over real loopback TCP: a receiver trusting 2 of the publisher keys a, b, c takes a rotation
 * to new keys when a threshold of a, b, c and of the new keys signed it, keeps it under ROOT/trust, and from
 * then on takes releases signed by the new keys only; the rotation statements are made as the CLI makes them
 * ({@link Skiff#rotateKeys}, {@link Skiff#signKeyRotation}).
 */
class KeyRotationTest {
    private static final String CHANNEL = "icd10cm";

    @TempDir
    Path tmp;
    private Path v1;
    private Path v2;
    private Receiver receiver;

    @BeforeEach
    void setUp() {
        for (String key : List.of("a", "b", "c", "n1", "n2", "m")) {
            Skiff.generateSigningKey(tmp.resolve(key));
        }
        v1 = tmp.resolve("v1");
        v2 = tmp.resolve("v2");
        TestTrees.textFile(v1.resolve("codes.tsv"), 200_000, 7);
        TestTrees.textFile(v2.resolve("codes.tsv"), 200_000, 8);
        receiver = Skiff.receiver(config(tmp.resolve("root")));
    }

    @AfterEach
    void stop() {
        if (receiver != null) {
            receiver.close();
        }
    }

    /** A receiver that trusts 2 of a, b, c for every channel. */
    private ReceiverConfig config(Path root) {
        return ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), root).withTrust(new TrustKeys(List.of(pub("a"), pub("b"), pub("c")), 2));
    }

    private Path pub(String key) {
        return tmp.resolve(key).resolve(SigningKeys.PUBLIC_FILE);
    }

    private Path key(String key) {
        return tmp.resolve(key).resolve(SigningKeys.PRIVATE_FILE);
    }

    /** Rotation {@code sequence} of scope "*" to {@code newKeys} (threshold 1), signed by the private keys {@code signers}. */
    private Path rotation(String name, long sequence, List<String> newKeys, String... signers) {
        return rotation("*", name, sequence, newKeys, signers);
    }

    private Path rotation(String scope, String name, long sequence, List<String> newKeys, String... signers) {
        Path file = tmp.resolve(name + ".rotation");
        Skiff.rotateKeys(scope, sequence, 1, newKeys.stream().map(this::pub).toList(), List.of(), file);
        if (signers.length > 0) {
            Skiff.signKeyRotation(file, Stream.of(signers).map(this::key).toList());
        }
        return file;
    }

    private TargetResult push(Receiver to, Path source, String channel, String version, String signer, Path... rotations) {
        PushOptions options = PushOptions.defaults().withRetries(0, Duration.ZERO)
                .withSigning(new SigningOptions(key(signer), SigningOptions.DEFAULT_VALIDITY, false).withRotations(List.of(rotations)));
        return Skiff.push(source, channel, version, List.of(new HostPort("127.0.0.1", to.port())), options, PushListener.NONE).targets().get(0);
    }

    private Path kept(Path root, int sequence) {
        return root.resolve("trust").resolve("%2A").resolve(sequence + ".rotation");
    }

    private long filesUnder(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void shouldTakeARotationWithTheThresholdThenActivateReleasesOfTheNewKeysOnly() throws IOException {
        Path rotation = rotation("r1", 1, List.of("n1", "n2"), "a", "c", "n1");

        TargetResult byNew = push(receiver, v1, CHANNEL, "2027-01", "n2", rotation);
        TargetResult byOld = push(receiver, v2, CHANNEL, "2027-02", "a");

        assertTrue(byNew.activated(), byNew.error());
        assertArrayEquals(Files.readAllBytes(rotation), Files.readAllBytes(kept(tmp.resolve("root"), 1)), "kept as it arrived");
        assertEquals(ErrorCode.RELEASE_UNTRUSTED, byOld.code());
        assertTrue(byOld.error().contains("0 valid signature(s) by trusted keys, 1 needed; 1 by untrusted keys"), byOld.error());
        assertEquals(0, filesUnder(tmp.resolve("root").resolve(CHANNEL).resolve("staging")));
    }

    @Test
    void shouldRefuseARotationWithoutTheCurrentThresholdAndKeepNothing() throws IOException {
        Path rotation = rotation("r1", 1, List.of("n1"), "a", "n1");

        TargetResult r = push(receiver, v1, CHANNEL, "2027-01", "n1", rotation);

        assertEquals(ErrorCode.RELEASE_UNTRUSTED, r.code());
        assertTrue(r.error().startsWith("key rotation 1 of scope *: 1 valid signature(s) by the current key set 0"), r.error());
        assertTrue(r.error().contains("2 needed"), r.error());
        assertFalse(r.error().contains("\n"), "one line");
        assertEquals(0, filesUnder(tmp.resolve("root").resolve("trust")));
        assertEquals(Optional.empty(), receiver.store().current(CHANNEL));
        assertEquals(0, filesUnder(tmp.resolve("root").resolve(CHANNEL)), "nothing staged either");
    }

    @Test
    void shouldRefuseARotationItsNewKeysDidNotSign() throws IOException {
        Path rotation = rotation("r1", 1, List.of("n1"), "a", "b");

        TargetResult r = push(receiver, v1, CHANNEL, "2027-01", "n1", rotation);

        assertEquals(ErrorCode.RELEASE_UNTRUSTED, r.code());
        assertTrue(r.error().contains("0 valid signature(s) by its new keys, 1 needed"), r.error());
        assertEquals(0, filesUnder(tmp.resolve("root").resolve("trust")));
        assertEquals(Optional.empty(), receiver.store().current(CHANNEL));
    }

    @Test
    void shouldKeepTheRotatedKeysAcrossARestart() {
        assertTrue(push(receiver, v1, CHANNEL, "2027-01", "n1", rotation("r1", 1, List.of("n1"), "a", "b", "n1")).activated());
        receiver.close();

        receiver = Skiff.receiver(config(tmp.resolve("root")));
        TargetResult byNew = push(receiver, v2, CHANNEL, "2027-02", "n1");
        TargetResult byOld = push(receiver, v1, "loinc", "2.80", "b");

        assertTrue(byNew.activated(), "no rotation sent again: the kept one is trusted: " + byNew.error());
        assertEquals(ErrorCode.RELEASE_UNTRUSTED, byOld.code(), byOld.error());
        assertTrue(byOld.error().contains("1 needed; 1 by untrusted keys"), "b is no longer trusted: " + byOld.error());
    }

    @Test
    void shouldNotStartOnAKeptRotationThatWasTamperedWith() throws IOException {
        assertTrue(push(receiver, v1, CHANNEL, "2027-01", "n1", rotation("r1", 1, List.of("n1"), "a", "b", "n1")).activated());
        receiver.close();
        receiver = null;
        Path file = kept(tmp.resolve("root"), 1);
        byte[] bytes = Files.readAllBytes(file);
        byte[] flipped = bytes.clone();
        flipped[bytes.length - 1] ^= 1; // the last signature's last byte: n1's
        Files.write(file, flipped);

        TrustException bad = assertThrows(TrustException.class, () -> Skiff.receiver(config(tmp.resolve("root"))));
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 3));
        StorageException cut = assertThrows(StorageException.class, () -> Skiff.receiver(config(tmp.resolve("root"))));

        assertTrue(bad.getMessage().startsWith(file + " does not verify from the configured keys: key rotation 1 of scope *: 0 valid"
                + " signature(s) by its new keys"), bad.getMessage());
        assertTrue(bad.getMessage().endsWith("remove it and the later ones to trust the configured keys again"), bad.getMessage());
        assertTrue(cut.getMessage().startsWith(file + " is not a key rotation"), cut.getMessage());
        assertFalse(bad.getMessage().contains("\n") || cut.getMessage().contains("\n"));
    }

    @Test
    void shouldRefuseAGapAndADifferentRotationOfASequenceTakenAndIgnoreTheSameOneSentAgain() {
        Path one = rotation("r1", 1, List.of("n1"), "a", "b", "n1");
        Path two = rotation("r2", 2, List.of("m"), "n1", "m");
        Path otherOne = rotation("other1", 1, List.of("n2"), "a", "b", "n2");

        TargetResult gap = push(receiver, v1, CHANNEL, "2027-01", "m", two);
        TargetResult chain = push(receiver, v1, CHANNEL, "2027-01", "m", one, two);
        TargetResult again = push(receiver, v2, CHANNEL, "2027-02", "m", one, two);
        TargetResult replaced = push(receiver, v2, "loinc", "2.80", "n2", otherOne);

        assertEquals(ErrorCode.RELEASE_UNTRUSTED, gap.code());
        assertTrue(gap.error().contains("holds key set 0 of that scope and takes rotation 1 first"), gap.error());
        assertTrue(chain.activated(), "1 then 2 on one connection: " + chain.error());
        assertTrue(again.activated(), "rotations held already are ignored: " + again.error());
        assertEquals(ErrorCode.ROLLBACK_REFUSED, replaced.code());
        assertTrue(replaced.error().contains("key rotation 1 of scope * differs from the one this receiver took"), replaced.error());
        assertTrue(Files.isRegularFile(kept(tmp.resolve("root"), 2)));
    }

    /** Two channels pushed at once with the same rotation (sessions on two threads): one takes it, the other finds it taken. */
    @Test
    void shouldTakeOneRotationOnceWhenTwoPushesCarryItAtTheSameTime() throws Exception {
        Path one = rotation("r1", 1, List.of("n1"), "a", "b", "n1");

        CompletableFuture<TargetResult> icd = CompletableFuture.supplyAsync(() -> push(receiver, v1, CHANNEL, "2027-01", "n1", one));
        CompletableFuture<TargetResult> loinc = CompletableFuture.supplyAsync(() -> push(receiver, v2, "loinc", "2.80", "n1", one));

        assertTrue(icd.get().activated(), icd.get().error());
        assertTrue(loinc.get().activated(), loinc.get().error());
        assertEquals(1, filesUnder(tmp.resolve("root").resolve("trust")));
    }

    /** A region of three receivers trusting 2 of a, b, c: the relay forwards the rotation it received, every one takes it. */
    @Test
    void shouldForwardARotationThroughARelayToItsWholeRegion() throws Exception {
        List<Receiver> region = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                region.add(Skiff.receiver(config(tmp.resolve("eu-" + i))));
            }
            Topology topology = new Topology(List.of(new Topology.Region("eu", region.stream()
                    .map(r -> new Topology.Target(new HostPort("127.0.0.1", r.port()), new HostPort("127.0.0.1", r.port()), 0, false))
                    .toList())));
            PushOptions options = PushOptions.defaults().withRetries(0, Duration.ZERO).withSigning(new SigningOptions(key("n1"),
                    SigningOptions.DEFAULT_VALIDITY, false).withRotations(List.of(rotation("r1", 1, List.of("n1"), "b", "c", "n1"))));

            PushResult pushed = Skiff.push(v1, CHANNEL, "2027-01", topology, options, PushListener.NONE);

            assertTrue(pushed.allActivated(), pushed.toString());
            assertEquals(TargetResult.Route.RELAY, pushed.targets().get(0).route());
            for (int i = 0; i < 3; i++) {
                assertEquals(Optional.of(pushed.manifest().releaseId()), region.get(i).store().current(CHANNEL));
                assertTrue(Files.isRegularFile(kept(tmp.resolve("eu-" + i), 1)), "eu-" + i + " kept the rotation");
            }
        } finally {
            for (Receiver r : region) {
                r.close();
            }
        }
    }

    /** An origin over a root whose receiver took a rotation serves it: a follower trusting 2 of a, b, c activates the new keys' release. */
    @Test
    void shouldServeTheKeptRotationsFromAnOriginToItsFollowers() throws Exception {
        assertTrue(push(receiver, v1, CHANNEL, "2027-01", "n1", rotation("r1", 1, List.of("n1"), "a", "b", "n1")).activated());
        try (Origin origin = Origin.start(new HostPort("127.0.0.1", 0), tmp.resolve("root"), Duration.ofSeconds(30), "origin");
             Receiver follower = Skiff.receiver(config(tmp.resolve("follower"))
                     .withFollow(new HostPort("127.0.0.1", origin.port()), CHANNEL, Duration.ofMillis(100)))) {
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (follower.store().current(CHANNEL).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }

            assertEquals(receiver.store().current(CHANNEL), follower.store().current(CHANNEL));
            assertTrue(Files.isRegularFile(kept(tmp.resolve("follower"), 1)));
        }
    }

    /**
     * A [[trust]] table's keys rotate by a rotation whose scope is the table's glob as written; one of scope "*"
     * is not checked on a receiver without --trust-key (nothing of that scope to rotate) and changes nothing.
     */
    @Test
    void shouldRotateTheKeysOfATrustTableByItsGlob() throws Exception {
        TestDeployment deployment = TestDeployment.withConfig(tmp, """
                [[trust]]
                channels  = ["icd*"]
                keys      = ["a/signing-pub.pem", "b/signing-pub.pem"]
                threshold = 2
                """);
        Path everyChannel = rotation("every", 1, List.of("m"), "a", "b", "m");
        Path icd = rotation("icd*", "icd", 1, List.of("n1"), "a", "b", "n1");
        try (Receiver tls = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("tls-root"))
                .withTls(deployment.receiverTls()).withGrants(deployment.config()))) {
            PushOptions options = PushOptions.defaults().withRetries(0, Duration.ZERO)
                    .withTls(deployment.senderTls());
            List<HostPort> to = List.of(new HostPort("127.0.0.1", tls.port()));

            TargetResult byM = Skiff.push(v1, CHANNEL, "2027-01", to, options.withSigning(new SigningOptions(key("m"),
                    SigningOptions.DEFAULT_VALIDITY, false).withRotations(List.of(everyChannel))), PushListener.NONE).targets().get(0);
            TargetResult byN1 = Skiff.push(v1, CHANNEL, "2027-01", to, options.withSigning(new SigningOptions(key("n1"),
                    SigningOptions.DEFAULT_VALIDITY, false).withRotations(List.of(icd))), PushListener.NONE).targets().get(0);

            assertEquals(ErrorCode.RELEASE_UNTRUSTED, byM.code(), "the '*' rotation changed nothing here: " + byM.error());
            assertTrue(byN1.activated(), byN1.error());
            assertTrue(Files.isRegularFile(tmp.resolve("tls-root").resolve("trust").resolve("icd%2A").resolve("1.rotation")));
            assertEquals(1, filesUnder(tmp.resolve("tls-root").resolve("trust")));
        }
    }

    @Test
    void shouldRefuseAChannelNamedLikeTheRotationsDirectory() {
        TargetResult r = push(receiver, v1, "trust", "1", "a");

        assertEquals(ErrorCode.MANIFEST_INVALID, r.code(), r.error());
        assertTrue(r.error().contains("a channel may not be named trust"), r.error());
    }

    @Test
    void shouldRefuseRotationFilesOutOfOrderBeforeConnecting() {
        Path one = rotation("r1", 1, List.of("n1"), "a", "b", "n1");
        Path two = rotation("r2", 2, List.of("m"), "n1", "m");

        SkiffException e = assertThrows(SkiffException.class, () -> push(receiver, v1, CHANNEL, "2027-01", "m", two, one));

        assertEquals(ErrorCode.USAGE, e.code());
        assertTrue(e.getMessage().contains("is rotation 1 of scope * after rotation 2"), e.getMessage());
    }
}
