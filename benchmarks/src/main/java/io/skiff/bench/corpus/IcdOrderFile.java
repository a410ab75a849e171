package io.skiff.bench.corpus;

import java.util.SplittableRandom;

/**
 * An ICD-10-CM style order file: fixed width, one code per line, in code order.
 * <pre>
 * order(5) ' ' code(7, left-aligned) ' ' header(1) ' ' short description(60, padded) ' ' long description
 * </pre>
 */
final class IcdOrderFile {
    static final String PATH = "icd10cm/icd10cm_order.txt";
    static final double SHARE = 0.08;
    private static final int SHORT_WIDTH = 60;

    private IcdOrderFile() {
    }

    static void appendLine(StringBuilder sb, int order, SplittableRandom r) {
        String code = code(order);
        sb.append(String.format("%05d", order)).append(' ');
        sb.append(code);
        for (int i = code.length(); i < 7; i++) {
            sb.append(' ');
        }
        sb.append(' ').append(order % 5 == 0 ? '0' : '1').append(' ');
        String longDescription = MedicalText.term(r, 3, 14);
        appendShort(sb, longDescription);
        sb.append(' ').append(longDescription).append('\n');
    }

    /** Replaces the long description of a line (and its short form), keeping order and code. */
    static String withNewDescription(String line, SplittableRandom r) {
        StringBuilder sb = new StringBuilder(line.length() + 16);
        sb.append(line, 0, 16);
        String longDescription = MedicalText.term(r, 3, 14);
        appendShort(sb, longDescription);
        sb.append(' ').append(longDescription);
        return sb.toString();
    }

    private static void appendShort(StringBuilder sb, String description) {
        int n = Math.min(SHORT_WIDTH, description.length());
        sb.append(description, 0, n);
        for (int i = n; i < SHORT_WIDTH; i++) {
            sb.append(' ');
        }
    }

    /** Codes ascend with the order number: a letter, then digits. */
    private static String code(int order) {
        char letter = (char) ('A' + (order / 100_000) % 26);
        return letter + String.format("%05d", order % 100_000);
    }
}
