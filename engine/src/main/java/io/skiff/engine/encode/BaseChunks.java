package io.skiff.engine.encode;

import io.skiff.engine.files.FileChannelCache;
import io.skiff.protocol.ChunkTable;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ProtocolLimits;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.frame.ChunkReference;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * A base release on local disk (the sender's published copy or the receiver's retained release) read
 * as reference bytes for zstd+reference chunks.
 *
 * <p>A wrong reference can never produce a wrong file: the receiver hashes every decoded chunk, and a
 * zstd+reference chunk that does not decode to its hash is fetched again without a reference. So
 * checking the base here only saves a round trip, and what it costs decides how much is checked:
 * {@link Checking#EVERY_CHUNK} hashes each base chunk against the base manifest the first time it is
 * used (memoized); {@link Checking#MODIFIED_FILES} hashes only files modified after the base manifest
 * was built (a pipeline editing a pushed tree in place, which the sender's hard-linked history
 * shares), trusting the rest; {@link Checking#NONE} only checks that the bytes are there. A chunk
 * that does not match makes every reference containing it unavailable, so the caller falls back
 * (plain zstd on the sender, a REFETCH on the receiver). Safe for many threads; the memo tolerates
 * races (a chunk may be hashed twice). Every call reads: callers keep what they reuse, compiled
 * (ReferenceDictionaries, on both sides).
 */
public final class BaseChunks implements AutoCloseable {
    private static final int MAX_OPEN_FILES = 64;
    private static final byte UNKNOWN = 0;
    private static final byte GOOD = 1;
    private static final byte BAD = 2;
    /** A raw-content dictionary must not start like a zstd dictionary, or zstd would parse it as one. */
    private static final int ZSTD_DICT_MAGIC_LE = 0xEC30A437;

    private final Manifest manifest;
    private final Path releaseDir;
    private final byte[] state;
    private final FileChannelCache<Integer> files = new FileChannelCache<>(MAX_OPEN_FILES, StandardOpenOption.READ);
    private final ThreadLocal<MessageDigest> digests = ThreadLocal.withInitial(Sha256::newDigest);
    /** How much of the base is hashed before use (see the class comment). */
    public enum Checking { EVERY_CHUNK, MODIFIED_FILES, NONE }

    public BaseChunks(Manifest manifest, Path releaseDir) {
        this(manifest, releaseDir, Checking.EVERY_CHUNK);
    }

    public BaseChunks(Manifest manifest, Path releaseDir, Checking checking) {
        this.manifest = manifest;
        this.releaseDir = releaseDir;
        this.state = new byte[manifest.chunks().count()];
        if (checking == Checking.NONE) {
            java.util.Arrays.fill(state, GOOD);
        } else if (checking == Checking.MODIFIED_FILES) {
            trustUnmodifiedFiles();
        }
    }

    /** Files not modified since the manifest was built (its creation time is its newest file's mtime) are trusted. */
    private void trustUnmodifiedFiles() {
        ChunkTable chunks = manifest.chunks();
        int entry = -1;
        boolean trusted = false;
        for (int o = 0; o < chunks.count(); o++) {
            if (chunks.entryIndex(o) != entry) {
                entry = chunks.entryIndex(o);
                Path file = releaseDir.resolve(manifest.entries().get(entry).path());
                try {
                    trusted = java.nio.file.Files.getLastModifiedTime(file).toMillis() <= manifest.createdAtMillis()
                            && java.nio.file.Files.size(file) == manifest.entries().get(entry).size();
                } catch (IOException e) {
                    trusted = false;
                }
            }
            if (trusted) {
                state[o] = GOOD;
            }
        }
    }

    public Manifest manifest() {
        return manifest;
    }

    public Sha256 releaseId() {
        return manifest.releaseId();
    }

    /** True if {@code ref} names base chunks of one file, no more than the protocol allows. */
    public boolean isValid(ChunkReference ref) {
        ChunkTable chunks = manifest.chunks();
        long end = (long) ref.start() + ref.count();
        if (ref.start() < 0 || ref.count() < 1 || end > chunks.count()
                || chunks.entryIndex(ref.start()) != chunks.entryIndex((int) end - 1)) {
            return false;
        }
        long first = chunks.offset(ref.start());
        long last = chunks.offset((int) end - 1) + chunks.length((int) end - 1);
        return last - first <= ProtocolLimits.MAX_REFERENCE_BYTES;
    }

    /**
     * The verified bytes of base chunks [start, start + count), concatenated; null when the reference
     * is invalid, a file is missing or short, or a chunk does not hash to the base manifest.
     */
    public byte[] read(ChunkReference ref) {
        if (!isValid(ref)) {
            return null;
        }
        return readVerified(ref);
    }

    private byte[] readVerified(ChunkReference ref) {
        ChunkTable chunks = manifest.chunks();
        int end = ref.start() + ref.count();
        for (int o = ref.start(); o < end; o++) {
            if (state[o] == BAD) {
                return null;
            }
        }
        long first = chunks.offset(ref.start());
        int length = (int) (chunks.offset(end - 1) + chunks.length(end - 1) - first);
        byte[] bytes = new byte[length];
        int entry = chunks.entryIndex(ref.start());
        Path file = releaseDir.resolve(manifest.entries().get(entry).path());
        try {
            if (!files.readFully(entry, file, ByteBuffer.wrap(bytes), first)) {
                markBad(ref);
                return null;
            }
        } catch (IOException e) {
            return null;
        }
        MessageDigest digest = digests.get();
        for (int o = ref.start(); o < end; o++) {
            if (state[o] == GOOD) {
                continue;
            }
            digest.reset();
            digest.update(bytes, (int) (chunks.offset(o) - first), chunks.length(o));
            boolean good = chunks.hash(o).matches(digest.digest(), 0);
            state[o] = good ? GOOD : BAD;
            if (!good) {
                return null;
            }
        }
        if (bytes.length >= 4 && (bytes[0] & 0xff | (bytes[1] & 0xff) << 8 | (bytes[2] & 0xff) << 16 | (bytes[3] & 0xff) << 24) == ZSTD_DICT_MAGIC_LE) {
            return null;
        }
        return bytes;
    }

    private void markBad(ChunkReference ref) {
        for (int o = ref.start(); o < ref.start() + ref.count(); o++) {
            state[o] = BAD;
        }
    }

    @Override
    public void close() {
        files.close();
    }
}
