package io.skiff.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.skiff.engine.Skiff;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.api.ReceiverLimits;
import io.skiff.engine.manifest.ManifestBuilder;
import io.skiff.engine.receive.Receiver;
import io.skiff.engine.store.TransferJournal;
import io.skiff.engine.testing.FaultyProxy;
import io.skiff.engine.testing.TestTrees;
import io.skiff.protocol.ChunkingParams;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.Sha256;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 6: crashes, as they happen to operators. The receiver (or the sender) runs in its own JVM and is
 * killed with SIGKILL at seeded random points of a push, found by watching the receiver root: the
 * journal growing, the commit under way (an executable bit set), the release directory appearing, or
 * a random delay. After each kill the root must hold only complete releases, {@code current} must be
 * the old release or the new one, {@code skiff verify} must pass after a restart, and pushing again
 * must activate a byte-identical tree, sending only what the journal did not keep. Disk full is an
 * injected write failure: a file size limit on the receiver JVM, and (where mounting is allowed) a
 * small tmpfs.
 *
 * <p>Pushes are slowed by a throttling proxy so the kill points fall inside the transfer; nothing here
 * asserts a duration. Reproduce a run with {@code -Dskiff.crash.seed=N} (the seed is in every message).
 */
class CrashTest {
    private static final long SEED = Long.getLong("skiff.crash.seed", 20_261_123L);
    /** Client-to-receiver bytes per second through the proxy: v2 takes about half a second. */
    private static final long RATE = 8_000_000;
    /** Journal header bytes, then one 8-byte record per chunk (see TransferJournal). */
    private static final int JOURNAL_HEADER = 44;
    private static final int JOURNAL_RECORD = 8;

    @TempDir
    Path tmp;
    /** When the kill poller first saw the commit's executable bit (0: not yet). */
    private long executableSince;
    private Path v1;
    private Path v2;

    /** Where a receiver JVM is killed during a push of v2. */
    private enum KillPoint {
        /** once the journal names a random 5-30 % of the chunks v2 sends */
        EARLY_IN_TRANSFER,
        /** once it names a random 55-80 % of them: the resume must send fewer chunks */
        LATE_IN_TRANSFER,
        /**
         * a random 0-15 ms after the commit set the executable bit on bin/aa-load.sh (then it syncs the files,
         * renames the tree to releases/ and switches {@code current})
         */
        DURING_COMMIT,
        /** once releases/<v2> exists: between the rename and the switch of {@code current}, or just after */
        AT_THE_SWITCH,
        /** once {@code current} points at v2: before the activation is logged and the journal deleted, or just after */
        AFTER_THE_SWITCH,
        /** after a random 0-800 ms from the start of the push (from the offer to after activation) */
        RANDOM_DELAY
    }

    @BeforeEach
    void sources() throws IOException {
        v1 = tmp.resolve("v1");
        TestTrees.randomFile(v1.resolve("data/a.bin"), 1_500_000, 1);
        TestTrees.textFile(v1.resolve("codes/terms.txt"), 1_000_000, 2);
        TestTrees.randomFile(v1.resolve("small.bin"), 5_000, 3);
        v2 = tmp.resolve("v2");
        TestTrees.randomFile(v2.resolve("data/a.bin"), 3_000_000, 11);
        TestTrees.randomFile(v2.resolve("data/b.bin"), 1_000_000, 12);
        Files.createDirectories(v2.resolve("codes"));
        Files.copy(v1.resolve("codes/terms.txt"), v2.resolve("codes/terms.txt")); // copied locally in an update
        TestTrees.randomFile(v2.resolve("small.bin"), 5_000, 13);
        Files.createDirectories(v2.resolve("bin"));
        Files.writeString(v2.resolve("bin/aa-load.sh"), "#!/bin/sh\necho load\n");
        TestTrees.setExecutable(v2.resolve("bin/aa-load.sh"));
    }

