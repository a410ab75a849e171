package io.skiff.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A release: channel, version, creation time, chunking parameters and every entry with its chunks.
 * Immutable and always valid (construction runs {@link ManifestValidator}). Its {@link #releaseId()} is
 * the SHA-256 of its canonical encoding ({@link ManifestCodec}).
 */
public final class Manifest {
    /** Entries sort by the unsigned bytes of their UTF-8 path: one order on every platform. */
    public static final Comparator<String> PATH_ORDER =
            (a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    private final String channel;
    private final String version;
    private final long createdAtMillis;
    private final ChunkingParams chunking;
    private final List<ManifestEntry> entries;
    private final ChunkTable chunks;
    private final byte[] canonical;
    private final Sha256 releaseId;

    Manifest(String channel, String version, long createdAtMillis, ChunkingParams chunking,
             List<ManifestEntry> entries, ChunkTable chunks) {
        this(channel, version, createdAtMillis, chunking, entries, chunks, null);
    }

    /**
     * {@code decoded}: the bytes this manifest was decoded from, kept as its canonical encoding after a
     * streaming comparison with what encoding it gives (no second copy of a large manifest); null: encoded here.
     */
    Manifest(String channel, String version, long createdAtMillis, ChunkingParams chunking,
             List<ManifestEntry> entries, ChunkTable chunks, byte[] decoded) {
        this.channel = channel;
        this.version = version;
        this.createdAtMillis = createdAtMillis;
        this.chunking = chunking;
        this.entries = List.copyOf(entries);
        this.chunks = chunks;
        ManifestValidator.validate(this);
        if (decoded == null) {
            this.canonical = ManifestCodec.encode(this);
        } else {
            ManifestCodec.checkCanonical(this, decoded);
            this.canonical = decoded;
        }
        this.releaseId = Sha256.digest(canonical);
    }

    public String channel() {
        return channel;
    }

    public String version() {
        return version;
    }

    public long createdAtMillis() {
        return createdAtMillis;
    }

    public ChunkingParams chunking() {
        return chunking;
    }

    public List<ManifestEntry> entries() {
        return entries;
    }

    public ChunkTable chunks() {
        return chunks;
    }

    public Sha256 releaseId() {
        return releaseId;
    }

    /** The canonical bytes (a copy): what travels in MANIFEST frames and what the release id hashes. */
    public byte[] canonicalBytes() {
        return canonical.clone();
    }

    public int canonicalLength() {
        return canonical.length;
    }

    /** Sum of file sizes. */
    public long totalBytes() {
        long total = 0;
        for (ManifestEntry e : entries) {
            total += e.size();
        }
        return total;
    }

    public int fileCount() {
        int files = 0;
        for (ManifestEntry e : entries) {
            if (e.isFile()) {
                files++;
            }
        }
        return files;
    }

    public static Builder builder(String channel, String version, ChunkingParams chunking) {
        return new Builder(channel, version, chunking);
    }

    /** Collects entries in any order; {@link #build()} sorts them and lays out the chunk table. */
    public static final class Builder {
        private final String channel;
        private final String version;
        private final ChunkingParams chunking;
        private long createdAtMillis = System.currentTimeMillis();
        private final List<Pending> pending = new ArrayList<>();

        private record Pending(String path, EntryKind kind, boolean executable, long size, Sha256 sha256,
                               byte[] chunkHashes, int[] chunkLengths) {
        }

        private Builder(String channel, String version, ChunkingParams chunking) {
            this.channel = Objects.requireNonNull(channel, "channel");
            this.version = Objects.requireNonNull(version, "version");
            this.chunking = Objects.requireNonNull(chunking, "chunking");
        }

        public Builder createdAtMillis(long millis) {
            this.createdAtMillis = millis;
            return this;
        }

        public Builder addDirectory(String path) {
            pending.add(new Pending(path, EntryKind.DIRECTORY, false, 0, null, new byte[0], new int[0]));
            return this;
        }

        /**
         * Adds a file; its digest is computed from the chunk list ({@link ChunkListDigest}).
         *
         * @param chunkHashes  {@code chunkLengths.length} SHA-256 digests back to back
         * @param chunkLengths chunk lengths in file order; they sum to {@code size}
         */
        public Builder addFile(String path, boolean executable, long size, byte[] chunkHashes, int[] chunkLengths) {
            Sha256 digest = ChunkListDigest.of(chunkHashes, chunkLengths);
            pending.add(new Pending(path, EntryKind.FILE, executable, size, digest, chunkHashes, chunkLengths));
            return this;
        }

        public Manifest build() {
            List<Pending> sorted = new ArrayList<>(pending);
            sorted.sort((a, b) -> PATH_ORDER.compare(a.path, b.path));
            int totalChunks = 0;
            for (Pending p : sorted) {
                totalChunks += p.chunkLengths.length;
            }
            ChunkTable.Builder table = new ChunkTable.Builder(totalChunks);
            List<ManifestEntry> entries = new ArrayList<>(sorted.size());
            for (Pending p : sorted) {
                int first = table.count();
                long offset = 0;
                for (int i = 0; i < p.chunkLengths.length; i++) {
                    table.add(p.chunkHashes, i * Sha256.BYTES, p.chunkLengths[i], offset, entries.size());
                    offset += p.chunkLengths[i];
                }
                entries.add(new ManifestEntry(p.path, p.kind, p.executable, p.size, p.sha256, first, p.chunkLengths.length));
            }
            return new Manifest(channel, version, createdAtMillis, chunking, entries, table.build());
        }
    }
}
