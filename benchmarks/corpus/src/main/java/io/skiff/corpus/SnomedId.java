package io.skiff.corpus;

/**
 * SNOMED CT identifiers in the short format: item number, two-digit partition (00 concept, 01
 * description, 02 relationship) and a Verhoeff check digit. Ids therefore sort by item number, which
 * leaves room to insert new ids between existing ones by picking an unused item in a gap.
 */
final class SnomedId {
    static final int CONCEPT = 0;
    static final int DESCRIPTION = 1;
    static final int RELATIONSHIP = 2;

    private static final int[][] MULTIPLICATION = {
            {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5}, {2, 3, 4, 0, 1, 7, 8, 9, 5, 6},
            {3, 4, 0, 1, 2, 8, 9, 5, 6, 7}, {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
            {6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3}, {8, 7, 6, 5, 9, 3, 2, 1, 0, 4},
            {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}};
    private static final int[][] PERMUTATION = {
            {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4}, {5, 8, 0, 3, 7, 9, 6, 1, 4, 2},
            {8, 9, 1, 6, 0, 4, 3, 5, 2, 7}, {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
            {2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8}};
    private static final int[] INVERSE = {0, 4, 3, 2, 1, 5, 6, 7, 8, 9};
    /**
     * MULTIPLICATION[c][PERMUTATION[(position + 1) % 8][digit]] in one flat table: every row of every
     * table gets an id, so this is the generator's hottest loop.
     */
    private static final byte[] STEP = new byte[8 * 10 * 10];

    static {
        for (int position = 0; position < 8; position++) {
            for (int c = 0; c < 10; c++) {
                for (int digit = 0; digit < 10; digit++) {
                    STEP[(position * 10 + c) * 10 + digit] = (byte) MULTIPLICATION[c][PERMUTATION[(position + 1) % 8][digit]];
                }
            }
        }
    }

    private SnomedId() {
    }

    static long of(long item, int partition) {
        long body = item * 100 + partition;
        return body * 10 + checkDigit(body);
    }

    static long item(long id) {
        return id / 1000;
    }

    /** Verhoeff check digit of {@code body} (the id without its last digit), {@code body >= 0}. */
    static int checkDigit(long body) {
        int c = 0;
        int position = 0;
        // Nine digits at a time in int arithmetic; only the leading digits of the top part count.
        while (body >= 1_000_000_000L) {
            long high = body / 1_000_000_000L;
            int low = (int) (body - high * 1_000_000_000L);
            for (int i = 0; i < 9; i++, position++, low /= 10) {
                c = STEP[((position & 7) * 10 + c) * 10 + low % 10];
            }
            body = high;
        }
        int low = (int) body;
        do {
            c = STEP[((position & 7) * 10 + c) * 10 + low % 10];
            position++;
            low /= 10;
        } while (low > 0);
        return INVERSE[c];
    }
}
