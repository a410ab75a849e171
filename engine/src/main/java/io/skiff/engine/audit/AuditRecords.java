package io.skiff.engine.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.skiff.engine.api.AuditEntry;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.StorageException;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Reading a trail back: its files in order and their lines, streamed (a trail of years is never held in
 * memory), each as the exact bytes its hash covers and, if it parses, its JSON.
 */
public final class AuditRecords {
    /** Longest line read whole; a longer one is reported as broken, not loaded. */
    private static final int MAX_LINE_BYTES = 1 << 20;
    /** The tail read to find the last record: many times the longest record written. */
    private static final int TAIL_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditRecords() {
    }

    /**
     * One line of a trail file.
     *
     * @param bytes    the line without its newline: what the next record's {@code prev} hashes; null when too long
     * @param json     the record, or null when the line is not a JSON object
     * @param complete false for a last line without its newline (written when the process stopped)
     */
    public record Line(Path file, long number, byte[] bytes, JsonNode json, boolean complete) {
        public String hash() {
            return bytes == null ? null : Sha256.digest(bytes).hex();
        }

        /** The record's number, or -1 when it has none. */
        public long seq() {
            return json != null && json.path("seq").canConvertToLong() ? json.get("seq").asLong() : -1;
        }

        AuditHead head() {
            return new AuditHead(null, seq(), hash());
        }
    }

    /**
     * The records of the trail in {@code dir} for {@code channel} (null: all) from {@code since} on (null: all),
     * in order; lines that are not records are skipped ({@link AuditVerifier} reports them).
     */
    public static void entries(Path dir, String channel, java.time.Instant since, Consumer<AuditEntry> each) {
        forEach(dir, line -> {
            JsonNode r = line.json();
            if (r == null || line.seq() < 0 || channel != null && !channel.equals(r.path("channel").asText(null))) {
                return;
            }
            String time = r.path("time").asText(null);
            if (since != null && (time == null || parseTime(time).isBefore(since))) {
                return;
            }
            List<String> signers = new ArrayList<>();
            r.path("signers").forEach(k -> signers.add(k.asText()));
            each.accept(new AuditEntry(line.seq(), time, text(r, "actor"), text(r, "peer"), text(r, "action"), text(r, "channel"),
                    text(r, "tenant"), text(r, "version"), text(r, "release_id"), signers,
                    r.path("bytes").canConvertToLong() ? r.get("bytes").asLong() : null, text(r, "outcome"), text(r, "reason"),
                    new String(line.bytes(), java.nio.charset.StandardCharsets.UTF_8)));
        });
    }

    private static String text(JsonNode record, String field) {
        JsonNode v = record.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static java.time.Instant parseTime(String time) {
        try {
            return java.time.Instant.parse(time);
        } catch (java.time.format.DateTimeParseException e) {
            return java.time.Instant.EPOCH; // an edited time: shown only without --since; the verifier judges it
        }
    }

    /** The trail's files, oldest first. */
    public static List<Path> files(Path dir) {
        List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, AuditTrail.PREFIX + "*" + AuditTrail.SUFFIX)) {
            entries.forEach(files::add);
        } catch (IOException e) {
            throw new StorageException("list " + dir, e);
        }
        files.sort(null); // zero-padded numbers: name order is file order
        return files;
    }

    /** Every line of every file, in order. */
    public static void forEach(Path dir, Consumer<Line> each) {
        for (Path file : files(dir)) {
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 64 * 1024)) {
                ByteArrayOutputStream line = new ByteArrayOutputStream(512);
                long number = 0;
                boolean tooLong = false;
                for (int b; (b = in.read()) >= 0; ) {
                    if (b != '\n') {
                        if (line.size() < MAX_LINE_BYTES) {
                            line.write(b);
                        } else {
                            tooLong = true;
                        }
                        continue;
                    }
                    each.accept(line(file, ++number, tooLong ? null : line.toByteArray(), true));
                    line.reset();
                    tooLong = false;
                }
                if (line.size() > 0 || tooLong) {
                    each.accept(line(file, ++number, tooLong ? null : line.toByteArray(), false));
                }
            } catch (IOException e) {
                throw new StorageException("read " + file, e);
            }
        }
    }

    /** The hash of the trail's first line, which names the trail; null while it has none. */
    static String firstHash(Path dir) {
        List<Path> files = files(dir);
        if (files.isEmpty()) {
            return null;
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(files.get(0)))) {
            ByteArrayOutputStream line = new ByteArrayOutputStream(512);
            for (int b; (b = in.read()) >= 0; ) {
                if (b == '\n') {
                    return Sha256.digest(line.toByteArray()).hex();
                }
                if (line.size() >= MAX_LINE_BYTES) {
                    return null;
                }
                line.write(b);
            }
            return null;
        } catch (IOException e) {
            throw new StorageException("read " + files.get(0), e);
        }
    }

    /** How many lines the trail has. */
    static long lineCount(Path dir) {
        long[] count = {0};
        forEach(dir, line -> count[0]++);
        return count[0];
    }

    /** The last complete line of the trail, if any. */
    static Optional<Line> lastRecord(Path dir) {
        List<Path> files = files(dir);
        for (int i = files.size() - 1; i >= 0; i--) {
            Optional<Line> last = lastCompleteLine(files.get(i));
            if (last.isPresent()) {
                return last;
            }
        }
        return Optional.empty();
    }

    /** Whether {@code file} ends in a line without its newline. */
    static boolean endsTorn(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() == 0) {
                return false;
            }
            ByteBuffer last = ByteBuffer.allocate(1);
            ch.read(last, ch.size() - 1);
            return last.get(0) != '\n';
        }
    }

    private static Optional<Line> lastCompleteLine(Path file) {
        byte[] tail;
        long start;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            start = Math.max(0, ch.size() - TAIL_BYTES);
            ByteBuffer buffer = ByteBuffer.allocate((int) (ch.size() - start));
            while (buffer.hasRemaining() && ch.read(buffer, start + buffer.position()) >= 0) {
                // positional reads until the tail is in
            }
            tail = buffer.array();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException("read " + file, e);
        }
        int end = tail.length;
        while (end > 0 && tail[end - 1] != '\n') {
            end--; // an incomplete last line is not a record
        }
        if (end == 0) {
            return Optional.empty();
        }
        int from = end - 1;
        while (from > 0 && tail[from - 1] != '\n') {
            from--;
        }
        if (from == 0 && start > 0) {
            throw new StorageException(file, "the last record of " + file + " is longer than " + TAIL_BYTES + " bytes: not a skiff audit trail", null);
        }
        return Optional.of(line(file, -1, Arrays.copyOfRange(tail, from, end - 1), true));
    }

    private static Line line(Path file, long number, byte[] bytes, boolean complete) {
        JsonNode json = null;
        if (bytes != null) {
            try {
                JsonNode node = JSON.readTree(bytes);
                json = node != null && node.isObject() ? node : null;
            } catch (IOException notJson) {
                // reported by the verifier as a broken record
            }
        }
        return new Line(file, number, bytes, json, complete);
    }
}
