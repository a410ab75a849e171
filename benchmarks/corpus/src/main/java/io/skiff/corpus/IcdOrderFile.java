package io.skiff.corpus;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * An ICD-10-CM style order file: fixed width, one code per line, in code order. Category lines
 * (three-character codes such as {@code S72}) are headers (flag 0); the billable codes under them
 * (seven characters, {@code S72} + three digits + a letter, e.g. {@code S72041A}) have flag 1.
 * <pre>
 * order(5) ' ' code(7, left-aligned) ' ' header(1) ' ' short description(60, padded) ' ' long description
 * </pre>
 * Subcodes are spaced out, so a later version can add codes between existing ones.
 */
final class IcdOrderFile {
    static final String PATH = "icd10cm/icd10cm_order_" + ReleaseCalendar.FILE_YEAR + ".txt";
    static final double SHARE = 0.08;
    private static final int CATEGORIES = 26 * 100;
    /** Subcodes per category: three digits and a letter. */
    private static final int SUBCODES = 1000 * 26;
    /**
     * The order number field has 5 digits. Real order files hold under 100,000 codes; bigger
     * synthetic ones wrap the number around so the width stays fixed.
     */
    private static final int ORDER_NUMBERS = 100_000;
    private static final int CODE_START = 6;
    private static final int CODE_WIDTH = 7;
    private static final int FLAG_AT = 14;
    private static final int SHORT_START = 16;
    private static final int SHORT_WIDTH = 60;
    private static final int LONG_START = SHORT_START + SHORT_WIDTH + 1;
    private static final int MEAN_LINE_BYTES = 160;
    private static final int MEAN_CODES_PER_CATEGORY = 12;

    private IcdOrderFile() {
    }

    /** Writes a version-1 order file of about {@code limitBytes}. */
    static FileChanges generate(Writer out, long limitBytes, SplittableRandom r) throws IOException {
        FileChanges tally = new FileChanges(PATH);
        long estimatedLines = Math.max(1, limitBytes / MEAN_LINE_BYTES);
        int categories = (int) Math.max(1, Math.min(CATEGORIES, estimatedLines / (MEAN_CODES_PER_CATEGORY + 1)));
        StringBuilder sb = new StringBuilder(512);
        StringBuilder scratch = new StringBuilder(256);
        long written = 0;
        int order = 0;
        for (int c = 0; c < categories && written < limitBytes; c++) {
            String category = categoryCode((int) ((long) c * CATEGORIES / categories));
            // Each category gets an even share of what is left, so an early category that ran out
            // of subcodes is made up by the later ones.
            long categoryLimit = written + (limitBytes - written) / (categories - c);
            sb.setLength(0);
            appendLine(sb, ++order, category, true, r, scratch);
            out.append(sb);
            written += sb.length();
            tally.rows++;
            long codes = Math.max(1, (categoryLimit - written) / MEAN_LINE_BYTES);
            int step = (int) Math.max(2, SUBCODES * 4 / (codes * 5)); // a fifth of the subcodes to spare
            for (int sub = r.nextInt(step); written < categoryLimit && sub < SUBCODES; sub += 1 + r.nextInt(2 * step - 1)) {
                sb.setLength(0);
                appendLine(sb, ++order, billableCode(category, sub), false, r, scratch);
                out.append(sb);
                written += sb.length();
                tally.rows++;
            }
        }
        return tally;
    }

