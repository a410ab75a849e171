package io.skiff.engine.encode;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDictCompress;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.FileRegion;
import io.skiff.engine.delta.BaseRange;
import io.skiff.engine.delta.ChunkEnds;
import io.skiff.engine.delta.ReferencePlanner;
import io.skiff.engine.manifest.LocalRelease;
import io.skiff.engine.transport.Allocators;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.frame.BaseFrame.ManifestEncoding;
import io.skiff.protocol.frame.ChunkEncoding;
import io.skiff.protocol.frame.ChunkFrame;
import io.skiff.protocol.frame.ChunkReference;
import io.skiff.protocol.frame.FrameDescriptor;
import io.skiff.protocol.frame.FrameEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How one push encodes its release, shared by all targets: per delta base (a release a target holds
 * and the sender's history still has) the manifest compressed against the base's manifest and each
 * chunk compressed against the base bytes it replaces; without a base, plain zstd. Chunk encodings
 * go through an {@link EncodedChunkCache} when several targets share them.
 * Thread-safe: sessions ask from event loops, encoder threads encode.
 */
public final class ReleaseEncodings implements AutoCloseable {
    /** Encodings kept for the other targets of a fan-out; targets move in step, so this is a window, not a store. */
    public static final long FAN_OUT_CACHE_BYTES = 64L * 1024 * 1024;
    /** Where delta bases come from: the sender's history, or for an estimate the old tree itself. */
    @FunctionalInterface
    public interface BaseSource {
        Optional<LocalRelease> find(String channel, Sha256 id);
    }

    private static final Logger LOG = LoggerFactory.getLogger(ReleaseEncodings.class);
    /** Manifests are small and sent once per target: worth a slower, tighter level than chunks. */
    static final int MANIFEST_ZSTD_LEVEL = 9;
    /**
     * References span at most this many average chunks (512 KiB by default). zstd indexes a whole
     * reference before compressing against it, so a window around the chunk's estimated position
     * beats the whole gap of a dense edit; neighbouring chunks share a window (ReferencePlanner's
     * grid) and its compiled dictionary. Eight is where payload and encoding CPU were best together on
     * the corpus update (docs/benchmarks.md, "Figures behind the code").
     */
    static final int REFERENCE_WINDOW_CHUNKS = 8;
    /** Compiled reference windows kept per base: enough for every encoder thread's neighbourhood. */
    static final int DICTIONARIES_PER_BASE = 16;

    private final Manifest manifest;
    private final ChunkSource source;
    private final BaseSource history;
    private final EncodedChunkCache cache;
    private final CompressibilityTracker compressibility;
    private final ThreadLocal<ChunkCompressor> compressors;
    private final List<ChunkCompressor> allCompressors = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ByteBufAllocator alloc;
    private final int zstdLevel;
    /** Encodings without a base; built on first use (it compresses the manifest), which many pushes never need. */
    private Delta plain;
    private final Map<Sha256, Optional<Delta>> byBase = new HashMap<>();

    /**
     * @param history    where bases come from (the sender's published releases), or null: no references
     * @param cacheBytes budget of the encode-once cache; 0 for none (a single target gains nothing)
     */
    public ReleaseEncodings(Manifest manifest, ChunkSource source, BaseSource history, int zstdLevel, long cacheBytes,
                     ByteBufAllocator alloc) {
        this.manifest = manifest;
        this.source = source;
        this.history = history;
        this.cache = cacheBytes > 0 ? new EncodedChunkCache(cacheBytes) : null;
        this.compressibility = new CompressibilityTracker(manifest.entries().size());
        this.compressors = ThreadLocal.withInitial(() -> {
            ChunkCompressor c = new ChunkCompressor(zstdLevel);
            allCompressors.add(c);
            return c;
        });
        this.alloc = alloc;
        this.zstdLevel = zstdLevel;
    }

    /**
     * Bytes a push of {@code next} from {@code nextRoot} would put on the wire to a target holding
     * {@code base} (in {@code baseRoot}) that wants {@code wanted}: every chunk encoded exactly as a
     * push would (against the base when it helps), plus frame headers, the manifest as it would be
     * sent, and {@code handshakeBytes}. Reads only the wanted chunks and their references.
     */
    public static long estimate(Path baseRoot, Manifest base, Path nextRoot, Manifest next, BitSet wanted, int zstdLevel,
                                int handshakeBytes) {
        BaseSource old = (channel, id) -> id.equals(base.releaseId())
                ? Optional.of(new LocalRelease(base, baseRoot)) : Optional.empty();
        try (ChunkSource source = new ChunkSource(nextRoot, next);
             ReleaseEncodings encodings = new ReleaseEncodings(next, source, old, zstdLevel, 0, Allocators.sending())) {
            Delta delta = encodings.forBases(List.of(base.releaseId()));
            long total = handshakeBytes + delta.encodedManifest().length + (next.chunks().count() + 7L) / 8;
            for (int o = wanted.nextSetBit(0); o >= 0; o = wanted.nextSetBit(o + 1)) {
                Object frame = delta.prepare(o, true);
                if (frame instanceof FileRegionChunk zeroCopy) {
                    total += zeroCopy.header().readableBytes() + zeroCopy.rawLength();
                    zeroCopy.release();
                } else {
                    ChunkFrame chunk = (ChunkFrame) frame;
                    total += FrameDescriptor.HEADER_BYTES + FrameDescriptor.CHUNK_HEADER_BYTES + chunk.payload().readableBytes();
                    chunk.release();
                }
            }
            return total;
        }
    }

    /** The delta for the first of a target's bases (newest first) that the history holds; plain zstd if none. */
    public synchronized Delta forBases(List<Sha256> bases) {
        if (history != null) {
            for (Sha256 id : bases) {
                Optional<Delta> delta = byBase.computeIfAbsent(id, this::openBase);
                if (delta.isPresent()) {
                    return delta.get();
                }
            }
        }
        if (plain == null) {
            plain = new Delta(null, null, null);
        }
        return plain;
    }

    private Optional<Delta> openBase(Sha256 id) {
        return history.find(manifest.channel(), id).map(published -> {
            long start = System.nanoTime();
            int window = (int) Math.min(ReferencePlanner.MAX_REFERENCE_BYTES, (long) REFERENCE_WINDOW_CHUNKS * manifest.chunking().avgBytes());
            Manifest old = published.manifest();
            ChunkEnds ends = ChunkEnds.read(old, e -> published.dir().resolve(old.entries().get(e).path()), manifest, source::file);
            Delta d = new Delta(new ReferencePlanner(old, manifest, window, ends),
                    new ReferencePlanner(old, manifest, ReferencePlanner.MAX_REFERENCE_BYTES, ends),
                    new BaseChunks(old, published.dir(), BaseChunks.Checking.MODIFIED_FILES));
            LOG.info("delta base {} of {}: manifest {} bytes encoded as {}, references planned ({} ms)", id.shortHex(),
                    manifest.channel(), manifest.canonicalLength(), d.encodedManifest().length, (System.nanoTime() - start) / 1_000_000);
            return d;
        });
    }

    /** Encodings against one base (or none). */
    public final class Delta {
        private final ReferencePlanner planner;
        /** The same pairing with the widest window the protocol allows: the retry when the narrow one missed. */
        private final ReferencePlanner widePlanner;
        private final BaseChunks base;
        private final ReferenceDictionaries<ZstdDictCompress> dictionaries;
        private final ManifestEncoding manifestEncoding;
        private final byte[] encodedManifest;

        private Delta(ReferencePlanner planner, ReferencePlanner widePlanner, BaseChunks base) {
            this.planner = planner;
            this.widePlanner = widePlanner;
            this.dictionaries = base == null ? null : new ReferenceDictionaries<>(base, ChunkCompressor.referenceDictionary(zstdLevel),
                    DICTIONARIES_PER_BASE);
            this.base = base;
            byte[] canonical = manifest.canonicalBytes();
            byte[] compressed;
            try (ZstdCompressCtx ctx = new ZstdCompressCtx().setLevel(MANIFEST_ZSTD_LEVEL).setChecksum(false).setContentSize(true)) {
                if (base != null) {
                    ctx.loadDict(base.manifest().canonicalBytes());
                }
                compressed = ctx.compress(canonical);
            }
            if (compressed.length < canonical.length) {
                manifestEncoding = base != null ? ManifestEncoding.ZSTD_BASE : ManifestEncoding.ZSTD;
                encodedManifest = compressed;
            } else {
                manifestEncoding = ManifestEncoding.PLAIN;
                encodedManifest = canonical;
            }
        }

        /** The base release, or null for plain encodings. */
        public Sha256 baseId() {
            return base == null ? null : base.releaseId();
        }

        public ManifestEncoding manifestEncoding() {
            return manifestEncoding;
        }

        public byte[] encodedManifest() {
            return encodedManifest;
        }

        /**
         * A {@link ChunkFrame}, or a {@link FileRegionChunk} when the chunk goes raw from the file. With
         * {@code allowReference} false (the target could not use one), never zstd+reference.
         */
        public Object prepare(int ordinal, boolean allowReference) {
            if (base != null && allowReference && cache != null) {
                // encoded for another target already, or received so by a relay: no planning, no base check
                ChunkFrame ready = cache.peek(base.releaseId(), ordinal);
                if (ready != null) {
                    return ready;
                }
            }
            if (base != null && allowReference && compressors.get().enabled()) { // --zstd-level 0: everything raw
                ChunkCompressor.ReferenceCandidate first = candidate(planner.referenceFor(ordinal));
                if (first != null && dictionaries.available(first.ref())) { // else the history's copy changed: plain zstd
                    ChunkCompressor.ReferenceCandidate wide = candidate(widePlanner.referenceFor(ordinal));
                    ChunkCompressor.ReferenceCandidate fallback = wide == null || wide.ref().equals(first.ref()) ? null : wide;
                    return cached(base.releaseId(), ordinal, () -> compressors.get()
                            .encodeWithReference(alloc, ordinal, source.read(alloc, ordinal), first, fallback));
                }
            }
            return preparePlain(ordinal);
        }

        /**
         * The chunk as a region of its file when {@link #prepare} would send it so: no reference, and its
         * file not worth trying zstd on (or compression off). Building it is cheap and does not block,
         * so the event loop can write it at once; null when an encoder thread must prepare the chunk.
         */
        public FileRegionChunk prepareZeroCopy(int ordinal, boolean allowReference) {
            if (base != null && allowReference || worthTrying(ordinal)) {
                return null; // a reference, a cached encoding or zstd may apply: the encoder decides
            }
            return region(ordinal);
        }

        /** Whether the chunk goes raw from its file whatever else: no base to reference, no zstd to try. What a RAW_RUN carries. */
        public boolean rawFromFile(int ordinal) {
            return base == null && !worthTrying(ordinal);
        }

        /**
         * Chunks {@code first .. first + count - 1} of one file, each {@linkplain #rawFromFile raw from it},
         * as one RAW_RUN: its header and one region over their bytes; null when the file cannot be kept open.
         */
        public FileRegionChunk prepareRawRun(int first, int count) {
            FileRegion region = source.region(first, count);
            if (region == null) {
                return null;
            }
            int[] lengths = new int[count];
            for (int i = 0; i < count; i++) {
                lengths[i] = manifest.chunks().length(first + i);
            }
            return new FileRegionChunk(count, (int) region.count(), FrameEncoder.rawRunHeader(alloc, first, lengths, count), region);
        }

        private ChunkCompressor.ReferenceCandidate candidate(BaseRange range) {
            if (range == null) {
                return null;
            }
            return new ChunkCompressor.ReferenceCandidate(new ChunkReference(range.start(), range.count()), dictionaries);
        }
    }

    private boolean worthTrying(int ordinal) {
        return zstdLevel != 0 && compressibility.shouldTry(source.entryIndex(ordinal), ordinal);
    }

    /** The chunk's bytes as a region of its file; null when the file cannot be kept open (then it is read). */
    private FileRegionChunk region(int ordinal) {
        FileRegion region = source.region(ordinal);
        if (region == null) {
            return null;
        }
        int length = (int) region.count();
        return new FileRegionChunk(1, length, FrameEncoder.chunkHeader(alloc, ordinal, ChunkEncoding.RAW, length, length), region);
    }

    private Object preparePlain(int ordinal) {
        boolean tried = worthTrying(ordinal);
        if (!tried) {
            FileRegionChunk zeroCopy = region(ordinal);
            if (zeroCopy != null) {
                return zeroCopy;
            }
        }
        int entry = source.entryIndex(ordinal);
        ChunkFrame frame = cached(null, ordinal, () -> compressors.get().encode(alloc, ordinal, source.read(alloc, ordinal), tried));
        if (tried) {
            compressibility.record(entry, frame.encoding() != ChunkEncoding.RAW);
        }
        return frame;
    }

    /**
     * A relay received this chunk compressed from its own sender, against {@code base} (null: plain
     * zstd), and verified it: kept, and sent as it is to the targets that get that encoding of it (the
     * same base, or plain), with no second compression. Takes ownership of {@code frame}.
     */
    public void keepReceived(ChunkFrame frame, Sha256 base) {
        if (cache != null) {
            cache.put(base, frame.ordinal(), frame);
        } else {
            frame.release();
        }
    }

    /** A relay received chunk {@code ordinal} raw: its sender found it not worth compressing, so its file is. */
    public void receivedRaw(int ordinal) {
        compressibility.record(source.entryIndex(ordinal), false);
    }

    private ChunkFrame cached(Sha256 base, int ordinal, java.util.function.Supplier<ChunkFrame> encode) {
        return cache == null ? encode.get() : cache.get(base, ordinal, encode);
    }

    @Override
    public synchronized void close() {
        if (cache != null) {
            cache.close();
        }
        byBase.values().forEach(d -> d.ifPresent(delta -> {
            delta.dictionaries.close();
            delta.base.close();
        }));
        allCompressors.forEach(ChunkCompressor::close);
    }
}
