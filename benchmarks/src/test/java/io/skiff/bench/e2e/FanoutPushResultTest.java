package io.skiff.bench.e2e;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Reading skiff push --json for several targets, with and without the relay fields. */
class FanoutPushResultTest {
    private static String target(String address, String status, String extra) {
        return "{\"target\":\"" + address + "\",\"status\":\"" + status + "\",\"bytes_wire\":1000,\"attempts\":1" + extra + "}";
    }

    private static String push(long bytesWire, String... targets) {
        return "{\"release_id\":\"ab12\",\"bytes_logical\":30000000,\"bytes_wire\":" + bytesWire
                + ",\"seconds\":1.5,\"manifest_seconds\":0.25,\"targets\":[" + String.join(",", targets) + "]}";
    }

    @Test
    void relayedPushReportsRegionsRoutesAndVia() {
        FanoutPushResult r = FanoutPushResult.parse(push(2_000, 
                target("127.0.0.1:7001", "activated", ",\"region\":\"eu\",\"route\":\"relay\",\"via\":null"),
                target("127.0.0.1:7002", "activated", ",\"region\":\"eu\",\"route\":\"relayed\",\"via\":\"127.0.0.1:7001\""),
                target("127.0.0.1:7003", "activated", ",\"region\":\"us\",\"route\":\"RELAY\""),
                target("127.0.0.1:7004", "activated", ",\"region\":\"us\",\"route\":\"fallback\",\"via\":\"127.0.0.1:7003\"")));
        assertEquals("ab12", r.releaseId());
        assertEquals(2_000, r.bytesWire(), "the top-level figure: what left the sender");
        assertEquals(4, r.targets().size());
        assertEquals(4, r.activated());
        FanoutPushResult.Target relayed = r.targets().get(1);
        assertEquals("eu", relayed.region());
        assertEquals("relayed", relayed.route());
        assertEquals("127.0.0.1:7001", relayed.via());
        assertNull(r.targets().get(0).via());
        assertEquals("relay", r.targets().get(2).route(), "routes compared in lower case");
        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put("relay", 2);
        expected.put("relayed", 1);
        expected.put("fallback", 1);
        assertEquals(expected, r.routes());
        assertEquals("2 relay, 1 relayed, 1 fallback", FanoutPushResult.routesText(r.routes()));
    }

    @Test
    void aSkiffWithoutRelaysReadsAsAllDirect() {
        FanoutPushResult r = FanoutPushResult.parse("WARNING: a JVM warning\n" + push(3_000,
                target("127.0.0.1:7001", "activated", ""), target("127.0.0.1:7002", "activated", ""),
                target("127.0.0.1:7003", "failed", ",\"error_code\":\"connection_lost\",\"error\":\"cut\"")));
        assertEquals("", r.targets().get(0).region());
        assertEquals("direct", r.targets().get(0).route());
        assertEquals(Map.of("direct", 3), r.routes());
        assertEquals(2, r.activated());
        assertEquals(List.of("127.0.0.1:7003 failed (connection_lost: cut)"), r.failures());
        assertEquals("—", FanoutPushResult.routesText(Map.of()));
    }

    @Test
    void unknownRoutesComeLast() {
        FanoutPushResult r = FanoutPushResult.parse(push(1, target("a:1", "activated", ",\"route\":\"mesh\""),
                target("a:2", "activated", ",\"route\":\"direct\"")));
        assertEquals("1 direct, 1 mesh", FanoutPushResult.routesText(r.routes()));
    }

    @Test
    void badOutputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> FanoutPushResult.parse("[]"));
        assertThrows(IllegalArgumentException.class, () -> FanoutPushResult.parse(push(1)));
        assertThrows(IllegalArgumentException.class, () -> FanoutPushResult.parse("{\"targets\":[" + target("a:1", "activated", "") + "]}"),
                "no top-level bytes_wire");
    }
}
