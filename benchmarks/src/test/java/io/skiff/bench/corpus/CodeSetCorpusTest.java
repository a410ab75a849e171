package io.skiff.bench.corpus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CodeSetCorpusTest {
    @TempDir
    Path tmp;

    private static TreeMap<String, String> hashes(Path root) throws IOException {
        TreeMap<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(p)) {
                    try {
                        out.put(root.relativize(p).toString(),
                                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
                    } catch (NoSuchAlgorithmException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return out;
    }

    @Test
    void shouldGenerateIdenticalTreesWhenTheSeedIsTheSame() throws IOException {
        CorpusRelease a = CodeSetCorpus.generate(tmp.resolve("a"), 42, 4_000_000);
        CorpusRelease b = CodeSetCorpus.generate(tmp.resolve("b"), 42, 4_000_000);
        CorpusRelease c = CodeSetCorpus.generate(tmp.resolve("c"), 43, 4_000_000);
        assertEquals(hashes(a.dir()), hashes(b.dir()));
        assertNotEquals(hashes(a.dir()), hashes(c.dir()));
        assertEquals(hashes(CodeSetCorpus.next(a, tmp.resolve("a2"), 7).dir()), hashes(CodeSetCorpus.next(b, tmp.resolve("b2"), 7).dir()));
    }

    @Test
    void shouldComeWithinTenPercentOfTheTargetSize() throws IOException {
        for (long target : new long[]{4_000_000, 16_000_000}) {
            CorpusRelease r = CodeSetCorpus.generate(tmp.resolve("s" + target), 1, target);
            assertTrue(Math.abs(r.totalBytes() - target) <= target / 10, "size " + r.totalBytes() + " for target " + target);
        }
    }

    @Test
    void shouldWriteSortedRf2TablesWithAHeaderAndConstantColumns() throws IOException {
        CorpusRelease v1 = CodeSetCorpus.generate(tmp.resolve("v1"), 5, 4_000_000);
        CorpusRelease v2 = CodeSetCorpus.next(v1, tmp.resolve("v2"), 6);
        for (CorpusRelease r : List.of(v1, v2)) {
            for (Rf2Table table : Rf2Table.values()) {
                assertSortedWithConstantColumns(r.dir().resolve(table.path), table.header);
            }
        }
    }

    private static void assertSortedWithConstantColumns(Path file, String header) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            assertEquals(header, in.readLine());
            int columns = header.split("\t", -1).length;
            long previous = -1;
            int rows = 0;
            for (String line; (line = in.readLine()) != null; rows++) {
                String[] cols = line.split("\t", -1);
                assertEquals(columns, cols.length, file + ": " + line);
                long id = Long.parseLong(cols[0]);
                assertTrue(id > previous, file + ": id " + id + " after " + previous);
                previous = id;
            }
            assertTrue(rows > 100, file + " has " + rows + " rows");
        }
    }

    @Test
    void shouldChangeAFewPercentOfRowsAndOneFileInTheNextVersion() throws IOException {
        CorpusRelease v1 = CodeSetCorpus.generate(tmp.resolve("v1"), 9, 8_000_000);
        CorpusRelease v2 = CodeSetCorpus.next(v1, tmp.resolve("v2"), 10);
        assertEquals(2, v2.version());

        Set<String> removed = new HashSet<>(hashes(v1.dir()).keySet());
        removed.removeAll(hashes(v2.dir()).keySet());
        Set<String> added = new HashSet<>(hashes(v2.dir()).keySet());
        added.removeAll(hashes(v1.dir()).keySet());
        assertEquals(Set.of("Documentation/release_notes_v1.txt"), removed);
        assertEquals(Set.of("Documentation/release_notes_v2.txt"), added);

        List<String> before = Files.readAllLines(v1.dir().resolve(Rf2Table.DESCRIPTION.path));
        List<String> after = Files.readAllLines(v2.dir().resolve(Rf2Table.DESCRIPTION.path));
        double newLines = fractionNotIn(after, before);
        double goneLines = fractionNotIn(before, after);
        assertTrue(newLines >= 0.005 && newLines <= 0.03, "new lines " + newLines);
        assertTrue(goneLines >= 0.005 && goneLines <= 0.03, "gone lines " + goneLines);
        int firstChange = 0;
        while (before.get(firstChange).equals(after.get(firstChange))) {
            firstChange++;
        }
        assertTrue(firstChange < before.size() / 10, "changes start early in the file, not only at the end: " + firstChange);
    }

    private static double fractionNotIn(List<String> lines, List<String> other) {
        Set<String> set = new HashSet<>(other);
        return lines.stream().filter(l -> !set.contains(l)).count() / (double) lines.size();
    }
}
