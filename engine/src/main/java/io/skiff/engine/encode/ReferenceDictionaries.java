package io.skiff.engine.encode;

import io.skiff.protocol.frame.ChunkReference;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Compiled zstd dictionaries of a base's reference windows: the sender's for compressing
 * ({@code ZstdDictCompress}), the receiver's for decompressing ({@code ZstdDictDecompress}). Neighbouring
 * chunks share a window (see ReferencePlanner's grid), so each window is read, verified and compiled
 * once and reused by every chunk aimed at it, from any encoder or verifier thread (a compiled dictionary
 * is read-only in zstd). For the sender, indexing a reference costs many times what compressing a chunk
 * against it does (ZstdReferenceBenchmark); for the receiver, a compiled one spares
 * reading the window from the base and copying it into the decompression context for every chunk.
 * A thread that needs a window another is building waits for it: encoder threads take neighbouring
 * chunks, so they reach a new window together, and each would build its own copy. Holds the {@code capacity} most recently used; an evicted one is freed
 * when its last user is done.
 *
 * @param <D> the compiled form
 */
public final class ReferenceDictionaries<D extends Closeable> implements AutoCloseable {
    private static final class Entry<D> {
        /** Guarded by the entry itself: set once by the first user, who builds it while later ones wait. */
        private boolean built;
        private D dictionary; // null once built: the reference's bytes are unavailable
        // guarded by the ReferenceDictionaries
        int users;
        boolean evicted;
    }

    private final BaseChunks base;
    private final Function<byte[], D> compile;
    private final Map<ChunkReference, Entry<D>> entries;
    private final AtomicLong builds = new AtomicLong();

    /** @param compile makes the compiled form of a window's verified bytes */
    public ReferenceDictionaries(BaseChunks base, Function<byte[], D> compile, int capacity) {
        this.base = base;
        this.compile = compile;
        // ReferenceDictionaries.Entry spelled out: inside a LinkedHashMap subclass, JDK 25 resolves a bare Entry to LinkedHashMap.Entry
        this.entries = new LinkedHashMap<>(capacity * 2, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ChunkReference, ReferenceDictionaries.Entry<D>> eldest) {
                if (size() <= capacity) {
                    return false;
                }
                eldest.getValue().evicted = true;
                freeIfUnused(eldest.getValue());
                return true;
            }
        };
    }

    /** True if the bytes of {@code ref} verify (the answer is cached with the dictionary). */
    boolean available(ChunkReference ref) {
        return with(ref, dictionary -> Boolean.TRUE) != null;
    }

    /** Applies {@code use} to the compiled dictionary of {@code ref}; null (without calling it) when the base bytes do not verify. */
    <T> T with(ChunkReference ref, Function<D, T> use) {
        Entry<D> entry = acquire(ref);
        try {
            D dictionary = built(entry, ref);
            return dictionary == null ? null : use.apply(dictionary);
        } finally {
            release(entry);
        }
    }

    private synchronized Entry<D> acquire(ChunkReference ref) {
        Entry<D> entry = entries.get(ref);
        if (entry == null) {
            entry = new Entry<>();
            entries.put(ref, entry); // may evict the eldest, never this one
        }
        entry.users++;
        return entry;
    }

    /** The entry's dictionary, built by the first caller (the others wait); a failed build is tried again by the next. */
    private D built(Entry<D> entry, ChunkReference ref) {
        synchronized (entry) {
            if (!entry.built) {
                byte[] bytes = base.read(ref);
                entry.dictionary = bytes == null ? null : compile.apply(bytes);
                entry.built = true;
                builds.incrementAndGet();
            }
            return entry.dictionary;
        }
    }

    /** Dictionaries built so far (for tests): one per window, unless evicted and needed again. */
    long builds() {
        return builds.get();
    }

    private synchronized void release(Entry<D> entry) {
        entry.users--;
        freeIfUnused(entry);
    }

    /** Under this object's lock; a last user released it after its build, so the build is visible here. */
    private static void freeIfUnused(Entry<? extends Closeable> entry) {
        if (entry.evicted && entry.users == 0 && entry.dictionary != null) {
            try {
                entry.dictionary.close();
            } catch (IOException e) { // zstd's dictionaries free native memory and throw nothing
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public synchronized void close() {
        for (Entry<D> entry : entries.values()) {
            entry.evicted = true;
            freeIfUnused(entry);
        }
        entries.clear();
    }
}
