package io.skiff.corpus;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;

/**
 * Dates of the synthetic releases: version 1 is effective 2027-01-31, each later version a month
 * after the previous one. Rows of version 1 carry dates of earlier (historic) releases, as the rows of
 * a real Full release do.
 */
final class ReleaseCalendar {
    private static final LocalDate FIRST_RELEASE = LocalDate.of(2027, 1, 31);

    /**
     * The date in file names. It stays that of version 1 in every later version, so the delta engine
     * sees the same paths from one version to the next.
     */
    static final String FILE_DATE = effectiveTime(1);
    static final String FILE_YEAR = FILE_DATE.substring(0, 4);

    /** January and July releases 2002..2026, oldest first. */
    private static final String[] HISTORY = new String[50];

    static {
        for (int i = 0; i < HISTORY.length; i++) {
            HISTORY[i] = LocalDate.of(2002 + i / 2, i % 2 == 0 ? 1 : 7, 31).format(DateTimeFormatter.BASIC_ISO_DATE);
        }
    }

    private ReleaseCalendar() {
    }

    /** YYYYMMDD of release {@code version} (1-based). */
    static String effectiveTime(int version) {
        return FIRST_RELEASE.plusMonths(version - 1L).format(DateTimeFormatter.BASIC_ISO_DATE);
    }

    /**
     * A historic effectiveTime for a row {@code progress} (0..1) of the way through its table: ids were
     * handed out over time, so later rows tend to be newer, and a third of the rows were changed
     * (re-stamped) in some later release.
     */
    static String historicEffectiveTime(double progress, SplittableRandom r) {
        int index = Math.min(HISTORY.length - 1, (int) (progress * HISTORY.length));
        if (r.nextInt(3) == 0) {
            index += r.nextInt(HISTORY.length - index);
        }
        return HISTORY[index];
    }
}
