package io.skiff.corpus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CodeSetCorpusTest {
    private static final String DESCRIPTIONS = Rf2Table.DESCRIPTION.path;

    @TempDir
    Path tmp;

    @Test
    void shouldGenerateByteIdenticalTreesForTheSameSeedAndDifferentOnesForAnother() throws IOException {
        CorpusRelease a = CodeSetCorpus.generate(tmp.resolve("a"), 42, 4_000_000);
        CorpusRelease b = CodeSetCorpus.generate(tmp.resolve("b"), 42, 4_000_000);
        CorpusRelease c = CodeSetCorpus.generate(tmp.resolve("c"), 43, 4_000_000);

        assertEquals(sha256OfEveryFile(a.dir()), sha256OfEveryFile(b.dir()));
        assertEquals(a, new CorpusRelease(a.dir(), 42, 1, b.totalBytes(), b.fileCount()));
        Map<String, String> other = sha256OfEveryFile(c.dir());
        assertEquals(sha256OfEveryFile(a.dir()).keySet(), other.keySet(), "same paths");
        sha256OfEveryFile(a.dir()).forEach((path, hash) -> {
            if (!path.equals("README.txt")) {
                assertNotEquals(hash, other.get(path), path + " should differ for another seed");
            }
        });
    }

    @Test
    void shouldMakeTheSameNextVersionFromTheSamePreviousVersionAndSeed() throws IOException {
        CorpusRelease a = CodeSetCorpus.generate(tmp.resolve("a"), 42, 4_000_000);
        CorpusRelease b = CodeSetCorpus.generate(tmp.resolve("b"), 42, 4_000_000);
        CorpusRelease a2 = CodeSetCorpus.next(a, tmp.resolve("a2"), 7);
        CorpusRelease b2 = CodeSetCorpus.next(b, tmp.resolve("b2"), 7);
        CorpusRelease c2 = CodeSetCorpus.next(a, tmp.resolve("c2"), 8);

        assertEquals(sha256OfEveryFile(a2.dir()), sha256OfEveryFile(b2.dir()));
        assertNotEquals(sha256OfEveryFile(a2.dir()).get(DESCRIPTIONS), sha256OfEveryFile(c2.dir()).get(DESCRIPTIONS));
    }

    @Test
    void shouldComeWithinTenPercentOfTheTargetSize() throws IOException {
        for (long target : new long[]{1_000_000, 4_000_000, 16_000_000}) {
            CorpusRelease r = CodeSetCorpus.generate(tmp.resolve("s" + target), 1, target);
            assertTrue(Math.abs(r.totalBytes() - target) <= target / 10, "size " + r.totalBytes() + " for target " + target);
            assertEquals(sizeOfTree(r.dir()), r.totalBytes());
        }
    }

    @Test
    void shouldSplitTheBytesBetweenFilesLikeARealRelease() throws IOException {
        CorpusRelease r = CodeSetCorpus.generate(tmp.resolve("r"), 3, 16_000_000);
        assertShare(r, Rf2Table.DESCRIPTION.path, 0.50);
        assertShare(r, Rf2Table.RELATIONSHIP.path, 0.30);
        assertShare(r, Rf2Table.CONCEPT.path, 0.12);
        assertShare(r, IcdOrderFile.PATH, 0.08);
        assertEquals(6, r.fileCount());
        assertTrue(Files.readString(r.dir().resolve("README.txt")).contains("version 1"));
    }

    @Test
    void shouldWriteRf2TablesWithAHeaderAscendingIdsAndConstantColumns() throws IOException {
        CorpusRelease v1 = CodeSetCorpus.generate(tmp.resolve("v1"), 5, 4_000_000);
        CorpusRelease v2 = CodeSetCorpus.next(v1, tmp.resolve("v2"), 6);
        CorpusRelease v3 = CodeSetCorpus.next(v2, tmp.resolve("v3"), 7);
        for (CorpusRelease r : List.of(v1, v2, v3)) {
            for (Rf2Table table : Rf2Table.values()) {
                assertRf2Table(r.dir().resolve(table.path), table);
            }
        }
    }

    @Test
    void shouldWriteAFixedWidthIcdOrderFileInCodeOrder() throws IOException {
        CorpusRelease v1 = CodeSetCorpus.generate(tmp.resolve("v1"), 5, 4_000_000);
        CorpusRelease v2 = CodeSetCorpus.next(v1, tmp.resolve("v2"), 6);
        for (CorpusRelease r : List.of(v1, v2)) {
            Path file = r.dir().resolve(IcdOrderFile.PATH);
            String previousCode = "";
            Set<String> orderNumbers = new HashSet<>();
            int headers = 0;
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                assertTrue(line.matches("\\d{5} [A-Z]\\d\\d(    |\\d{3}[A-Z]) [01] .{60} \\S.*"), file + ": " + line);
                assertTrue(orderNumbers.add(line.substring(0, 5)), "order number repeated: " + line);
                String code = line.substring(6, 13).strip();
                assertTrue(code.compareTo(previousCode) > 0, file + ": code " + code + " after " + previousCode);
                assertEquals(code.length() == 3 ? '0' : '1', line.charAt(14), "only categories are headers: " + line);
                headers += code.length() == 3 ? 1 : 0;
                previousCode = code;
            }
            assertTrue(headers > 10 && orderNumbers.size() > 5 * headers, headers + " categories, " + orderNumbers.size() + " lines");
        }
    }

    @Test
    void shouldChangeAFewPercentOfRowsSpreadThroughTheFileAndSwapOneFile() throws IOException {
        CorpusRelease v1 = CodeSetCorpus.generate(tmp.resolve("v1"), 9, 8_000_000);
        CorpusRelease v2 = CodeSetCorpus.next(v1, tmp.resolve("v2"), 10);
        assertEquals(2, v2.version());
        assertEquals(10, v2.seed());
        assertEquals(sizeOfTree(v2.dir()), v2.totalBytes());
        assertTrue(Files.readString(v2.dir().resolve("README.txt")).contains("version 2"));

        Set<String> before = sha256OfEveryFile(v1.dir()).keySet();
        Set<String> after = sha256OfEveryFile(v2.dir()).keySet();
        Set<String> removed = new HashSet<>(before);
        removed.removeAll(after);
        Set<String> added = new HashSet<>(after);
        added.removeAll(before);
        assertEquals(Set.of(CodeSetCorpus.releaseNotesPath(1)), removed);
        assertEquals(Set.of(CodeSetCorpus.releaseNotesPath(2)), added);

        for (String path : List.of(DESCRIPTIONS, IcdOrderFile.PATH)) {
            List<String> old = Files.readAllLines(v1.dir().resolve(path));
            List<String> next = Files.readAllLines(v2.dir().resolve(path));
            double newLines = fractionNotIn(next, old);
            double goneLines = fractionNotIn(old, next);
            assertTrue(newLines >= 0.005 && newLines <= 0.03, path + ": new lines " + newLines);
            assertTrue(goneLines >= 0.005 && goneLines <= 0.03, path + ": gone lines " + goneLines);
            // Changed rows in every tenth of the file, not only at one end.
            Set<String> kept = new HashSet<>(next);
            for (int tenth = 0; tenth < 10; tenth++) {
                List<String> part = old.subList(old.size() * tenth / 10, old.size() * (tenth + 1) / 10);
                assertTrue(part.stream().anyMatch(l -> !kept.contains(l)), path + ": no change in tenth " + tenth);
            }
        }
    }

    @Test
    void shouldRetireOnlyActiveRowsWithTheNewEffectiveTimeAndEditTermsInPlace() throws IOException {
        CorpusRelease v1 = CodeSetCorpus.generate(tmp.resolve("v1"), 11, 8_000_000);
        CorpusRelease v2 = CodeSetCorpus.next(v1, tmp.resolve("v2"), 12);
        Map<String, String[]> old = rowsById(v1.dir().resolve(DESCRIPTIONS));
        Map<String, String[]> next = rowsById(v2.dir().resolve(DESCRIPTIONS));
        int inactivated = 0;
        int edited = 0;
        int inserted = 0;
        for (Map.Entry<String, String[]> e : next.entrySet()) {
            String[] was = old.get(e.getKey());
            String[] now = e.getValue();
            if (was == null) {
                inserted++;
                assertEquals("20270228", now[1], "new row carries the release's effectiveTime");
                continue;
            }
            if (String.join("\t", was).equals(String.join("\t", now))) {
                continue;
            }
            assertEquals("20270228", now[1], "a changed row carries the release's effectiveTime");
            if (!was[2].equals(now[2])) {
                assertEquals("1", was[2]);
                assertEquals("0", now[2]);
                inactivated++;
            } else {
                assertNotEquals(was[7], now[7], "an edit changes the term");
                assertEquals(was[4], now[4], "an edit keeps the concept");
                edited++;
            }
        }
        int rows = old.size();
        assertTrue(inserted > rows * 0.003 && inserted < rows * 0.008, inserted + " inserted of " + rows);
        assertTrue(edited > rows * 0.007 && edited < rows * 0.014, edited + " edited of " + rows);
        assertTrue(inactivated > rows * 0.0003 && inactivated < rows * 0.002, inactivated + " inactivated of " + rows);
        long removed = old.keySet().stream().filter(id -> !next.containsKey(id)).count();
        assertTrue(removed > rows * 0.0003 && removed < rows * 0.002, removed + " removed of " + rows);
    }

    @Test
    void shouldRefuseToWriteTheNextVersionOverThePreviousOne() throws IOException {
        CorpusRelease v1 = CodeSetCorpus.generate(tmp.resolve("v1"), 1, 1_000_000);
        assertThrows(IllegalArgumentException.class, () -> CodeSetCorpus.next(v1, tmp.resolve("v1"), 2));
        assertThrows(IllegalArgumentException.class, () -> CodeSetCorpus.generate(tmp.resolve("tiny"), 1, 100));
    }

    @Test
    void shouldComputeSnomedCheckDigitsLikeRealIds() {
        // Real SCTIDs, e.g. the root concept, clinical finding, myocardial infarction, procedure site - direct, core module.
        for (long id : new long[]{138875005L, 404684003L, 22298006L, 405813007L, 373873005L, 46866001L, 116680003L,
                900000000000207008L, 900000000000448009L, 900000000000003001L}) {
            assertEquals(id % 10, SnomedId.checkDigit(id / 10), "check digit of " + id);
        }
        assertEquals(22298006L, SnomedId.of(22298, SnomedId.CONCEPT));
        assertEquals(22298, SnomedId.item(22298006L));
    }

    private static void assertRf2Table(Path file, Rf2Table table) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            assertEquals(table.header, in.readLine());
            int columns = table.header.split("\t", -1).length;
            long previous = -1;
            int rows = 0;
            for (String line; (line = in.readLine()) != null; rows++) {
                String[] cols = line.split("\t", -1);
                assertEquals(columns, cols.length, file + ": " + line);
                long id = Long.parseLong(cols[0]);
                assertTrue(id > previous, file + ": id " + id + " after " + previous);
                assertEquals(id % 10, SnomedId.checkDigit(id / 10), "check digit of " + id);
                assertEquals(table.partition, id / 10 % 100, "partition of " + id);
                assertTrue(cols[1].matches("(20[0-2]\\d)(0[1-9]|1[0-2])(0[1-9]|[12]\\d|3[01])"), "effectiveTime " + cols[1]);
                assertTrue(cols[2].equals("0") || cols[2].equals("1"), "active " + cols[2]);
                previous = id;
            }
            assertTrue(rows > 100, file + " has " + rows + " rows");
        }
    }

    private static void assertShare(CorpusRelease r, String path, double share) throws IOException {
        double actual = Files.size(r.dir().resolve(path)) / (double) r.totalBytes();
        assertTrue(Math.abs(actual - share) < 0.02, path + " has " + actual + " of the release, expected about " + share);
    }

    /** Test sizes are small: the whole table in a map is fine here. */
    private static Map<String, String[]> rowsById(Path file) throws IOException {
        Map<String, String[]> rows = new HashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        for (String line : lines.subList(1, lines.size())) {
            String[] cols = line.split("\t", -1);
            rows.put(cols[0], cols);
        }
        return rows;
    }

    private static double fractionNotIn(List<String> lines, List<String> other) {
        Set<String> set = new HashSet<>(other);
        return lines.stream().filter(l -> !set.contains(l)).count() / (double) lines.size();
    }

    private static long sizeOfTree(Path root) throws IOException {
        long bytes = 0;
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(p)) {
                    bytes += Files.size(p);
                }
            }
        }
        return bytes;
    }

    /** Relative path (with '/') to SHA-256, for every file under {@code root}; files are streamed. */
    private static Map<String, String> sha256OfEveryFile(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(p)) {
                    MessageDigest sha256 = sha256();
                    try (InputStream in = new DigestInputStream(Files.newInputStream(p), sha256)) {
                        in.transferTo(OutputStream.nullOutputStream());
                    }
                    out.put(root.relativize(p).toString().replace('\\', '/'), HexFormat.of().formatHex(sha256.digest()));
                }
            }
        }
        return out;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
