package io.skiff.engine.manifest;

import io.skiff.engine.api.SignedManifest;
import io.skiff.engine.security.ReleaseSigner;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ManifestCodec;
import io.skiff.protocol.ManifestEntry;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.ProtocolLimits;
import io.skiff.protocol.SignedRelease;
import io.skiff.protocol.SourceException;
import io.skiff.protocol.UsageException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;

/**
 * Manifests saved to a file, so a release pipeline chunks and hashes a release once
 * ({@code skiff manifest SRC --out FILE}) and pushes it to many targets without doing it again
 * ({@code skiff push SRC --manifest FILE}); with {@code --sign-key}, the publishers' signed statement is saved
 * beside it as {@code FILE.signed}, so signing runs where the keys are and the push sends it as it is.
 *
 * <p>Reading one back for a source tree checks that every file is there with the manifest's size.
 * It does not re-hash: a file changed in place with the same size is caught by the receiver, which
 * verifies every chunk against the manifest, so it fails the push rather than corrupting a release.
 */
public final class ManifestFiles {
    /** The name of a saved manifest's signature file: {@code FILE} + this. */
    public static final String SIGNATURE_SUFFIX = ".signed";

    private ManifestFiles() {
    }

    /** Writes the canonical bytes via a temporary file and a rename: a reader never sees half a manifest. */
    public static void write(Manifest manifest, Path file) {
        writeAtomically(file, manifest.canonicalBytes(), "manifest");
    }

    /**
     * Writes {@code manifest} to {@code file} and its signed statement to {@link #signatureFile}; an unsigned
     * one removes a signature file left there by an earlier run, so the two files always describe one
     * manifest. The statement is written last: the manifest it names is there first.
     */
    public static void write(SignedManifest saved, Path file) {
        write(saved.manifest(), file);
        Path signature = signatureFile(file);
        if (saved.signed() != null) {
            writeAtomically(signature, saved.signed().encode(), "signature");
            return;
        }
        try {
            Files.deleteIfExists(signature);
        } catch (IOException e) {
            throw new UsageException("cannot remove the earlier signature " + signature + ": " + e.getMessage(), e);
        }
    }

    /** Where the signed statement of the manifest saved as {@code manifestFile} goes: beside it, {@code FILE.signed}. */
    public static Path signatureFile(Path manifestFile) {
        return manifestFile.resolveSibling(manifestFile.getFileName() + SIGNATURE_SUFFIX);
    }

    /**
     * Reads the signed statement in {@code file} (written by {@link #write(SignedManifest, Path)}) for sending
     * with {@code manifest}: one that does not decode, names another release or has expired at {@code now} is
     * a one-line usage error naming the file.
     */
    public static SignedRelease readSignature(Path file, Manifest manifest, Instant now) {
        SignedRelease signed;
        try {
            if (Files.size(file) > ProtocolLimits.MAX_SIGNED_RELEASE_BYTES) {
                throw new UsageException("not a skiff signature (too large): " + file);
            }
            signed = SignedRelease.decode(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UsageException("cannot read signature " + file + ": " + e.getMessage(), e);
        } catch (ProtocolException e) {
            throw new UsageException("not a valid skiff signature: " + file + ": " + e.getMessage(), e);
        }
        ReleaseSigner.checkSendable(signed, manifest, now, "signature " + file);
        return signed;
    }

    // a temporary file and a rename; a failed write leaves neither a partial file nor the temporary one
    private static void writeAtomically(Path file, byte[] bytes, String what) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the write's error is the one to report
            }
            throw new UsageException("cannot write " + what + " " + file + ": " + e.getMessage(), e);
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
