package io.skiff.bench.e2e;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SkiffPushResultTest {
    /** skiff push --json with the per-target manifest_bytes and encodings of the sender-history work. */
    static final String WITH_ENCODINGS = """
            {"release_id":"4ebc5f77ef4d71d143e832c04b9bfb7c2532c7a76fb93888488302e2a6f348c1","channel":"bench-update-skiff-r1",\
            "version":"v2","files":6,"chunks_total":80,"bytes_logical":5021780,"bytes_wire":161234,"seconds":0.81,\
            "manifest_seconds":0.12,"all_activated":true,"targets":[{"target":"127.0.0.1:43019","status":"activated",\
            "already_active":false,"bytes_wire":161234,"seconds":0.52,"chunks_total":80,"chunks_sent":78,\
            "chunks_copied_locally":2,"manifest_bytes":9876,"encodings":{"raw":{"chunks":1,"bytes":1000},\
            "zstd":{"chunks":3,"bytes":45000},"zstd_ref":{"chunks":74,"bytes":102345}},"error_code":null,"error":null}]}
            """;

    @Test
    void readsManifestBytesAndEncodingsInSkiffsOrder() {
        SkiffPushResult r = SkiffPushResult.parse(WITH_ENCODINGS);
        assertTrue(r.activated());
        assertEquals(161_234L, r.bytesWire());
        SkiffPushResult.WireBreakdown b = r.breakdown();
        assertTrue(b.reported());
        assertEquals(9_876L, b.manifestBytes());
        assertEquals(List.of("raw", "zstd", "zstd_ref"), List.copyOf(b.encodings().keySet()));
        assertEquals(new SkiffPushResult.EncodingCount(1, 1_000), b.encodings().get("raw"));
        assertEquals(new SkiffPushResult.EncodingCount(3, 45_000), b.encodings().get("zstd"));
        assertEquals(new SkiffPushResult.EncodingCount(74, 102_345), b.encodings().get("zstd_ref"));
        assertEquals("manifest 9,876 bytes; raw 1 chunk 1,000 bytes; zstd 3 chunks 45,000 bytes; zstd_ref 74 chunks 102,345 bytes",
                b.oneLine());
        assertEquals(Map.of("chunks", 74L, "bytes", 102_345L),
                ((Map<?, ?>) b.toJson().get("encodings")).get("zstd_ref"));
    }

    @Test
    void absentFieldsAreZeroAndEmpty() {
        // ProcParsingTest's capture, from a skiff without the breakdown.
        String json = "{\"release_id\":\"b548\",\"bytes_logical\":3000003,\"bytes_wire\":3002415,\"seconds\":0.7,"
                + "\"manifest_seconds\":0.09,\"targets\":[{\"target\":\"127.0.0.1:43019\",\"status\":\"activated\","
                + "\"bytes_wire\":3002415,\"error\":null}]}";
        SkiffPushResult.WireBreakdown b = SkiffPushResult.parse(json).breakdown();
        assertEquals(0L, b.manifestBytes());
        assertTrue(b.encodings().isEmpty());
        assertFalse(b.reported());
    }

    @Test
    void partialOrOddEncodingsAreReadLeniently() {
        String json = "{\"release_id\":\"x\",\"bytes_logical\":1,\"bytes_wire\":2,\"seconds\":0.1,\"manifest_seconds\":0.0,"
                + "\"targets\":[{\"status\":\"activated\",\"manifest_bytes\":null,"
                + "\"encodings\":{\"raw\":{\"chunks\":2},\"zstd\":\"?\",\"zstd_ref\":{\"chunks\":5,\"bytes\":700}}}]}";
        SkiffPushResult.WireBreakdown b = SkiffPushResult.parse(json).breakdown();
        assertEquals(0L, b.manifestBytes());
        assertEquals(new SkiffPushResult.EncodingCount(2, 0), b.encodings().get("raw"));
        assertFalse(b.encodings().containsKey("zstd"));
        assertEquals(new SkiffPushResult.EncodingCount(5, 700), b.encodings().get("zstd_ref"));
    }

    /** skiff push --json of a push that reconnected after a cut: attempts, and bytes_wire over all attempts. */
    static final String RESUMED = """
            {"release_id":"9f3c","channel":"bench-resume-r1-retrying","version":"v1","files":6,"chunks_total":1340,\
            "bytes_logical":99998649,"bytes_wire":28123456,"seconds":3.2,"manifest_seconds":0.4,"all_activated":true,\
            "targets":[{"target":"127.0.0.1:40001","status":"activated","already_active":false,"bytes_wire":28123456,\
            "seconds":2.7,"chunks_total":1340,"chunks_sent":1400,"chunks_copied_locally":0,"chunks_refetched":0,\
            "attempts":2,"base_release_id":null,"manifest_bytes":60123,"encodings":{"raw":{"chunks":0,"bytes":0},\
            "zstd":{"chunks":1400,"bytes":27900000},"zstd_ref":{"chunks":0,"bytes":0}},"error_code":null,"error":null}]}
            """;

    @Test
    void readsAttemptsAndChunkCounts() {
        SkiffPushResult r = SkiffPushResult.parse(RESUMED);
        assertTrue(r.activated());
        assertEquals(2, r.attempts());
        assertEquals(28_123_456L, r.bytesWire());
        assertEquals(1_400L, r.chunksSent());
        assertEquals(1_340L, r.chunksTotal());
        assertEquals(null, r.errorCode());
    }

    @Test
    void aPushCutWithoutRetriesReportsItsError() {
        String json = "{\"release_id\":\"9f3c\",\"bytes_logical\":99998649,\"bytes_wire\":14000000,\"seconds\":1.5,"
                + "\"manifest_seconds\":0.4,\"all_activated\":false,\"targets\":[{\"target\":\"127.0.0.1:40001\","
                + "\"status\":\"failed\",\"bytes_wire\":14000000,\"chunks_total\":1340,\"chunks_sent\":650,\"attempts\":1,"
                + "\"error_code\":\"connection_lost\",\"error\":\"connection closed by 127.0.0.1:40001\"}]}";
        SkiffPushResult r = SkiffPushResult.parse(json);
        assertFalse(r.activated());
        assertEquals(1, r.attempts());
        assertEquals("connection_lost", r.errorCode());
        assertEquals("connection closed by 127.0.0.1:40001", r.targetError());
    }

    @Test
    void attemptsAbsentOrOddIsOne() {
        assertEquals(1, SkiffPushResult.parse(WITH_ENCODINGS).attempts(), "a skiff before --retries made one attempt");
        String json = "{\"release_id\":\"x\",\"bytes_logical\":1,\"bytes_wire\":2,\"seconds\":0.1,\"manifest_seconds\":0.0,"
                + "\"targets\":[{\"status\":\"activated\",\"attempts\":0}]}";
        assertEquals(1, SkiffPushResult.parse(json).attempts());
        assertEquals(0L, SkiffPushResult.parse(json).chunksSent());
    }
}
