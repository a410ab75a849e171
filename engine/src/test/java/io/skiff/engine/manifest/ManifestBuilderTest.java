package io.skiff.engine.manifest;

import io.skiff.engine.chunk.FileChunker;
import io.skiff.engine.chunk.FileDigest;
import io.skiff.protocol.ChunkListDigest;
import io.skiff.protocol.ChunkTable;
import io.skiff.protocol.ChunkingParams;
import io.skiff.protocol.EntryKind;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ManifestEntry;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SkiffException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ManifestBuilderTest {
    private static final ChunkingParams PARAMS = ChunkingParams.DEFAULT;
    private static final long CREATED_AT = 1_700_000_000_000L;

    @TempDir
    Path root;

    @Test
    void shouldDescribeEveryEntryWhenTreeHasNestedDirsEmptyDirEmptyFileAndNonAsciiNames() throws IOException {
        sampleTree();

        Manifest m = ManifestBuilder.build(root, "icd10cm", "2027-01", PARAMS, 2, CREATED_AT);

        Map<String, ManifestEntry> byPath = new TreeMap<>();
        m.entries().forEach(e -> byPath.put(e.path(), e));
        assertEquals(List.of("Déjà vu", "Déjà vu/файл.txt", "bin", "bin/run.sh", "data", "data/a", "data/a/b",
                "data/a/b/codes.tsv", "data/empty.txt", "empty-dir", "readme.txt"), List.copyOf(byPath.keySet()));
        assertEquals(EntryKind.DIRECTORY, byPath.get("empty-dir").kind());
        assertEquals(EntryKind.DIRECTORY, byPath.get("data/a/b").kind());
        assertNull(byPath.get("data/a").sha256());

        ManifestEntry empty = byPath.get("data/empty.txt");
        assertEquals(0, empty.size());
        assertEquals(0, empty.chunkCount());
        assertEquals(Sha256.digest(new byte[0]), empty.sha256());

        assertTrue(byPath.get("bin/run.sh").executable());
        assertEquals(0755, byPath.get("bin/run.sh").mode());
        assertFalse(byPath.get("readme.txt").executable());
        assertEquals(0644, byPath.get("readme.txt").mode());

        ManifestEntry unicode = byPath.get("Déjà vu/файл.txt");
        byte[] unicodeBytes = "привет".getBytes(StandardCharsets.UTF_8);
        assertEquals(unicodeBytes.length, unicode.size());
        // one chunk: the file digest is SHA-256 over (SHA-256 of the bytes, length)
        assertEquals(ChunkListDigest.of(Sha256.digest(unicodeBytes).toBytes(), new int[]{unicodeBytes.length}), unicode.sha256());

        assertEquals(5, m.fileCount());
        assertEquals(11, m.entries().size());
    }

    @Test
    void shouldRecordChunksOfEachFileWhenFilesSpanManyChunks() throws IOException {
        Path big = root.resolve("data/a/b/codes.tsv");
        sampleTree();

        Manifest m = ManifestBuilder.build(root, "icd10cm", "2027-01", PARAMS, 2, CREATED_AT);

        FileDigest expected = FileChunker.digestSingleThreaded(big, PARAMS);
        ManifestEntry entry = m.entries().stream().filter(e -> e.path().equals("data/a/b/codes.tsv")).findFirst().orElseThrow();
        assertEquals(expected.size(), entry.size());
        assertEquals(expected.sha256(), entry.sha256());
        assertEquals(expected.chunkCount(), entry.chunkCount());
        assertTrue(entry.chunkCount() > 10);
        ChunkTable chunks = m.chunks();
        long offset = 0;
        for (int i = 0; i < entry.chunkCount(); i++) {
            int ordinal = entry.firstChunk() + i;
            assertEquals(expected.chunkHash(i), chunks.hash(ordinal));
            assertEquals(expected.chunkLengths()[i], chunks.length(ordinal));
            assertEquals(offset, chunks.offset(ordinal));
            offset += chunks.length(ordinal);
        }
        assertEquals(m.totalBytes(), m.entries().stream().mapToLong(ManifestEntry::size).sum());
    }

    @Test
    void shouldKeepReleaseIdWhenBuiltTwiceWithSameCreatedAt() throws IOException {
        sampleTree();

        Manifest first = ManifestBuilder.build(root, "icd10cm", "2027-01", PARAMS, 2, CREATED_AT);
        Manifest second = ManifestBuilder.build(root, "icd10cm", "2027-01", PARAMS, 2, CREATED_AT);
        Manifest singleThreaded = ManifestBuilder.build(root, "icd10cm", "2027-01", PARAMS, 1, CREATED_AT);
        Manifest later = ManifestBuilder.build(root, "icd10cm", "2027-01", PARAMS, 2, CREATED_AT + 1);

        assertEquals(first.releaseId(), second.releaseId());
        assertEquals(first.releaseId(), singleThreaded.releaseId());
        assertNotEquals(first.releaseId(), later.releaseId());
        assertEquals(CREATED_AT, first.createdAtMillis());
    }

    @Test
    void shouldChangeReleaseIdWhenOneByteChanges() throws IOException {
        sampleTree();
        Manifest before = ManifestBuilder.build(root, "icd10cm", "2027-01", PARAMS, 2, CREATED_AT);
        Files.writeString(root.resolve("readme.txt"), "Readme");
        Manifest after = ManifestBuilder.build(root, "icd10cm", "2027-01", PARAMS, 2, CREATED_AT);
        assertNotEquals(before.releaseId(), after.releaseId());
    }

    @Test
    void shouldFollowRootWhenRootIsASymbolicLink() throws IOException {
        Path release = root.resolve("releases/r1");
        sampleTree(release);
        Path link = Files.createSymbolicLink(root.resolve("current"), root.relativize(release));
        Manifest viaLink = ManifestBuilder.build(link, "icd10cm", "2027-01", PARAMS, 2, CREATED_AT);
        Manifest direct = ManifestBuilder.build(release, "icd10cm", "2027-01", PARAMS, 2, CREATED_AT);
        assertEquals(direct.releaseId(), viaLink.releaseId());
    }

    @Test
    void shouldFailWithSourceInvalidWhenRootDoesNotExist() {
        assertSourceInvalid(root.resolve("missing"), "does not exist");
    }

    @Test
    void shouldFailWithSourceInvalidWhenRootIsAFile() throws IOException {
        Path file = Files.writeString(root.resolve("file.txt"), "x");
        assertSourceInvalid(file, "not a directory");
    }

    @Test
    void shouldFailWithSourceInvalidWhenRootIsEmpty() {
        assertSourceInvalid(root, "source directory is empty");
    }

    @Test
    void shouldFailWithSourceInvalidWhenRootHasOnlyEmptyDirectories() throws IOException {
        Files.createDirectories(root.resolve("a/b"));
        assertSourceInvalid(root, "source directory is empty");
    }

    @Test
    void shouldFailWithSourceInvalidWhenTreeHasASymbolicLink() throws IOException {
        sampleTree();
        Files.createSymbolicLink(root.resolve("data/link.txt"), root.resolve("readme.txt"));
        assertSourceInvalid(root, "symbolic links are not supported yet: " + root.resolve("data/link.txt"));
    }

    @Test
    void shouldFailWithSourceInvalidWhenTreeHasASymbolicLinkToADirectory() throws IOException {
        sampleTree();
        Files.createSymbolicLink(root.resolve("dirlink"), root.resolve("data"));
        assertSourceInvalid(root, "symbolic links are not supported yet: " + root.resolve("dirlink"));
    }

    @Test
    void shouldFailWithSourceInvalidWhenTreeHasAFifo() throws Exception {
        sampleTree();
        Path fifo = root.resolve("data/pipe");
        int exit;
        try {
            Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            exit = p.exitValue();
        } catch (IOException e) {
            exit = -1;
        }
        Assumptions.assumeTrue(exit == 0, "needs mkfifo");
        assertSourceInvalid(root, "not a regular file: " + fifo);
    }

    @Test
    void shouldFailWithSourceInvalidWhenAFileIsUnreadable() throws IOException {
        Assumptions.assumeFalse("root".equals(System.getProperty("user.name")), "root reads any file");
        sampleTree();
        Path secret = root.resolve("data/secret.txt");
        Files.writeString(secret, "secret");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
        assertSourceInvalid(root, "cannot read " + secret);
    }

    @Test
    void shouldFailWithSourceInvalidWhenADirectoryIsUnreadable() throws IOException {
        Assumptions.assumeFalse("root".equals(System.getProperty("user.name")), "root reads any directory");
        sampleTree();
        Path closed = Files.createDirectories(root.resolve("closed"));
        Files.writeString(closed.resolve("x"), "x");
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("---------"));
        try {
            assertSourceInvalid(root, "cannot read " + closed);
        } finally {
            Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void shouldFailWithSourceInvalidWhenANameHasABackslash() throws IOException {
        sampleTree();
        Files.writeString(root.resolve("a\\b.txt"), "x");
        assertSourceInvalid(root, "unsupported path");
    }

    private void assertSourceInvalid(Path source, String messagePart) {
        SkiffException e = assertThrows(SkiffException.class,
                () -> ManifestBuilder.build(source, "icd10cm", "2027-01", PARAMS, 2, CREATED_AT));
        assertEquals(ErrorCode.SOURCE_INVALID, e.code());
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    /** 5 files (one empty, one executable, one of ~5 MiB, one with non-ASCII names), 6 directories. */
    private void sampleTree() throws IOException {
        sampleTree(root);
    }

    private static void sampleTree(Path root) throws IOException {
        Files.createDirectories(root.resolve("data/a/b"));
        Files.createDirectories(root.resolve("empty-dir"));
        Files.createDirectories(root.resolve("bin"));
        Files.createDirectories(root.resolve("Déjà vu"));
        Files.writeString(root.resolve("readme.txt"), "readme");
        Files.writeString(root.resolve("data/empty.txt"), "");
        Files.writeString(root.resolve("Déjà vu/файл.txt"), "привет");
        Path script = Files.writeString(root.resolve("bin/run.sh"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(root.resolve("readme.txt"), PosixFilePermissions.fromString("rw-r--r--"));
        byte[] codes = codeSetLike(5 * 1024 * 1024 + 123, 42);
        Files.write(root.resolve("data/a/b/codes.tsv"), codes);
    }

    /** Tab-separated rows like a code-set release: sorted codes, repetitive descriptions. */
    private static byte[] codeSetLike(int size, long seed) {
        Random random = new Random(seed);
        String[] words = {"acute", "chronic", "fracture", "of", "left", "right", "femur", "unspecified", "initial",
                "encounter", "with", "without", "complication", "disorder", "neoplasm", "malignant"};
        StringBuilder sb = new StringBuilder(size + 200);
        int code = 0;
        while (sb.length() < size) {
            code += 1 + random.nextInt(7);
            sb.append('A').append(String.format("%06d", code)).append('\t');
            int n = 3 + random.nextInt(8);
            for (int i = 0; i < n; i++) {
                sb.append(words[random.nextInt(words.length)]).append(i + 1 < n ? ' ' : '\n');
            }
        }
        return sb.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }
}
