package io.skiff.engine.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Open files for positional reads or writes from many threads (positional I/O on one
 * {@link FileChannel} is thread-safe). Keeps up to {@code maxOpen} open; beyond that a call opens
 * and closes its own channel, so a release with many thousands of files never exhausts descriptors.
 *
 * @param <K> what names a file to the caller (a manifest entry index, a path)
 */
public final class FileChannelCache<K> implements AutoCloseable {
    /** Positional I/O on a channel. */
    @FunctionalInterface
    public interface ChannelIo<T> {
        T apply(FileChannel channel) throws IOException;
    }

    private final int maxOpen;
    private final OpenOption[] options;
    private final ConcurrentHashMap<K, FileChannel> open = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public FileChannelCache(int maxOpen, OpenOption... options) {
        if (maxOpen < 1) {
            throw new IllegalArgumentException("maxOpen=" + maxOpen);
        }
        this.maxOpen = maxOpen;
        this.options = options.clone();
    }

    /** The cached channel of {@code key}, opened now if there is room; null when the cache is full or closed. */
    public FileChannel cached(K key, Path path) throws IOException {
        FileChannel ch = open.get(key);
        if (ch != null || open.size() >= maxOpen || closed) {
            return ch;
        }
        try {
            return open.computeIfAbsent(key, k -> {
                try {
                    return FileChannel.open(path, options);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Runs {@code io} on the cached channel, or on one opened and closed for this call when the cache is full. */
    public <T> T with(K key, Path path, ChannelIo<T> io) throws IOException {
        FileChannel cached = cached(key, path);
        if (cached != null) {
            return io.apply(cached);
        }
        try (FileChannel ch = FileChannel.open(path, options)) {
            return io.apply(ch);
        }
    }

    /**
     * Fills {@code target}'s remaining bytes from the file at {@code position} with positional reads.
     * @return false if the file ends first
     */
    public boolean readFully(K key, Path path, ByteBuffer target, long position) throws IOException {
        return with(key, path, ch -> {
            long at = position;
            while (target.hasRemaining()) {
                int n = ch.read(target, at);
                if (n < 0) {
                    return false;
                }
                at += n;
            }
            return true;
        });
    }

    @Override
    public void close() {
        closed = true;
        for (FileChannel ch : open.values()) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // positional I/O only: nothing buffered to lose; writers fsync before they rely on data
            }
        }
        open.clear();
    }
}
