package io.skiff.bench.e2e;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The small parsers of /proc and /usr/bin/time output that the receiver- and sender-side figures rest on. */
class ProcParsingTest {
    @Test
    void cpuTicksFromProcStat() {
        // Captured /proc/<pid>/stat of an rsync daemon, with utime..cstime set to 11 22 33 44.
        String stat = "28745 (rsync) S 1 28740 18161 0 -1 4194304 318 361 1 0 11 22 33 44 20 0 1 0 467309 9605120 1108 "
                + "18446744073709551615 94737566416896 94737566824909 140735943359904 0 0 0 0 16781316 33638915 1 0 0 17 0 0 0 0 0 0";
        ProcStat.CpuTicks t = ProcStat.parseCpuTicks(stat);
        assertEquals(33, t.self());
        assertEquals(77, t.children());
        assertEquals(110, t.total());
    }

    @Test
    void cpuTicksWhenTheCommandNameHoldsSpacesAndParens() {
        String stat = "77 (my (odd) name) R 1 77 77 0 -1 0 0 0 0 0 5 6 7 8 20 0 1 0 1 1 1";
        assertEquals(11, ProcStat.parseCpuTicks(stat).self());
        assertEquals(15, ProcStat.parseCpuTicks(stat).children());
    }

    @Test
    void peakRssFromProcStatus() {
        String status = "Name:\tjava\nVmPeak:\t 3456789 kB\nVmHWM:\t  123456 kB\nVmRSS:\t  100000 kB\n";
        assertEquals(123_456L, ProcStat.parseStatusKb(status, "VmHWM").getAsLong());
        assertTrue(ProcStat.parseStatusKb(status, "VmSwap").isEmpty());
    }

    @Test
    void gnuTimeOutputAfterAFailedCommand() {
        double[] v = ProcessMeter.parseTimeOutput("Command exited with non-zero status 23\n1.52 2.31 0.40 112340\n");
        assertEquals(1.52, v[0]);
        assertEquals(2.31, v[1]);
        assertEquals(0.40, v[2]);
        assertEquals(112_340, v[3]);
        assertTrue(Double.isNaN(ProcessMeter.parseTimeOutput("Command terminated by signal 9\n")[1]));
    }

    @Test
    void skiffPushJson() {
        // Captured from `skiff push ... --json --no-progress`.
        String json = "{\"release_id\":\"b548b2d04903fe66c5f73e303bdfa67adfa3e5784825e54bc1cc5a5573354c57\",\"channel\":\"bench\","
                + "\"version\":\"v1\",\"files\":2,\"chunks_total\":43,\"bytes_logical\":3000003,\"bytes_wire\":3002415,"
                + "\"seconds\":0.707396,\"manifest_seconds\":0.094819,\"all_activated\":true,\"targets\":[{\"target\":"
                + "\"127.0.0.1:43019\",\"status\":\"activated\",\"already_active\":false,\"bytes_wire\":3002415,\"seconds\":"
                + "0.493687,\"chunks_total\":43,\"chunks_sent\":43,\"chunks_copied_locally\":0,\"error_code\":null,\"error\":null}]}\n";
        SkiffPushResult r = SkiffPushResult.parse(json);
        assertTrue(r.activated());
        assertEquals(3_000_003L, r.bytesLogical());
        assertEquals(3_002_415L, r.bytesWire());
        assertEquals(0.707396, r.seconds());
        assertEquals(null, r.targetError());
    }
}
