package io.skiff.bench.e2e;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads a document {@link RunnerJson#write} wrote back as plain Java values, for the report tests to
 * compare: objects as {@code Map}, arrays as {@code List}, whole numbers as {@code Long}, others as
 * {@code Double}, so a test sees which numbers were written as integers.
 */
final class PlainJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.USE_LONG_FOR_INTS);

    private PlainJson() {
    }

    static Object parse(String json) {
        try {
            return MAPPER.readValue(json, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
