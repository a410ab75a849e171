package io.skiff.bench.e2e;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LoopbackCounterTest {
    /** Captured /proc/net/dev of the benchmark VM (on lo, received = transmitted; eth0 tells the columns apart). */
    static final String CAPTURED = """
            Inter-|   Receive                                                |  Transmit
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                lo: 23039822229  494618    0    0    0     0          0         0 23039822229  494618    0    0    0     0       0          0
              ifb0:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
              eth0: 31798674    1482    0    0    0     0          0         0   221748    1414    0    0    0     0       0          0
            """;

    @Test
    void readsTransmittedBytesOfTheNamedInterface() {
        assertEquals(23_039_822_229L, LoopbackCounter.transmitBytes(CAPTURED, "lo"));
        assertEquals(221_748L, LoopbackCounter.transmitBytes(CAPTURED, "eth0"));
    }

    @Test
    void counterTouchingTheColon() {
        String line = "    lo:123456789012 10 0 0 0 0 0 0 987654321098 10 0 0 0 0 0 0\n";
        assertEquals(987_654_321_098L, LoopbackCounter.transmitBytes(line, "lo"));
    }

    @Test
    void missingInterface() {
        assertThrows(IllegalArgumentException.class, () -> LoopbackCounter.transmitBytes(CAPTURED, "wlan0"));
    }

    @Test
    void liveCounterIsReadableOnLinux() {
        // Not a timing assertion: only that the running kernel's file parses (skipped in effect off Linux).
        LoopbackCounter.transmittedBytes().ifPresent(v -> assertEquals(true, v >= 0));
    }
}