    /** The manifest a push of {@code src} builds (release ids are reproducible: creation time = newest mtime). */
    private static Manifest manifest(Path src, String channel, String version) {
        return ManifestBuilder.build(src, channel, version, ChunkingParams.DEFAULT, 2);
    }

    @Test
    void shouldKeepEveryReleaseIntactWhenTheReceiverIsKilledAtRandomPoints() throws Exception {
        Random random = new Random(SEED);
        Path root = tmp.resolve("root");
        Path history = tmp.resolve("history");
        KillPoint[] points = KillPoint.values();
        int runs = 2 * points.length; // every kill point, for a first release and for an update
        int lateRunsResumed = 0;
        List<String> log = new ArrayList<>();
        SkiffProcess receiver = SkiffProcess.receiver(root, "--journal-sync", "50");
        try {
            for (int run = 0; run < runs; run++) {
                KillPoint point = points[run % points.length];
                boolean update = run >= points.length;
                String channel = "c" + run; // one root for all runs: the other channels must survive every crash too
                String where = "seed=" + SEED + " run=" + run + " " + point + (update ? " (update)" : " (first release)");
                Manifest m1 = manifest(v1, channel, "v1");
                Manifest m2 = manifest(v2, channel, "v2");
                String id1 = m1.releaseId().hex();
                String id2 = m2.releaseId().hex();
                Set<Sha256> inV1 = new HashSet<>();
                for (int o = 0; update && o < m1.chunks().count(); o++) {
                    inV1.add(m1.chunks().hash(o));
                }
                Set<Sha256> distinct = new HashSet<>();
                int local = 0;
                for (int o = 0; o < m2.chunks().count(); o++) {
                    distinct.add(m2.chunks().hash(o));
                    local += inV1.contains(m2.chunks().hash(o)) ? 1 : 0;
                }
                assertEquals(m2.chunks().count(), distinct.size(), "test data: v2 repeats no chunk");
                int sent = m2.chunks().count() - local;

                if (update) {
                    CliTest.Run first = push(v1, channel, "v1", receiver.port(), history);
                    assertEquals(0, first.exit(), where + ": " + first.err());
                }
                int threshold = switch (point) {
                    case EARLY_IN_TRANSFER -> local + Math.max(1, sent * (5 + random.nextInt(26)) / 100);
                    case LATE_IN_TRANSFER -> local + sent * (55 + random.nextInt(26)) / 100;
                    default -> 0;
                };
                long delayNanos = TimeUnit.MILLISECONDS.toNanos(point == KillPoint.DURING_COMMIT ? random.nextInt(16) : random.nextInt(801));
                where += threshold > 0 ? " journal>=" + threshold + "/" + m2.chunks().count() : "";
                where += point == KillPoint.RANDOM_DELAY || point == KillPoint.DURING_COMMIT ? " delay=" + delayNanos / 1_000_000 + "ms" : "";

                Path channelDir = root.resolve(channel);
                Path journal = channelDir.resolve("staging").resolve(id2 + ".journal");
                Path commitMark = channelDir.resolve("staging").resolve(id2).resolve("bin/aa-load.sh");
                Path release2 = channelDir.resolve("releases").resolve(id2);
                CliTest.Run killed;
                int journaledAtKill;
                try (FaultyProxy proxy = new FaultyProxy(receiver.port()).throttle(RATE)) {
                    long start = System.nanoTime();
                    executableSince = 0;
                    CompletableFuture<CliTest.Run> pushing = CompletableFuture.supplyAsync(() -> CliTest.skiff("push", v2.toString(),
                            "--channel", channel, "--version", "v2", "--to", "127.0.0.1:" + proxy.port(), "--json", "--retries", "0",
                            "--idle-timeout", "10", "--history", history.toString()));
                    BooleanSupplier due = switch (point) {
                        case EARLY_IN_TRANSFER, LATE_IN_TRANSFER -> () -> journalRecords(journal) >= threshold;
                        case DURING_COMMIT -> () -> executable(commitMark, delayNanos);
                        case AT_THE_SWITCH -> () -> Files.isDirectory(release2);
                        case AFTER_THE_SWITCH -> () -> currentIs(channelDir, id2);
                        case RANDOM_DELAY -> () -> System.nanoTime() - start >= delayNanos;
                    };
                    boolean hit = awaitOrDone(due, pushing);
                    journaledAtKill = journalRecords(journal);
                    receiver.kill();
                    killed = pushing.get(30, TimeUnit.SECONDS);
                    where += hit ? "" : " (push ended first)";
                }
                String at = where;
                assertEquals(id2, killed.json().get("release_id").asText(), at);

                // On disk, with nothing running: only complete releases, current is the old or the new one.
                Optional<String> current = currentId(channelDir);
                log.add(at + ": killed push exit=" + killed.exit() + "; on disk: current=" + current.map(id -> id.equals(id1) ? "v1" : "v2").orElse("none")
                        + (Files.isDirectory(release2) ? ", releases/v2" : "") + (Files.exists(journal) ? ", journal" : ""));
                Set<String> allowed = update ? Set.of(id1, id2) : Set.of(id2);
                current.ifPresent(id -> assertTrue(allowed.contains(id), at + ": current -> " + id));
                assertTrue(current.isPresent() || !update, at + ": the update lost current");
                current.ifPresent(id -> assertTrue(Files.isDirectory(channelDir.resolve("current")), at + ": current dangles"));
                if (!Files.isDirectory(release2)) {
                    assertNotEquals(Optional.of(id2), current, at + ": current points at a release that is not there");
                }
                if (killed.exit() == 0) {
                    assertEquals(Optional.of(id2), current, at + ": the sender was told v2 is active");
                }
                boolean renamed = Files.isDirectory(release2);
                boolean resumable = !renamed && Files.isDirectory(channelDir.resolve("staging").resolve(id2));
                BitSet journaled = resumable ? TransferJournal.read(journal, m2.releaseId(), m2.chunks().count()) : new BitSet();
                assertTrue(journaled.cardinality() >= journaledAtKill || !resumable, at + ": the journal lost records: "
                        + journaled.cardinality() + " < " + journaledAtKill);

                if (resumable) { // status reads the crashed root as the next push will resume it
                    long bytesJournaled = 0;
                    for (int o = journaled.nextSetBit(0); o >= 0; o = journaled.nextSetBit(o + 1)) {
                        bytesJournaled += m2.chunks().length(o);
                    }
                    JsonNode staging = stagingStatus(root, channel, id2);
                    assertEquals(bytesJournaled, staging.get("bytes_done").asLong(), at + ": " + staging);
                    assertEquals(m2.totalBytes() - bytesJournaled, staging.get("bytes_missing").asLong(), at + ": " + staging);
                }

                receiver = SkiffProcess.receiver(root, "--journal-sync", "50");
                CliTest.Run verify = Files.isDirectory(channelDir) // killed before the offer: no channel yet
                        ? CliTest.skiff("verify", "--root", root.toString(), "--channel", channel, "--json")
                        : CliTest.skiff("verify", "--root", root.toString(), "--json");
                assertEquals(0, verify.exit(), at + ": " + verify.out() + verify.err());
                current.ifPresent(id -> TestTrees.assertSameTree(id.equals(id1) ? v1 : v2, channelDir.resolve("current")));
                assertEquals(current, lastActivated(channelDir), at + ": the audit trail must name the release that is current");
                if (update && current.equals(Optional.of(id1))) {
                    log.add(at + ": v1 stayed current");
                }

                CliTest.Run again = push(v2, channel, "v2", receiver.port(), history);
                assertEquals(0, again.exit(), at + ": " + again.err() + "\n" + receiver.output());
                JsonNode t = again.json().get("targets").get(0);
                assertEquals("activated", t.get("status").asText(), at);
                TestTrees.assertSameTree(v2, channelDir.resolve("current"));
                assertEquals(Optional.of(id2), currentId(channelDir), at);
                assertFalse(Files.exists(channelDir.resolve("staging").resolve(id2)), at + ": staging left after activation");
                int total = t.get("chunks_total").asInt();
                int resent = t.get("chunks_sent").asInt();
                if (current.equals(Optional.of(id2))) {
                    assertTrue(t.get("already_active").asBoolean(), at);
                } else if (resumable) {
                    assertEquals(total - journaled.cardinality(), resent + t.get("chunks_copied_locally").asInt(),
                            at + ": the resume must ask for exactly what the journal does not vouch for: " + t);
                } else if (renamed) {
                    assertEquals(0, resent, at + ": the renamed release holds every chunk: " + t);
                }
                if (point == KillPoint.LATE_IN_TRANSFER && resumable && journaledAtKill >= threshold) {
                    assertTrue(resent < sent, at + ": " + t);
                    lateRunsResumed++;
                }
                log.add(at + ": after restart " + resent + "/" + total + " chunks sent, journal kept " + journaled.cardinality());
            }

            // Every channel survived every later crash; gc clears what the crashes left and nothing else.
            CliTest.Run verifyAll = CliTest.skiff("verify", "--root", root.toString(), "--json");
            assertEquals(0, verifyAll.exit(), verifyAll.out());
            assertEquals(runs, verifyAll.json().get("channels").size(), verifyAll.out());
            CliTest.Run gc = CliTest.skiff("gc", "--root", root.toString(), "--older-than", "0s", "--json");
            assertEquals(0, gc.exit(), gc.err());
            log.add("gc: " + gc.json().get("removed").size() + " left-over journal(s) removed");
            assertEquals(0, CliTest.skiff("verify", "--root", root.toString()).exit());
            for (int run = 0; run < runs; run++) {
                Path channelDir = root.resolve("c" + run);
                TestTrees.assertSameTree(v2, channelDir.resolve("current"));
                assertEquals(List.of(), list(channelDir.resolve("staging")), "c" + run + ": staging after gc");
                assertEquals(run >= points.length ? 2 : 1, list(channelDir.resolve("releases")).size(), "c" + run + ": retained releases");
            }
        } finally {
            receiver.close();
        }
        System.out.println("CrashTest kill runs:\n" + String.join("\n", log));
        assertTrue(lateRunsResumed >= 1, "no late kill left a journal to resume from:\n" + String.join("\n", log));
    }

