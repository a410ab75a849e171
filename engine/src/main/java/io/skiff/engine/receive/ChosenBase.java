package io.skiff.engine.receive;

import com.github.luben.zstd.ZstdDictDecompress;
import io.skiff.engine.encode.BaseChunks;
import io.skiff.engine.encode.ReferenceDictionaries;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.StorageException;
import io.skiff.protocol.frame.BaseFrame;

import java.util.List;

/**
 * The base release the sender chose (BASE frame) to encode against: its manifest (the dictionary of a
 * ZSTD_BASE manifest) and its chunks, read for zstd+reference chunks through reference windows that
 * are each read and compiled once for every chunk aimed at them. Closed when the transfer is released,
 * after the last verifier is done with it.
 */
final class ChosenBase implements AutoCloseable {
    /**
     * Compiled reference windows kept per session (≤ 1 MiB each): the sender's encoders move forward
     * through the base, so chunks in flight aim at a few neighbouring windows.
     */
    private static final int BASE_WINDOWS = 8;

    private final Sha256 id;
    private final BaseChunks chunks;
    private final ReferenceDictionaries<ZstdDictDecompress> windows;

    private ChosenBase(Sha256 id, BaseChunks chunks) {
        this.id = id;
        this.chunks = chunks;
        this.windows = new ReferenceDictionaries<>(chunks, ZstdDictDecompress::new, BASE_WINDOWS);
    }

    /**
     * The base {@code b} chose, opened, or null when it chose none; UNEXPECTED_FRAME when this receiver did not
     * offer it, STORAGE_FAILURE when its manifest is gone.
     */
    static ChosenBase chosen(BaseFrame b, List<Sha256> offered, ReleaseStore store, String channel) {
        if (b.baseId() == null) {
            return null;
        }
        if (!offered.contains(b.baseId())) {
            throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME, "sender chose base " + b.baseId().shortHex() + ", which this receiver did not offer");
        }
        return open(store, channel, b.baseId());
    }

    /** Opens release {@code id} of {@code channel}; STORAGE_FAILURE when its manifest is gone. */
    private static ChosenBase open(ReleaseStore store, String channel, Sha256 id) {
        Manifest manifest = store.loadManifest(channel, id).orElseThrow(() -> new StorageException(
                store.manifestFile(channel, id), "base " + id.shortHex() + " of " + channel + " vanished", null));
        // not hashed up front: a reference chunk that does not decode to its hash is fetched again anyway
        return new ChosenBase(id, new BaseChunks(manifest, store.releaseDir(channel, id), BaseChunks.Checking.NONE));
    }

    Sha256 id() {
        return id;
    }

    Manifest manifest() {
        return chunks.manifest();
    }

    /** The base's reference windows, for the verifiers' decoders (thread-safe). */
    ReferenceDictionaries<ZstdDictDecompress> windows() {
        return windows;
    }

    @Override
    public void close() {
        windows.close(); // every verifier is done with them: the transfer is released after the last one
        chunks.close();
    }
}
