package io.skiff.corpus;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic synthetic code-set releases shaped like real terminology releases, for the demo,
 * tests and benchmarks:
 * <pre>
 * SnomedCT_Release/Full/Terminology/sct2_Concept_Full_INT_20270131.txt        ~12 %
 * SnomedCT_Release/Full/Terminology/sct2_Description_Full-en_INT_20270131.txt ~50 %
 * SnomedCT_Release/Full/Terminology/sct2_Relationship_Full_INT_20270131.txt   ~30 %
 * icd10cm/icd10cm_order_2027.txt                                              ~8 %
 * Documentation/release_notes_v1.txt                                          up to 200 KB
 * README.txt
 * </pre>
 * RF2 tables are tab-separated with a header line and rows sorted by SNOMED CT id; the order file is
 * fixed width (see {@link IcdOrderFile}).
 *
 * <p>{@link #next} derives the following version the way real updates look: about 0.5 % new rows
 * inserted at their sorted position, 0.2 % retired (half inactivated with the new effectiveTime, half
 * removed), 1 % of descriptions edited, each decided per row so the changes are spread through every
 * file; the previous version's release notes go and the new version's come. Other paths stay the
 * same (file names keep the date of version 1), so the delta engine sees the same files change.
 *
 * <p>Everything streams through bounded buffers: several-GB releases are fine. Same (seed,
 * targetBytes) gives byte-identical trees; same previous release and seed gives an identical next.
 */
public final class CodeSetCorpus {
    private static final int WRITE_BUFFER_CHARS = 1 << 18;
    private static final int READ_BUFFER_CHARS = 1 << 18;
    private static final long MIN_TARGET_BYTES = 20_000;
    private static final int MAX_NOTES_BYTES = 200_000;
    /** What the README takes of the target; it is written last, when the row counts are known. */
    private static final int README_BYTES = 1_000;
    /** Random stream for the ICD file and the release notes; RF2 tables use their ordinal. */
    private static final int ICD_STREAM = 100;
    private static final int NOTES_STREAM = 101;

    private CodeSetCorpus() {
    }

    /**
     * Writes release version 1, about {@code targetBytes} in all, into {@code dir}, which should be
     * empty or not exist (files already there are left alone and not counted).
     */
    public static CorpusRelease generate(Path dir, long seed, long targetBytes) throws IOException {
        if (targetBytes < MIN_TARGET_BYTES) {
            throw new IllegalArgumentException("targetBytes=" + targetBytes + " must be >= " + MIN_TARGET_BYTES);
        }
        int version = 1;
        int notesBytes = (int) Math.min(MAX_NOTES_BYTES, targetBytes / 50);
        long budget = targetBytes - notesBytes - README_BYTES;
        List<FileChanges> files = new ArrayList<>();
        long conceptItems = 0;
        for (Rf2Table table : Rf2Table.values()) {
            try (Writer out = writer(dir.resolve(table.path))) {
                FileChanges written = table.generate(out, (long) (budget * table.share), random(seed, version, table.ordinal()), conceptItems);
                files.add(written);
                if (table == Rf2Table.CONCEPT) {
                    conceptItems = Rf2Table.conceptItems(written.rows);
                }
            }
        }
        try (Writer out = writer(dir.resolve(IcdOrderFile.PATH))) {
            files.add(IcdOrderFile.generate(out, (long) (budget * IcdOrderFile.SHARE), random(seed, version, ICD_STREAM)));
        }
        return finish(dir, seed, version, files, notesBytes);
    }

    /**
     * Writes the version after {@code previous} (read from {@code previous.dir()}, row by row) into
     * {@code dir}, which should be empty or not exist and must not be {@code previous.dir()}.
     */
    public static CorpusRelease next(CorpusRelease previous, Path dir, long seed) throws IOException {
        if (Files.exists(dir) && Files.isSameFile(dir, previous.dir())) {
            throw new IllegalArgumentException("next version must go to a directory other than the previous one: " + dir);
        }
        int version = previous.version() + 1;
        String effectiveTime = ReleaseCalendar.effectiveTime(version);
        ChangeRates rates = ChangeRates.MONTHLY_UPDATE;
        List<FileChanges> files = new ArrayList<>();
        long conceptItems = 0;
        for (Rf2Table table : Rf2Table.values()) {
            try (BufferedReader in = reader(previous.dir().resolve(table.path));
                 Writer out = writer(dir.resolve(table.path))) {
                FileChanges written = table.update(in, out, effectiveTime, random(seed, version, table.ordinal()), conceptItems, rates);
                files.add(written);
                if (table == Rf2Table.CONCEPT) {
                    conceptItems = Rf2Table.conceptItems(written.rows);
                }
            }
        }
        try (Writer out = writer(dir.resolve(IcdOrderFile.PATH))) {
            files.add(IcdOrderFile.update(previous.dir().resolve(IcdOrderFile.PATH), out, random(seed, version, ICD_STREAM), rates));
        }
        Path previousNotes = previous.dir().resolve(releaseNotesPath(previous.version()));
        int notesBytes = (int) Math.min(MAX_NOTES_BYTES, Files.exists(previousNotes) ? Files.size(previousNotes) : previous.totalBytes() / 50);
        return finish(dir, seed, version, files, notesBytes);
    }

    /** Writes the release notes and the README, and describes the release. */
    private static CorpusRelease finish(Path dir, long seed, int version, List<FileChanges> files, int notesBytes) throws IOException {
        writeReleaseNotes(dir, seed, version, files, notesBytes);
        try (Writer out = writer(dir.resolve("README.txt"))) {
            out.write("Synthetic code-set release, version " + version + ", effective " + ReleaseCalendar.effectiveTime(version) + "\n\n");
            out.write("Made by skiff's corpus generator (io.skiff.corpus.CodeSetCorpus) for demos and benchmarks.\n");
            out.write("The layout follows SNOMED CT RF2 and ICD-10-CM releases; the content is random and is not\n");
            out.write("SNOMED CT or ICD-10-CM content.\n\nFiles:\n");
            for (FileChanges f : files) {
                out.write("  " + f.path + "  (" + f.rows + " rows)\n");
            }
            out.write("  " + releaseNotesPath(version) + "\n");
        }
        List<Path> written = new ArrayList<>();
        for (FileChanges f : files) {
            written.add(dir.resolve(f.path));
        }
        written.add(dir.resolve(releaseNotesPath(version)));
        written.add(dir.resolve("README.txt"));
        long bytes = 0;
        for (Path p : written) {
            bytes += Files.size(p);
        }
        return new CorpusRelease(dir, seed, version, bytes, written.size());
    }

    /**
     * Named by version, so each update removes one file and adds one. A summary of the changes, then
     * editorial notes up to about {@code bytes}.
     */
    private static void writeReleaseNotes(Path dir, long seed, int version, List<FileChanges> files, int bytes) throws IOException {
        SplittableRandom r = random(seed, version, NOTES_STREAM);
        try (Writer out = writer(dir.resolve(releaseNotesPath(version)))) {
            StringBuilder sb = new StringBuilder(4096);
            sb.append("Release notes, version ").append(version).append(" (effective ").append(ReleaseCalendar.effectiveTime(version)).append(")\n\n");
            if (version > 1) {
                sb.append("Changes since version ").append(version - 1).append(":\n");
                for (FileChanges f : files) {
                    sb.append("  ").append(f.summary()).append('\n');
                }
                sb.append('\n');
            }
            sb.append("Editorial notes:\n");
            long written = 0;
            while (written + sb.length() < bytes) {
                sb.append("- ");
                MedicalText.appendNote(sb, r);
                sb.append('\n');
                if (sb.length() > 2048) {
                    out.append(sb);
                    written += sb.length();
                    sb.setLength(0);
                }
            }
            out.append(sb);
        }
    }

    static String releaseNotesPath(int version) {
        return "Documentation/release_notes_v" + version + ".txt";
    }

    /** An independent random stream per (seed, version, file); mixed so nearby seeds do not overlap. */
    private static SplittableRandom random(long seed, int version, int stream) {
        long h = mix(seed ^ 0x5DEECE66DL);
        h = mix(h ^ version * 0x9E3779B97F4A7C15L);
        return new SplittableRandom(mix(h ^ stream * 0xC2B2AE3D27D4EB4FL));
    }

    /** Stafford's variant 13 of the MurmurHash3 finalizer. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static Writer writer(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        return new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(file), StandardCharsets.US_ASCII), WRITE_BUFFER_CHARS);
    }

    private static BufferedReader reader(Path file) throws IOException {
        return new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.US_ASCII), READ_BUFFER_CHARS);
    }
}