    /**
     * The sender's JVM killed mid-push. Its kernel still delivers what the sender had written to its socket
     * (up to 8 MiB: the sender asks for a 4 MiB send buffer, which Linux doubles), so the release is large
     * enough that the sender cannot have written all of it, COMMIT included, when the receiver has
     * journaled a random 10-30 % of it.
     */
    @Test
    void shouldResumeWhenTheSenderIsKilledMidPush() throws Exception {
        Random random = new Random(SEED + 1);
        Path root = tmp.resolve("root");
        Path big = tmp.resolve("v2-big");
        TestTrees.randomFile(big.resolve("data/big.bin"), 24_000_000, 41);
        TestTrees.textFile(big.resolve("codes/terms.txt"), 500_000, 42);
        Manifest m = manifest(big, "c", "v2");
        int threshold = m.chunks().count() * (10 + random.nextInt(21)) / 100;
        String where = "seed=" + SEED + " sender killed at journal>=" + threshold + "/" + m.chunks().count();
        Path journal = root.resolve("c/staging").resolve(m.releaseId().hex() + ".journal");
        Receiver receiver = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), root).withJournalSync(Duration.ofMillis(50)));
        try (FaultyProxy proxy = new FaultyProxy(receiver.port()).throttle(3 * RATE)) {
            try (SkiffProcess sender = SkiffProcess.start(SkiffProcess.command("push", big.toString(), "--channel", "c", "--version", "v2",
                    "--to", "127.0.0.1:" + proxy.port(), "--no-history", "--retries", "0", "--no-progress"))) {
                CompletableFuture<Void> exited = sender.process().onExit().thenApply(p -> null);
                assertTrue(awaitOrDone(() -> journalRecords(journal) >= threshold, exited), where + ": the push ended first:\n" + sender.output());
                sender.kill();
            }
            for (int i = 0; i < 1000 && !receiver.transfersInProgress().isEmpty(); i++) {
                Thread.sleep(10); // the receiver journals what arrived once the connection ends
            }
            assertEquals(Set.of(), receiver.transfersInProgress(), where);
            assertFalse(Files.exists(root.resolve("c/current"), LinkOption.NOFOLLOW_LINKS), where + ": activated without the sender");
            BitSet journaled = TransferJournal.read(journal, m.releaseId(), m.chunks().count());
            assertTrue(journaled.cardinality() >= threshold, where + ": " + journaled.cardinality());

            CliTest.Run again = CliTest.skiff("push", big.toString(), "--channel", "c", "--version", "v2", "--to",
                    "127.0.0.1:" + receiver.port(), "--no-history", "--json", "--retry-wait", "0.1");

            assertEquals(0, again.exit(), where + ": " + again.err());
            JsonNode t = again.json().get("targets").get(0);
            assertEquals("activated", t.get("status").asText());
            assertEquals(m.chunks().count(), t.get("chunks_total").asInt());
            assertEquals(m.chunks().count() - journaled.cardinality(), t.get("chunks_sent").asInt(), where + ": " + t);
            assertTrue(t.get("chunks_sent").asInt() < t.get("chunks_total").asInt(), where + ": " + t);
            TestTrees.assertSameTree(big, root.resolve("c/current"));
            assertEquals(0, CliTest.skiff("verify", "--root", root.toString()).exit());
        } finally {
            receiver.close();
        }
    }

    /**
     * Disk full, as a receiver JVM under a file size limit ({@code ulimit -f}) meets it: pre-sizing the
     * staging files of a release with a file beyond the limit fails (EFBIG, as ENOSPC would).
     */
    @Test
    void shouldFailWithStorageFailureAndKeepCurrentWhenTheReceiverCannotWriteStaging() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh for ulimit");
        Path root = tmp.resolve("root");
        Path big = tmp.resolve("v2-big");
        TestTrees.randomFile(big.resolve("data/huge.bin"), 12_000_000, 21); // beyond the limit (4 or 8 MiB: sh units differ)
        TestTrees.randomFile(big.resolve("aa/first.bin"), 300_000, 22);     // created before the huge file fails
        String id2 = manifest(big, "c", "v2").releaseId().hex();
        try (SkiffProcess receiver = SkiffProcess.receiver(List.of("/bin/sh", "-c", "ulimit -f 8192 && exec \"$@\"", "sh"), root,
                "--journal-sync", "50")) {
            CliTest.Run first = CliTest.skiff("push", v1.toString(), "--channel", "c", "--version", "v1", "--to",
                    "127.0.0.1:" + receiver.port(), "--no-history", "--json");
            assertEquals(0, first.exit(), first.err() + receiver.output());
            String id1 = first.json().get("release_id").asText();

            CliTest.Run full = CliTest.skiff("push", big.toString(), "--channel", "c", "--version", "v2", "--to",
                    "127.0.0.1:" + receiver.port(), "--no-history", "--json");

            assertFullAndRecovered(full, root, v1, id1, id2, receiver.output());
            assertTrue(full.err().contains("staging"), full.err());
        }
    }

    /**
     * Disk full for real, mid-transfer: the receiver's root on a 3 MiB tmpfs (skipped where mounting is not
     * allowed). The release fits when its transfer starts; the disk fills while it runs (a filler file
     * written next to the root once a megabyte is staged, the push throttled so that happens mid-way).
     */
    @Test
    void shouldFailWithStorageFailureWhenTheDiskFillsMidTransfer() throws Exception {
        Path mount = mountSmallTmpfs();
        try {
            Path root = mount.resolve("root");
            Path small = tmp.resolve("v1-small");
            TestTrees.randomFile(small.resolve("a.bin"), 500_000, 31);
            Path large = tmp.resolve("v2-large");
            TestTrees.randomFile(large.resolve("a.bin"), 2_000_000, 32);
            String id2 = manifest(large, "c", "v2").releaseId().hex();
            // through the page cache: chunks reach the file system as they arrive (direct writes hold a file this small
            // in one segment buffer until its last chunk, on a kernel whose tmpfs takes O_DIRECT)
            Receiver receiver = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), root).withJournalSync(Duration.ofMillis(50))
                    .withLimits(ReceiverLimits.DEFAULTS.withDiskReserve(0)).withDirectWrites(false));
            try (FaultyProxy slow = new FaultyProxy(receiver.port()).throttle(400_000)) {
                CliTest.Run first = CliTest.skiff("push", small.toString(), "--channel", "c", "--version", "v1", "--to",
                        "127.0.0.1:" + receiver.port(), "--no-history", "--json");
                assertEquals(0, first.exit(), first.err());
                String id1 = first.json().get("release_id").asText();
                long usableBefore = Files.getFileStore(root).getUsableSpace();

                CompletableFuture<CliTest.Run> push = CompletableFuture.supplyAsync(() -> CliTest.skiff("push", large.toString(),
                        "--channel", "c", "--version", "v2", "--to", "127.0.0.1:" + slow.port(), "--no-history", "--json"));
                assertTrue(awaitOrDone(() -> usableBefore - usable(root) > 1_100_000, push), "a megabyte staged before the push ended");
                fill(mount.resolve("filler"));
                CliTest.Run full = push.get(60, TimeUnit.SECONDS);
                for (int i = 0; i < 1000 && !receiver.transfersInProgress().isEmpty(); i++) {
                    Thread.sleep(10);
                }
                Files.delete(mount.resolve("filler"));
                long freeBefore = Files.getFileStore(root).getUsableSpace();
                assertFullAndRecovered(full, root, small, id1, id2, "");
                assertTrue(full.err().contains("No space left"), full.err());
                assertTrue(Files.getFileStore(root).getUsableSpace() - freeBefore > 1_000_000, "gc freed the partial transfer");
            } finally {
                receiver.close();
            }
        } finally {
            unmount(mount);
        }
    }

    /**
     * A release that cannot fit on a real small disk (4 MB on a 3 MiB tmpfs) is refused before its
     * transfer starts: one line, storage_failure, nothing of it left, the current release untouched.
     */
    @Test
    void shouldRefuseAReleaseThatCannotFitBeforeStagingIt() throws Exception {
        Path mount = mountSmallTmpfs();
        try {
            Path root = mount.resolve("root");
            Path small = tmp.resolve("v1-small");
            TestTrees.randomFile(small.resolve("a.bin"), 500_000, 31);
            Path large = tmp.resolve("v2-large");
            TestTrees.randomFile(large.resolve("a.bin"), 4_000_000, 32);
            Receiver receiver = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), root)
                    .withLimits(ReceiverLimits.DEFAULTS.withDiskReserve(0)));
            try {
                CliTest.Run first = CliTest.skiff("push", small.toString(), "--channel", "c", "--version", "v1", "--to",
                        "127.0.0.1:" + receiver.port(), "--no-history", "--json");
                assertEquals(0, first.exit(), first.err());
                String id1 = first.json().get("release_id").asText();

                CliTest.Run full = CliTest.skiff("push", large.toString(), "--channel", "c", "--version", "v2", "--to",
                        "127.0.0.1:" + receiver.port(), "--no-history", "--json");

                assertEquals(13, full.exit(), full.out() + full.err());
                assertEquals(1, full.err().strip().lines().count(), full.err());
                assertTrue(full.err().contains("not enough disk space for c v2"), full.err());
                for (int i = 0; i < 1000 && !receiver.transfersInProgress().isEmpty(); i++) {
                    Thread.sleep(10);
                }
                try (var staging = Files.list(root.resolve("c/staging"))) {
                    assertEquals(List.of(), staging.toList(), "nothing staged");
                }
                assertEquals(Optional.of(id1), currentId(root.resolve("c")));
                assertEquals(0, CliTest.skiff("verify", "--root", root.toString()).exit());
            } finally {
                receiver.close();
            }
        } finally {
            unmount(mount);
        }
    }

    /** A 3 MiB tmpfs at {@code small-fs} (the test is skipped where mounting is not allowed); {@link #unmount} it after. */
    private Path mountSmallTmpfs() throws IOException, InterruptedException {
        Path mount = Files.createDirectories(tmp.resolve("small-fs"));
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "tmpfs is Linux");
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mount.toString()) == 0, "cannot mount a tmpfs here (not root?)");
        return mount;
    }

    private static void unmount(Path mount) throws InterruptedException {
        if (run("umount", mount.toString()) != 0) {
            run("umount", "-l", mount.toString());
        }
    }

    private static long usable(Path dir) {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Writes {@code file} until the file system is full. */
    private static void fill(Path file) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (var out = Files.newOutputStream(file)) {
            for (int i = 0; i < 1024; i++) { // 64 MiB at most: the tmpfs holds 3
                out.write(block);
            }
        } catch (IOException full) {
            return; // ENOSPC: what this is for
        }
        throw new AssertionError("64 MiB written and the file system is not full");
    }

    /** The push failed with storage_failure (exit 13, one line), v1 is still current and verifies, gc reclaims the staging. */
    private void assertFullAndRecovered(CliTest.Run full, Path root, Path v1Source, String id1, String id2, String receiverLog) throws IOException {
        assertEquals(13, full.exit(), full.out() + full.err() + receiverLog);
        JsonNode t = full.json().get("targets").get(0);
        assertEquals("storage_failure", t.get("error_code").asText(), t.toString());
        assertEquals(1, t.get("attempts").asInt(), "a storage failure is not retried");
        assertEquals(1, full.err().strip().lines().count(), full.err());
        assertTrue(full.err().startsWith("skiff: error: "), full.err());
        assertEquals(Optional.of(id1), currentId(root.resolve("c")));
        assertEquals(0, CliTest.skiff("verify", "--root", root.toString()).exit());
        assertTrue(Files.exists(root.resolve("c/staging").resolve(id2), LinkOption.NOFOLLOW_LINKS), "the failed transfer left staging");

        CliTest.Run gc = CliTest.skiff("gc", "--root", root.toString(), "--older-than", "0s", "--json");

        assertEquals(0, gc.exit(), gc.err());
        assertTrue(Files.readString(root.resolve("audit").resolve("audit-00000001.jsonl")).contains("\"actor\":\"operator\",\"peer\":null,"
                + "\"action\":\"gc\",\"channel\":\"c\""), "gc is in the receiver's audit trail");
        JsonNode removed = gc.json().get("removed");
        assertEquals(1, removed.size(), gc.out());
        assertEquals(id2, removed.get(0).get("release_id").asText());
        assertFalse(Files.exists(root.resolve("c/staging").resolve(id2), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(root.resolve("c/staging").resolve(id2 + ".journal")));
        assertFalse(Files.exists(root.resolve("c/manifests").resolve(id2 + ".manifest")));
        assertTrue(Files.exists(root.resolve("c/manifests").resolve(id1 + ".manifest")));
        assertEquals(Optional.of(id1), currentId(root.resolve("c")));
        TestTrees.assertSameTree(v1Source, root.resolve("c/current"));
        assertEquals(0, CliTest.skiff("verify", "--root", root.toString()).exit());
    }

    private static CliTest.Run push(Path src, String channel, String version, int port, Path history) {
        return CliTest.skiff("push", src.toString(), "--channel", channel, "--version", version, "--to", "127.0.0.1:" + port,
                "--json", "--retries", "2", "--retry-wait", "0.1", "--history", history.toString());
    }

    /**
     * Polls (every millisecond, at most 30 s) until {@code due} holds or {@code done} completed; returns
     * whether {@code due} held.
     */
    private static boolean awaitOrDone(BooleanSupplier due, CompletableFuture<?> done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (due.getAsBoolean()) {
                return true;
            }
            if (done.isDone()) {
                return due.getAsBoolean();
            }
            Thread.sleep(1);
        }
        throw new AssertionError("neither the kill point nor the end of the push within 30 s");
    }

    private static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var entries = Files.list(dir)) {
            return entries.toList();
        }
    }

    /** The {@code skiff status --json} entry of a staging release. */
    private static JsonNode stagingStatus(Path root, String channel, String id) throws IOException {
        CliTest.Run status = CliTest.skiff("status", "--root", root.toString(), "--json");
        assertEquals(0, status.exit(), status.err());
        for (JsonNode c : status.json().get("channels")) {
            if (c.get("channel").asText().equals(channel)) {
                for (JsonNode s : c.get("staging")) {
                    if (s.get("release_id").asText().equals(id)) {
                        return s;
                    }
                }
            }
        }
        throw new AssertionError("status lists no staging " + id + " in " + channel + ": " + status.out());
    }

    /** Complete records in a journal file as it is now; -1 without one. */
    private static int journalRecords(Path journal) {
        try {
            long size = Files.size(journal);
            return size < JOURNAL_HEADER ? 0 : (int) ((size - JOURNAL_HEADER) / JOURNAL_RECORD);
        } catch (IOException e) {
            return -1;
        }
    }

    /** Whether {@code file} became executable at least {@code delayNanos} ago (first seen by this poller). */
    private boolean executable(Path file, long delayNanos) {
        if (executableSince == 0) {
            try {
                if (!Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS).contains(PosixFilePermission.OWNER_EXECUTE)) {
                    return false;
                }
            } catch (IOException e) {
                return false; // not there yet, or renamed already (then releases/ has it)
            }
            executableSince = System.nanoTime();
        }
        return System.nanoTime() - executableSince >= delayNanos;
    }

    private static boolean currentIs(Path channelDir, String id) {
        try {
            return Files.readSymbolicLink(channelDir.resolve("current")).getFileName().toString().equals(id);
        } catch (IOException e) {
            return false;
        }
    }

    /** The release id of the last "activated" line of the channel's activations.log, if any. */
    private static Optional<String> lastActivated(Path channelDir) throws IOException {
        Path log = channelDir.resolve("activations.log");
        if (!Files.exists(log)) {
            return Optional.empty();
        }
        Optional<String> last = Optional.empty();
        for (String line : Files.readAllLines(log)) {
            int at = line.indexOf(" activated release=");
            if (at >= 0) {
                last = Optional.of(line.substring(at + " activated release=".length()).split(" ")[0]);
            }
        }
        return last;
    }

    private static Optional<String> currentId(Path channelDir) throws IOException {
        Path link = channelDir.resolve("current");
        if (!Files.isSymbolicLink(link)) {
            assertFalse(Files.exists(link, LinkOption.NOFOLLOW_LINKS), "current is not a symlink");
            return Optional.empty();
        }
        return Optional.of(Files.readSymbolicLink(link).getFileName().toString());
    }

    /** Runs a system command (at most 20 s); its exit code, -1 if it cannot run. */
    private static int run(String... command) throws InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            return -1;
        }
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            return -1;
        }
        return p.exitValue();
    }
}
