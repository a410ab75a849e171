package io.skiff.engine.encode;

import io.skiff.engine.Skiff;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.PushListener;
import io.skiff.engine.api.PushOptions;
import io.skiff.engine.api.PushResult;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.api.TargetResult;
import io.skiff.engine.receive.Receiver;
import io.skiff.engine.testing.TestTrees;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.frame.ChunkEncoding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Delta transfers end to end over loopback TCP: a receiver holding v1 gets v2 with only what changed
 * on the wire, reference-compressed against v1 when the sender's history has it, and never trusts its
 * own copy of v1 without re-hashing it.
 */
public class DeltaTransferTest {
    private static final String CHANNEL = "snomed";

    @TempDir
    Path tmp;
    private final List<Receiver> receivers = new ArrayList<>();
    private Path history;

    @BeforeEach
    void setUp() {
        history = tmp.resolve("history");
    }

    @AfterEach
    void stopReceivers() {
        receivers.forEach(Receiver::close);
    }

    private Receiver startReceiver(String name) {
        Receiver r = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve(name)));
        receivers.add(r);
        return r;
    }

    private TargetResult push(Path source, String version, Receiver target) {
        return push(source, version, target, PushOptions.defaults().withHistory(history));
    }

    private static TargetResult push(Path source, String version, Receiver target, PushOptions options) {
        PushResult result = Skiff.push(source, CHANNEL, version, List.of(new HostPort("127.0.0.1", target.port())), options,
                PushListener.NONE);
        TargetResult t = result.targets().get(0);
        assertTrue(t.activated(), () -> version + " not activated: " + t.error());
        return t;
    }

    private static Path current(Receiver r) {
        return r.store().channelDir(CHANNEL).resolve("current");
    }

    private static long chunks(TargetResult t, ChunkEncoding e) {
        return t.delta().encodings().get(e).chunks();
    }

    /** Wire bytes of chunk payloads and frames, apart from the manifest. */
    private static long wireWithoutManifest(TargetResult t) {
        return t.bytesWire() - t.delta().manifestBytes();
    }

    @Test
    void shouldSendLessThanTwoPercentWhenOneByteIsInsertedAtTheStartOf20MB() throws IOException {
        Path v1 = tmp.resolve("v1");
        TestTrees.randomFile(v1.resolve("big.bin"), 20_000_000, 1);
        Path v2 = copyTree(v1, tmp.resolve("v2"));
        byte[] old = Files.readAllBytes(v2.resolve("big.bin"));
        byte[] edited = new byte[old.length + 1];
        edited[0] = 42;
        System.arraycopy(old, 0, edited, 1, old.length);
        Files.write(v2.resolve("big.bin"), edited);
        Receiver receiver = startReceiver("r");

        push(v1, "v1", receiver);
        TargetResult update = push(v2, "v2", receiver);

        TestTrees.assertSameTree(v2, current(receiver));
        assertTrue(update.bytesWire() < 0.02 * 20_000_000, "wire bytes " + update.bytesWire());
        assertTrue(update.chunksSent() <= 2, "chunks sent " + update.chunksSent());
        assertEquals(update.chunksTotal() - update.chunksSent(), update.chunksCopiedLocally());
    }

    @Test
    void shouldSendOnlyTheManifestWhenFilesAreRenamedMovedDuplicatedAndDeleted() throws IOException {
        Path v1 = tmp.resolve("v1");
        TestTrees.textFile(v1.resolve("terms/description.txt"), 3_000_000, 2);
        TestTrees.textFile(v1.resolve("terms/concept.txt"), 1_000_000, 3);
        TestTrees.randomFile(v1.resolve("refsets/language/en.bin"), 500_000, 4);
        TestTrees.textFile(v1.resolve("obsolete/old.txt"), 200_000, 5);
        Path v2 = copyTree(v1, tmp.resolve("v2"));
        Files.move(v2.resolve("terms/description.txt"), v2.resolve("terms/description_20270101.txt"));
        Files.createDirectories(v2.resolve("moved"));
        Files.move(v2.resolve("refsets"), v2.resolve("moved/refsets"));
        Files.copy(v2.resolve("terms/concept.txt"), v2.resolve("terms/concept-copy.txt"));
        io.skiff.engine.files.DirectoryTrees.deleteRecursively(v2.resolve("obsolete"));
        Receiver receiver = startReceiver("r");

        push(v1, "v1", receiver);
        TargetResult update = push(v2, "v2", receiver);

        TestTrees.assertSameTree(v2, current(receiver));
        assertFalse(Files.exists(current(receiver).resolve("obsolete")));
        assertEquals(0, update.chunksSent());
        assertTrue(wireWithoutManifest(update) < 1024, "wire " + update.bytesWire() + " manifest " + update.delta().manifestBytes());
        assertTrue(update.delta().manifestBytes() > 0);
    }

    @Test
    void shouldEncodeChangedRowsAgainstTheBaseAndSendFarLessThanPlainZstd() throws IOException {
        Path v1 = tmp.resolve("v1");
        TestTrees.textFile(v1.resolve("sct2_Description_Full_20270101.txt"), 4_000_000, 6);
        TestTrees.textFile(v1.resolve("sct2_Concept_Full_20270101.txt"), 2_000_000, 7);
        Path v2 = tmp.resolve("v2");
        editRows(v1.resolve("sct2_Description_Full_20270101.txt"), v2.resolve("sct2_Description_Full_20270201.txt"), 8);
        editRows(v1.resolve("sct2_Concept_Full_20270101.txt"), v2.resolve("sct2_Concept_Full_20270201.txt"), 9);
        Receiver withHistory = startReceiver("with-history");
        Receiver withoutHistory = startReceiver("without-history");
        PushOptions noHistory = PushOptions.defaults();

        push(v1, "v1", withHistory);
        push(v1, "v1", withoutHistory, noHistory);
        TargetResult delta = push(v2, "v2", withHistory);
        TargetResult plain = push(v2, "v2", withoutHistory, noHistory);

        TestTrees.assertSameTree(v2, current(withHistory));
        TestTrees.assertSameTree(v2, current(withoutHistory));
        assertTrue(delta.chunksSent() > 10, "every chunk holds an edit: " + delta.chunksSent());
        assertEquals(delta.chunksSent(), chunks(delta, ChunkEncoding.ZSTD_REF), "all changed chunks against the base");
        assertEquals(0, chunks(plain, ChunkEncoding.ZSTD_REF));
        assertTrue(delta.bytesWire() * 5 < plain.bytesWire(), "with reference " + delta.bytesWire() + ", plain zstd " + plain.bytesWire());
        Sha256 v1Id = withHistory.store().releases(CHANNEL).get(1);
        assertEquals(v1Id, delta.delta().base());
        assertNull(plain.delta().base());
        assertTrue(delta.delta().manifestBytes() < plain.delta().manifestBytes(),
                "manifest against the base " + delta.delta().manifestBytes() + " vs alone " + plain.delta().manifestBytes());
    }

    @Test
    void shouldRefetchAndStillActivateWhenTheReceiversBaseWasTampered() throws IOException {
        Path v1 = tmp.resolve("v1");
        Path v2 = tmp.resolve("v2");
        editedCodeFile(v1, v2, 3_000_000, 10);
        TestTrees.textFile(v1.resolve("gone.txt"), 1_000_000, 11);
        Files.copy(v1.resolve("gone.txt"), v2.resolve("kept-name.txt"));
        Receiver receiver = startReceiver("r");
        push(v1, "v1", receiver);
        Path base = current(receiver).toRealPath();
        // an operator "fixes" the live files by hand: every byte of one file changed, the other deleted
        scramble(base.resolve("codes.txt"));
        Files.delete(base.resolve("gone.txt"));

        TargetResult update = push(v2, "v2", receiver);

        TestTrees.assertSameTree(v2, current(receiver));
        assertTrue(update.delta().chunksRefetched() > 0, "references into a damaged base are fetched again");
        assertEquals(0, update.chunksCopiedLocally(), "nothing copied from the damaged base");
        assertTrue(Files.readString(receiver.store().channelDir(CHANNEL).resolve("activations.log")).contains("version=v2"));
    }

    @Test
    void shouldFallBackToPlainZstdWhenTheSendersHistoryChangedUnderIt() throws IOException {
        Path v1 = tmp.resolve("v1");
        Path v2 = tmp.resolve("v2");
        editedCodeFile(v1, v2, 2_000_000, 17);
        Receiver receiver = startReceiver("r");
        push(v1, "v1", receiver);
        // the history hard-links the pushed files: a pipeline editing v1 in place edits the history too
        scramble(v1.resolve("codes.txt"));

        TargetResult update = push(v2, "v2", receiver);

        TestTrees.assertSameTree(v2, current(receiver));
        assertEquals(0, chunks(update, ChunkEncoding.ZSTD_REF), "no reference from bytes that do not verify");
        assertEquals(update.chunksSent(), chunks(update, ChunkEncoding.ZSTD));
        assertEquals(0, update.delta().chunksRefetched());
    }

    @Test
    void shouldRefetchWhenTheSendersHistoryChangedButKeptItsModificationTime() throws IOException {
        Path v1 = tmp.resolve("v1");
        Path v2 = tmp.resolve("v2");
        editedCodeFile(v1, v2, 2_000_000, 19);
        Receiver receiver = startReceiver("r");
        push(v1, "v1", receiver);
        java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(v1.resolve("codes.txt"));
        // its first 256 KiB now hold v2's bytes: the sender's best matches there are bytes the receiver's v1 lacks
        overwriteStart(v1.resolve("codes.txt"), v2.resolve("codes.txt"), 256 * 1024);
        Files.setLastModifiedTime(v1.resolve("codes.txt"), mtime); // e.g. an in-place copy that preserves times

        TargetResult update = push(v2, "v2", receiver);

        TestTrees.assertSameTree(v2, current(receiver));
        assertTrue(update.delta().chunksRefetched() > 0, "the sender trusted an unmodified-looking base; the receiver caught it: " + update);
        assertEquals(update.chunksSent(), chunks(update, ChunkEncoding.ZSTD_REF) + chunks(update, ChunkEncoding.ZSTD)
                + chunks(update, ChunkEncoding.RAW), "chunks sent count the second sending");
        assertEquals(update.delta().chunksRefetched(), chunks(update, ChunkEncoding.ZSTD) + chunks(update, ChunkEncoding.RAW),
                "sent again without a reference");
    }

    @Test
    void shouldSendAFullCorrectCopyToAReceiverWithoutTheBase() throws IOException {
        Path v1 = tmp.resolve("v1");
        Path v2 = tmp.resolve("v2");
        editedCodeFile(v1, v2, 2_000_000, 13);
        Receiver old = startReceiver("old");
        Receiver fresh = startReceiver("fresh");
        push(v1, "v1", old);

        TargetResult full = push(v2, "v2", fresh);

        TestTrees.assertSameTree(v2, current(fresh));
        assertNull(full.delta().base());
        assertEquals(full.chunksTotal(), full.chunksSent());
        assertEquals(0, chunks(full, ChunkEncoding.ZSTD_REF));
    }

    @Test
    void shouldTakeChunksFromASeedDirectory() throws IOException {
        Path v1 = tmp.resolve("v1");
        TestTrees.textFile(v1.resolve("loinc/Loinc.csv"), 3_000_000, 15);
        TestTrees.randomFile(v1.resolve("loinc/map.bin"), 1_000_000, 16);
        Path seed = copyTree(v1, tmp.resolve("unpacked-by-hand"));
        Receiver seeded = Skiff.receiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), tmp.resolve("seeded"))
                .withSeeds(List.of(seed)));
        receivers.add(seeded);

        TargetResult first = push(v1, "v1", seeded);

        TestTrees.assertSameTree(v1, current(seeded));
        assertEquals(0, first.chunksSent());
        assertEquals(first.chunksTotal(), first.chunksCopiedLocally());
        assertTrue(first.bytesWire() - first.delta().manifestBytes() < 1024, "wire " + first.bytesWire());
    }

    /** v1/codes.txt of about {@code size} bytes of text rows, and v2/codes.txt: the same rows edited by {@link #editRows}. */
    private static void editedCodeFile(Path v1, Path v2, long size, long seed) throws IOException {
        TestTrees.textFile(v1.resolve("codes.txt"), size, seed);
        editRows(v1.resolve("codes.txt"), v2.resolve("codes.txt"), seed + 1);
    }

    /** Copies v1 to v2 changing about one row in a hundred and inserting a few, in order, like a code-set release. */
    public static void editRows(Path from, Path to, long seed) throws IOException {
        Files.createDirectories(to.getParent());
        SplittableRandom random = new SplittableRandom(seed);
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(from, StandardCharsets.UTF_8)) {
            int dice = random.nextInt(200);
            if (dice < 2) {
                out.add(line.replace("\t1\t", "\t0\t") + " retired");
            } else if (dice == 2) {
                out.add(line);
                out.add(line.split("\t", 2)[0] + "1\t20270201\t1\tnew concept inserted in order");
            } else {
                out.add(line);
            }
        }
        Files.write(to, out, StandardCharsets.UTF_8);
    }

    private static void scramble(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            byte[] bytes = new byte[(int) f.length()];
            f.readFully(bytes);
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] ^= 0x20;
            }
            f.seek(0);
            f.write(bytes);
        }
    }

    /** Changes one byte in every 4 KiB. */
    /** Overwrites the first {@code length} bytes of {@code file} with those of {@code from}, keeping its size. */
    private static void overwriteStart(Path file, Path from, int length) throws IOException {
        byte[] bytes = new byte[length];
        try (RandomAccessFile source = new RandomAccessFile(from.toFile(), "r");
             RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            source.readFully(bytes);
            f.write(bytes);
        }
    }

    private static Path copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return to;
    }
}
