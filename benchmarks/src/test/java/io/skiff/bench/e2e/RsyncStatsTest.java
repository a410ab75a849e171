package io.skiff.bench.e2e;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RsyncStatsTest {
    /**
     * Captured stdout of the runner's update run: `rsync -a -z --no-whole-file --delete --ignore-times --stats
     * SRC/ rsync://127.0.0.1:PORT/bench/`, rsync 3.5.0, 5 MB code-set release v1 -> v2.
     */
    static final String CAPTURED_UPDATE = """

            Number of files: 12 (reg: 6, dir: 6)
            Number of created files: 1 (reg: 1)
            Number of deleted files: 1 (reg: 1)
            Number of regular files transferred: 6
            Total file size: 5,021,780 bytes
            Total transferred file size: 5,021,780 bytes
            Literal data: 745,898 bytes
            Matched data: 4,275,882 bytes
            File list size: 0
            File list generation time: 0.001 seconds
            File list transfer time: 0.000 seconds
            Total bytes sent: 146,905
            Total bytes received: 24,930

            sent 146,905 bytes  received 24,930 bytes  343,670.00 bytes/sec
            total size is 5,021,780  speedup is 29.22
            """;

    /** Captured: `rsync -a --whole-file --stats SRC/ rsync://...` of a 3 MB random file and a 3-byte file. */
    static final String CAPTURED_FULL_COPY = """

            Number of files: 3 (reg: 2, dir: 1)
            Number of created files: 2 (reg: 2)
            Number of deleted files: 0
            Number of regular files transferred: 2
            Total file size: 3,000,003 bytes
            Total transferred file size: 3,000,003 bytes
            Literal data: 3,000,003 bytes
            Matched data: 0 bytes
            File list size: 0
            File list generation time: 0.001 seconds
            File list transfer time: 0.000 seconds
            Total bytes sent: 3,000,907
            Total bytes received: 323

            sent 3,000,907 bytes  received 323 bytes  6,002,460.00 bytes/sec
            total size is 3,000,003  speedup is 1.00
            """;

    @Test
    void readsCountersWithThousandsSeparators() {
        RsyncStats s = RsyncStats.parse(CAPTURED_UPDATE);
        assertEquals(146_905L, s.bytesSent());
        assertEquals(24_930L, s.bytesReceived());
        assertEquals(171_835L, s.wireBytes());
        assertEquals(745_898L, s.literalData());
        assertEquals(4_275_882L, s.matchedData());
    }

    @Test
    void fullCopyHasNoMatchedData() {
        RsyncStats s = RsyncStats.parse(CAPTURED_FULL_COPY);
        assertEquals(3_001_230L, s.wireBytes());
        assertEquals(3_000_003L, s.literalData());
        assertEquals(0L, s.matchedData());
    }

    @Test
    void smallNumbersWithoutSeparators() {
        RsyncStats s = RsyncStats.parse("Total bytes sent: 907\nTotal bytes received: 35\n");
        assertEquals(942, s.wireBytes());
        assertEquals(-1, s.literalData());
    }

    @Test
    void outputWithoutStatsIsAnError() {
        assertThrows(IllegalArgumentException.class,
                () -> RsyncStats.parse("sent 3,000,907 bytes  received 323 bytes  6,002,460.00 bytes/sec\n"));
    }
}
