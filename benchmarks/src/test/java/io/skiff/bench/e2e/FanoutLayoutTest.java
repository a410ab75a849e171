package io.skiff.bench.e2e;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The fan-out scenario's regions, topology file and plain --to list. */
class FanoutLayoutTest {
    private static List<FanoutLayout.Endpoint> endpoints(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> new FanoutLayout.Endpoint(i, 9000 + i, 7000 + i)).toList();
    }

    @Test
    void receiversFillRegionsInOrder() {
        FanoutLayout l = new FanoutLayout(2, 4);
        assertEquals(8, l.receivers());
        assertEquals("region1", l.regionOf(0));
        assertEquals("region1", l.regionOf(3));
        assertEquals("region2", l.regionOf(4));
        assertEquals("region2", l.regionOf(7));
        assertEquals("8 targets in 2 regions", l.targetsText());
        assertEquals("2 targets in 1 region", new FanoutLayout(1, 2).targetsText());
    }

    @Test
    void topologyFileSendsTheSenderToTheProxiesAndRelaysToTheRealPorts() {
        FanoutLayout l = new FanoutLayout(2, 2);
        assertEquals("""
                region1 127.0.0.1:9000 internal=127.0.0.1:7000
                region1 127.0.0.1:9001 internal=127.0.0.1:7001
                region2 127.0.0.1:9002 internal=127.0.0.1:7002
                region2 127.0.0.1:9003 internal=127.0.0.1:7003
                """, l.topologyFile(endpoints(4)));
        assertEquals("127.0.0.1:9000,127.0.0.1:9001,127.0.0.1:9002,127.0.0.1:9003", l.plainTo(endpoints(4)));
    }

    @Test
    void everyReceiverExactlyOnceInOrder() {
        FanoutLayout l = new FanoutLayout(2, 2);
        assertThrows(IllegalArgumentException.class, () -> l.topologyFile(endpoints(3)));
        List<FanoutLayout.Endpoint> swapped = List.of(endpoints(4).get(1), endpoints(4).get(0), endpoints(4).get(2), endpoints(4).get(3));
        assertThrows(IllegalArgumentException.class, () -> l.plainTo(swapped));
    }

    @Test
    void bounds() {
        assertThrows(IllegalArgumentException.class, () -> new FanoutLayout(1, 1));
        assertThrows(IllegalArgumentException.class, () -> new FanoutLayout(0, 4));
        assertThrows(IllegalArgumentException.class, () -> new FanoutLayout(FanoutLayout.MAX_REGIONS + 1, 2));
        assertThrows(IllegalArgumentException.class, () -> new FanoutLayout(2, FanoutLayout.MAX_PER_REGION + 1));
    }
}