    /**
     * Streams the previous order file to {@code out}: new codes between existing ones, some codes
     * deleted (ICD-10-CM has no inactive flag), some descriptions revised. Surviving lines keep their
     * order numbers, so a change stays local as it does in the RF2 tables; new codes are numbered
     * after the highest number in use.
     */
    static FileChanges update(Path previous, Writer out, SplittableRandom r, ChangeRates rates) throws IOException {
        FileChanges tally = new FileChanges(PATH);
        int order = highestOrderNumber(previous);
        StringBuilder sb = new StringBuilder(512);
        StringBuilder scratch = new StringBuilder(256);
        try (BufferedReader in = Files.newBufferedReader(previous, StandardCharsets.US_ASCII)) {
            int previousSub = -1;
            for (String line; (line = in.readLine()) != null; ) {
                String code = line.substring(CODE_START, CODE_START + CODE_WIDTH).strip();
                boolean header = line.charAt(FLAG_AT) == '0';
                if (header) {
                    previousSub = -1;
                } else {
                    int sub = subcode(code);
                    if (sub - previousSub >= 2 && r.nextDouble() < rates.insert()) {
                        sb.setLength(0);
                        appendLine(sb, ++order, billableCode(code.substring(0, 3), previousSub + 1 + r.nextInt(sub - previousSub - 1)), false, r, scratch);
                        out.append(sb);
                        tally.inserted++;
                        tally.rows++;
                    }
                    previousSub = sub;
                }
                double change = r.nextDouble();
                if (!header && change < rates.remove() + rates.inactivate()) {
                    tally.removed++;
                    continue;
                }
                if (change >= rates.remove() + rates.inactivate() && change < rates.remove() + rates.inactivate() + rates.edit()) {
                    sb.setLength(0);
                    sb.append(line, 0, SHORT_START);
                    appendDescriptions(sb, MedicalText.editTerm(line.substring(LONG_START), r));
                    out.append(sb);
                    tally.edited++;
                } else {
                    out.write(line);
                    out.write('\n');
                }
                tally.rows++;
            }
        }
        return tally;
    }

    /** A pass over the 5-digit order numbers only; the file is read line by line. */
    private static int highestOrderNumber(Path file) throws IOException {
        int highest = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            for (String line; (line = in.readLine()) != null; ) {
                highest = Math.max(highest, Integer.parseInt(line, 0, 5, 10));
            }
        }
        return highest;
    }

    private static void appendLine(StringBuilder sb, int order, String code, boolean header, SplittableRandom r, StringBuilder scratch) {
        int number = order % ORDER_NUMBERS;
        for (int div = ORDER_NUMBERS / 10; div > 0; div /= 10) {
            sb.append((char) ('0' + number / div % 10));
        }
        sb.append(' ').append(code);
        pad(sb, CODE_WIDTH - code.length());
        sb.append(' ').append(header ? '0' : '1').append(' ');
        scratch.setLength(0);
        MedicalText.appendIcdDescription(scratch, r, header);
        appendDescriptions(sb, scratch.toString());
    }

    /** The short description (abbreviated, cut and padded to 60), a blank and the long one, then the line end. */
    private static void appendDescriptions(StringBuilder sb, String longDescription) {
        int start = sb.length();
        MedicalText.appendAbbreviated(sb, longDescription);
        if (sb.length() - start > SHORT_WIDTH) {
            sb.setLength(start + SHORT_WIDTH);
        }
        pad(sb, SHORT_WIDTH - (sb.length() - start));
        sb.append(' ').append(longDescription).append('\n');
    }

    private static void pad(StringBuilder sb, int blanks) {
        for (int i = 0; i < blanks; i++) {
            sb.append(' ');
        }
    }

    /** A00..Z99. */
    private static String categoryCode(int category) {
        return "" + (char) ('A' + category / 100) + (char) ('0' + category / 10 % 10) + (char) ('0' + category % 10);
    }

    /** Category + three digits + a letter; ascending {@code sub} gives ascending codes. */
    private static String billableCode(String category, int sub) {
        int digits = sub / 26;
        return category + (char) ('0' + digits / 100) + (char) ('0' + digits / 10 % 10) + (char) ('0' + digits % 10) + (char) ('A' + sub % 26);
    }

    private static int subcode(String code) {
        return Integer.parseInt(code, 3, 6, 10) * 26 + (code.charAt(6) - 'A');
    }
}
