package io.skiff.bench.corpus;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Deterministic code-set releases shaped like real terminology releases, for the demo, tests and
 * benchmarks: SNOMED CT RF2 concept, description and relationship tables (tab-separated, sorted by
 * id), an ICD-10-CM style fixed-width order file, release notes and a README.
 *
 * <p>{@link #next} derives the following version the way real updates look: about 0.5 % new rows
 * inserted at their sorted position, 0.2 % retired (half flipped inactive, half removed), 1 % of
 * descriptions edited, spread through every file; the release notes file of the old version is
 * removed and one for the new version added. Everything streams: files of several GB are fine.
 *
 * <p>Same (seed, size) gives byte-identical trees; same previous release and seed gives an identical
 * next release.
 */
public final class CodeSetCorpus {
    private static final int WRITE_BUFFER_CHARS = 1 << 20;
    private static final double INSERT_RATE = 0.005;
    private static final double REMOVE_RATE = 0.001;
    private static final double RETIRE_RATE = 0.001;
    private static final double EDIT_RATE = 0.01;

    private CodeSetCorpus() {
    }

    public static CorpusRelease generate(Path dir, long seed, long targetBytes) throws IOException {
        if (targetBytes < 100_000) {
            throw new IllegalArgumentException("targetBytes=" + targetBytes + " must be >= 100000");
        }
        Files.createDirectories(dir);
        int version = 1;
        String date = effectiveTime(version);
        long budget = targetBytes - readme(version).length() - 200_000; // release notes take ~200 KB of it
        for (Rf2Table table : Rf2Table.values()) {
            SplittableRandom r = new SplittableRandom(seed * 31 + table.ordinal());
            try (Writer out = writer(dir.resolve(table.path))) {
                out.write(table.header);
                out.write('\n');
                long written = table.header.length() + 1;
                long limit = (long) (Math.max(budget, 0) * table.share);
                StringBuilder sb = new StringBuilder(256);
                long id = 100_000 + r.nextInt(100);
                while (written < limit) {
                    sb.setLength(0);
                    table.appendRow(sb, id, date, r);
                    out.append(sb);
                    written += sb.length();
                    id += 20 + r.nextInt(80); // gaps leave room for rows a later version inserts
                }
            }
        }
        SplittableRandom r = new SplittableRandom(seed * 31 + 7);
        try (Writer out = writer(dir.resolve(IcdOrderFile.PATH))) {
            long limit = (long) (Math.max(budget, 0) * IcdOrderFile.SHARE);
            StringBuilder sb = new StringBuilder(256);
            long written = 0;
            for (int order = 1; written < limit; order++) {
                sb.setLength(0);
                IcdOrderFile.appendLine(sb, order, r);
                out.append(sb);
                written += sb.length();
            }
        }
        writeReleaseNotes(dir, version, seed);
        Files.writeString(dir.resolve("README.txt"), readme(version));
        return describe(dir, seed, version);
    }

    public static CorpusRelease next(CorpusRelease previous, Path dir, long seed) throws IOException {
        Files.createDirectories(dir);
        int version = previous.version() + 1;
        String date = effectiveTime(version);
        for (Rf2Table table : Rf2Table.values()) {
            SplittableRandom r = new SplittableRandom(seed * 31 + table.ordinal());
            try (BufferedReader in = Files.newBufferedReader(previous.dir().resolve(table.path), StandardCharsets.UTF_8);
                 Writer out = writer(dir.resolve(table.path))) {
                out.write(in.readLine() + "\n"); // header
                long previousId = 0;
                StringBuilder sb = new StringBuilder(256);
                for (String line; (line = in.readLine()) != null; ) {
                    String[] cols = line.split("\t", -1);
                    long id = Long.parseLong(cols[0]);
                    if (r.nextDouble() < INSERT_RATE && id - previousId >= 2) {
                        sb.setLength(0);
                        table.appendRow(sb, previousId + 1 + r.nextLong(id - previousId - 1), date, r);
                        out.append(sb);
                    }
                    previousId = id;
                    double change = r.nextDouble();
                    if (change < REMOVE_RATE) {
                        continue;
                    }
                    if (change < REMOVE_RATE + RETIRE_RATE) {
                        cols[1] = date;
                        cols[2] = "0";
                    } else if (table.termColumn >= 0 && change < REMOVE_RATE + RETIRE_RATE + EDIT_RATE) {
                        cols[1] = date;
                        cols[table.termColumn] = MedicalText.term(r, 2, 9);
                    }
                    out.write(String.join("\t", cols));
                    out.write('\n');
                }
            }
        }
        SplittableRandom r = new SplittableRandom(seed * 31 + 7);
        try (BufferedReader in = Files.newBufferedReader(previous.dir().resolve(IcdOrderFile.PATH), StandardCharsets.UTF_8);
             Writer out = writer(dir.resolve(IcdOrderFile.PATH))) {
            // Order numbers are kept (no renumbering), so only changed lines differ.
            for (String line; (line = in.readLine()) != null; ) {
                double change = r.nextDouble();
                if (change < REMOVE_RATE + RETIRE_RATE) {
                    continue;
                }
                out.write(change < REMOVE_RATE + RETIRE_RATE + EDIT_RATE ? IcdOrderFile.withNewDescription(line, r) : line);
                out.write('\n');
            }
        }
        writeReleaseNotes(dir, version, seed);
        Files.writeString(dir.resolve("README.txt"), readme(version));
        return describe(dir, seed, version);
    }

    /** About 200 KB of notes; named by version, so each update removes one file and adds one. */
    private static void writeReleaseNotes(Path dir, int version, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed * 31 + 11 + version);
        try (Writer out = writer(dir.resolve("Documentation/release_notes_v" + version + ".txt"))) {
            out.write("Release notes, version " + version + " (" + effectiveTime(version) + ")\n\n");
            for (int i = 0; i < 2500; i++) {
                out.write("- " + MedicalText.term(r, 4, 12) + ".\n");
            }
        }
    }

    private static String readme(int version) {
        return "Code-set release, version " + version + ", effective " + effectiveTime(version) + ".\n"
                + "Generated by skiff's corpus generator: SNOMED CT RF2-style tables under SnomedCT_Release/,\n"
                + "an ICD-10-CM-style order file under icd10cm/, release notes under Documentation/.\n";
    }

    private static String effectiveTime(int version) {
        return LocalDate.of(2027, 1, 31).plusMonths(version - 1L).format(DateTimeFormatter.BASIC_ISO_DATE);
    }

    private static Writer writer(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        return new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(file), StandardCharsets.UTF_8), WRITE_BUFFER_CHARS);
    }

    private static CorpusRelease describe(Path dir, long seed, int version) throws IOException {
        long bytes = 0;
        int files = 0;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(p)) {
                    bytes += Files.size(p);
                    files++;
                }
            }
        }
        return new CorpusRelease(dir, seed, version, bytes, files);
    }
}
