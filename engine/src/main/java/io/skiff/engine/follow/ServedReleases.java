package io.skiff.engine.follow;

import io.skiff.engine.api.PushOptions;
import io.skiff.engine.encode.ChunkSource;
import io.skiff.engine.encode.EncoderPools;
import io.skiff.engine.encode.ReleaseEncodings;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.engine.transport.Allocators;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.StorageException;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The releases an origin is serving now, each shared by the followers being served it: the first
 * follower's visit builds what they share ({@link #acquire}), the last one's frees it ({@link #release}).
 * Thread-safe.
 */
final class ServedReleases {
    /**
     * What the followers being served one release share: its manifest, its files, its encodings (so a
     * chunk is read and compressed once for all of them, through the encode-once cache) and one encoder
     * pool. Built by the first follower's visit, closed when the last one's ends.
     */
    static final class Served {
        final String key;
        final Manifest manifest;
        final ChunkSource source;
        final ReleaseEncodings encodings;
        final ExecutorService encoders;
        /** Visits using it; guarded by {@link ServedReleases#served}. */
        int visits;

        Served(String key, Manifest manifest, ChunkSource source, ReleaseEncodings encodings, ExecutorService encoders) {
            this.key = key;
            this.manifest = manifest;
            this.source = source;
            this.encodings = encodings;
            this.encoders = encoders;
        }
    }

    /** Releases being served now, by "channel/release-id" or "tenant/channel/release-id" ({@link OriginStores#where}). */
    private final Map<String, Served> served = new HashMap<>();

    /**
     * Release {@code id} of {@code channel} in {@code store}, {@code tenant}'s store (null: untenanted), for one
     * more visit; {@link #release} it when the visit is over.
     */
    Served acquire(ReleaseStore store, String tenant, String channel, Sha256 id) {
        String key = OriginStores.where(tenant, channel) + "/" + id.hex();
        synchronized (served) {
            Served s = served.get(key);
            if (s == null) {
                Manifest manifest = store.loadManifest(channel, id).orElseThrow(() -> new StorageException(
                        store.manifestFile(channel, id), "the manifest of " + channel + " " + id.shortHex() + " is missing", null));
                ChunkSource source = new ChunkSource(store.releaseDir(channel, id), manifest);
                s = new Served(key, manifest, source, new ReleaseEncodings(manifest, source, store::base, PushOptions.DEFAULT_ZSTD_LEVEL,
                        ReleaseEncodings.FAN_OUT_CACHE_BYTES, Allocators.sending()),
                        EncoderPools.newPool(Runtime.getRuntime().availableProcessors(), "skiff-origin-encode"));
                served.put(key, s);
            }
            s.visits++;
            return s;
        }
    }

    /** The last visit of a release frees what it shared, once its encoder threads are idle (they own zstd contexts). */
    void release(Served s) {
        synchronized (served) {
            if (--s.visits > 0) {
                return;
            }
            served.remove(s.key);
        }
        s.encoders.shutdownNow();
        Thread closer = new Thread(() -> {
            try {
                s.encoders.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            s.encodings.close();
            s.source.close();
        }, "skiff-origin-release");
        closer.setDaemon(true);
        closer.start();
    }
}
