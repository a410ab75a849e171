package io.skiff.engine.store;

import io.skiff.protocol.StorageException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * A channel's {@code activations.log}: one line per event ({@code <instant> activated release=<id> ...},
 * {@code pruned ...}), appended and forced to disk before the event counts as done. This is the
 * receiver's record of what it activated; the hash-chained audit trail of issue 20 replaces it here.
 */
final class ActivationsLog {
    private static final String ACTIVATED = " activated release=";
    /** Lines are short; the last activation is near the end. */
    private static final int TAIL_BYTES = 64 * 1024;

    private final Path file;

    private ActivationsLog(Path file) {
        this.file = file;
    }

    static ActivationsLog of(Path channelDir) {
        return new ActivationsLog(channelDir.resolve("activations.log"));
    }

    /** Appends {@code event} with the current time, forced to disk. */
    void append(String event) {
        String line = Instant.now() + " " + event + "\n";
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
            ch.force(false);
        } catch (IOException e) {
            throw new StorageException("append to " + file, e);
        }
    }

    /** The release id (hex) of the last "activated" line, or null when there is none (or no log). */
    String lastActivated() {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            int tail = (int) Math.min(size, TAIL_BYTES);
            ByteBuffer buf = ByteBuffer.allocate(tail);
            while (buf.hasRemaining() && ch.read(buf, size - tail + buf.position()) > 0) {
                // read the tail
            }
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
            int at = text.lastIndexOf(ACTIVATED);
            if (at < 0) {
                return null;
            }
            int start = at + ACTIVATED.length();
            int end = start;
            while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
                end++;
            }
            return text.substring(start, end);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new StorageException("read " + file, e);
        }
    }
}
