package io.skiff.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * One compact JSON document for {@code --json}, written through Jackson's streaming {@link JsonGenerator}:
 * keys in the order they are written, integers as they are, fractions with six decimals ({@code 1.500000}),
 * NaN and infinities as {@code null}. The caller nests objects and arrays; {@link #toString()} closes
 * nothing and returns the text so far.
 */
final class JsonOut {
    private static final JsonFactory FACTORY = new JsonFactory();

    private final StringWriter text = new StringWriter();
    private final JsonGenerator json;

    JsonOut() {
        try {
            json = FACTORY.createGenerator(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs one generator call; a StringWriter never fails, so an IOException here is a bug. */
    private JsonOut write(GeneratorCall call) {
        try {
            call.run(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    private interface GeneratorCall {
        void run(JsonGenerator json) throws IOException;
    }

    JsonOut beginObject() {
        return write(JsonGenerator::writeStartObject);
    }

    JsonOut endObject() {
        return write(JsonGenerator::writeEndObject);
    }

    JsonOut beginArray() {
        return write(JsonGenerator::writeStartArray);
    }

    JsonOut endArray() {
        return write(JsonGenerator::writeEndArray);
    }

    JsonOut name(String name) {
        return write(j -> j.writeFieldName(name));
    }

    JsonOut value(String s) {
        return write(j -> j.writeString(s));
    }

    JsonOut value(long n) {
        return write(j -> j.writeNumber(n));
    }

    /** Six decimals, the format scripts and tests have read since the first --json. */
    JsonOut value(double d) {
        return write(j -> {
            if (Double.isFinite(d)) {
                j.writeNumber(String.format(Locale.ROOT, "%.6f", d));
            } else {
                j.writeNull();
            }
        });
    }

    JsonOut value(boolean b) {
        return write(j -> j.writeBoolean(b));
    }

    JsonOut nullValue() {
        return write(JsonGenerator::writeNull);
    }

    JsonOut field(String name, String v) {
        return name(name).value(v);
    }

    JsonOut field(String name, long v) {
        return name(name).value(v);
    }

    JsonOut field(String name, double v) {
        return name(name).value(v);
    }

    JsonOut field(String name, boolean v) {
        return name(name).value(v);
    }

    @Override
    public String toString() {
        return write(JsonGenerator::flush).text.toString();
    }
}
