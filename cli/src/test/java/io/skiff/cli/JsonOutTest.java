package io.skiff.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JsonOutTest {
    /** The text the engine's hand-written JsonWriter produced for the same calls, before --json moved to Jackson. */
    @Test
    void shouldWriteTheSameTextAsTheFormerWriter() {
        String json = new JsonOut().beginObject().field("s", "q\"b\\n\nt\tr\r/é\u0001").field("n", 42).field("i", Integer.MAX_VALUE)
                .field("d", 1.5).field("tiny", 0.0000004).field("big", 12345678.123456789).field("nan", Double.NaN).field("b", true)
                .field("z", (String) null)
                .name("a").beginArray().value(1).value("x").beginObject().endObject().beginArray().endArray().endArray()
                .name("e").beginObject().endObject().endObject().toString();
        assertEquals("{\"s\":\"q\\\"b\\\\n\\nt\\tr\\r/é\\u0001\",\"n\":42,\"i\":2147483647,\"d\":1.500000,\"tiny\":0.000000,"
                + "\"big\":12345678.123457,\"nan\":null,\"b\":true,\"z\":null,\"a\":[1,\"x\",{},[]],\"e\":{}}", json);
    }

    @Test
    void shouldWriteNullForAnInfiniteFractionAndANullValue() {
        assertEquals("[null,null]", new JsonOut().beginArray().value(Double.POSITIVE_INFINITY).nullValue().endArray().toString());
    }
}
