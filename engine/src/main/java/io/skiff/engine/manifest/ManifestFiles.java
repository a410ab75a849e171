package io.skiff.engine.manifest;

import io.skiff.protocol.Manifest;
import io.skiff.protocol.ManifestCodec;
import io.skiff.protocol.ManifestEntry;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.ProtocolLimits;
import io.skiff.protocol.SourceException;
import io.skiff.protocol.UsageException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Manifests saved to a file, so a release pipeline chunks and hashes a release once
 * ({@code skiff manifest SRC --out FILE}) and pushes it to many targets without doing it again
 * ({@code skiff push SRC --manifest FILE}).
 *
 * <p>Reading one back for a source tree checks that every file is there with the manifest's size.
 * It does not re-hash: a file changed in place with the same size is caught by the receiver, which
 * verifies every chunk against the manifest, so it fails the push rather than corrupting a release.
 */
public final class ManifestFiles {
    private ManifestFiles() {
    }

    /** Writes the canonical bytes via a temporary file and a rename: a reader never sees half a manifest. */
    public static void write(Manifest manifest, Path file) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, manifest.canonicalBytes());
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UsageException("cannot write manifest " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a manifest written by {@link #write} and checks that {@code source} still looks like it. */
    public static Manifest readFor(Path file, Path source) {
        Manifest manifest;
        try {
            if (Files.size(file) > ProtocolLimits.MAX_MANIFEST_BYTES) {
                throw new UsageException("not a skiff manifest (too large): " + file);
            }
            manifest = ManifestCodec.decode(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UsageException("cannot read manifest " + file + ": " + e.getMessage(), e);
        } catch (ProtocolException e) {
            throw new UsageException("not a valid skiff manifest: " + file + ": " + e.getMessage(), e);
        }
        for (ManifestEntry e : manifest.entries()) {
            Path path = source.resolve(e.path());
            boolean matches;
            try {
                matches = e.isFile()
                        ? Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) && Files.size(path) == e.size()
                        : Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException ex) {
                matches = false;
            }
            if (!matches) {
                throw new SourceException(path, "source does not match manifest " + file + " at " + e.path());
            }
        }
        return manifest;
    }
}
