package io.skiff.engine.store;

import io.skiff.engine.files.DurableFiles;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SignedRelease;
import io.skiff.protocol.StorageException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The publishers' signatures of a channel's releases, kept as they arrived
 * ({@code <channel>/signatures/<release-id>.signed}): what the next offer's sequence is compared with,
 * and what a relay or origin forwards. A file that does not decode is a storage failure, not "unsigned":
 * the check fails closed.
 */
public final class SignedReleases {
    private SignedReleases() {
    }

    public static Path file(ReleaseStore store, String channel, Sha256 id) {
        return store.channelDir(channel).resolve("signatures").resolve(id.hex() + ".signed");
    }

    /** Writes {@code signed} durably for its release (replacing an older statement of the same release). */
    public static void save(ReleaseStore store, SignedRelease signed) {
        DurableFiles.write(file(store, signed.statement().channel(), signed.statement().releaseId()), signed.encode());
    }

    /** The signatures kept for release {@code id} of {@code channel}; empty if it came unsigned. */
    public static Optional<SignedRelease> load(ReleaseStore store, String channel, Sha256 id) {
        Path file = file(store, channel, id);
        try {
            return Optional.of(SignedRelease.decode(Files.readAllBytes(file)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException("read", file, e);
        } catch (ProtocolException e) {
            throw new StorageException(file, e.getMessage() + " (remove it to take the release as unsigned)", e);
        }
    }

    /** The key ids (hex) that signed {@code signed}: what an audit record names as the release's signers. */
    public static List<String> keyIds(SignedRelease signed) {
        return signed.signatures().stream().map(sig -> sig.keyId().hex()).toList();
    }
}
