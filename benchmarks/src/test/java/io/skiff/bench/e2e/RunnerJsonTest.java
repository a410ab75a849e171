package io.skiff.bench.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RunnerJsonTest {
    @Test
    void shouldWriteTwoSpacesALevelWithMeasuredNumbersAndNotMeasuredAsNull() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bytes", 12L);
        m.put("seconds", 0.123456789);
        m.put("whole", 1000.0);
        m.put("cpu", Double.NaN);
        m.put("note", "a \"b\"\n");
        m.put("none", List.of());
        m.put("empty", Map.of());
        m.put("runs", List.of(1, Map.of("ok", true)));
        assertEquals("""
                {
                  "bytes": 12,
                  "seconds": 0.123457,
                  "whole": 1000,
                  "cpu": null,
                  "note": "a \\"b\\"\\n",
                  "none": [],
                  "empty": {},
                  "runs": [
                    1,
                    {
                      "ok": true
                    }
                  ]
                }
                """, RunnerJson.write(m));
    }

    @Test
    void shouldReadOneValueAndRejectTrailingText() {
        JsonNode n = RunnerJson.read("{\"a\": [1, 2.5]}");
        assertEquals(2.5, n.get("a").get(1).doubleValue());
        assertThrows(IllegalArgumentException.class, () -> RunnerJson.read("{} {}"));
        assertThrows(IllegalArgumentException.class, () -> RunnerJson.read("{\"a\":"));
    }
}
