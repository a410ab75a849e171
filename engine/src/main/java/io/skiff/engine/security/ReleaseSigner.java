package io.skiff.engine.security;

import io.skiff.engine.api.SigningOptions;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ProtocolLimits;
import io.skiff.protocol.ReleaseStatement;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SignedRelease;
import io.skiff.protocol.UsageException;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The publisher's side of signing: the private keys of one {@link SigningOptions}, read once (a key
 * file that is not one, or the same key twice, is refused before anything is hashed), then a signed
 * statement per manifest, one signature per key. The statement's sequence is the signing time in
 * milliseconds (it only grows, without state on the publisher) and it ends {@code validity} later.
 * A push signs when it starts; {@code skiff manifest --sign-key} signs when the manifest is saved, where
 * the keys live, and the push sends that statement as it is.
 */
public final class ReleaseSigner {
    private final List<SigningKeys.Publisher> publishers;
    private final SigningOptions options;

    private ReleaseSigner(List<SigningKeys.Publisher> publishers, SigningOptions options) {
        this.publishers = List.copyOf(publishers);
        this.options = options;
    }

    /** Reads every key of {@code options}; a bad, repeated or 17th key: a one-line usage error. */
    public static ReleaseSigner load(SigningOptions options) {
        Objects.requireNonNull(options, "options");
        if (options.keys().size() > ProtocolLimits.MAX_SIGNATURES) {
            throw new UsageException("at most " + ProtocolLimits.MAX_SIGNATURES + " signing keys, got " + options.keys().size());
        }
        List<SigningKeys.Publisher> publishers = new ArrayList<>();
        Map<Sha256, Path> files = new HashMap<>();
        for (Path file : options.keys()) {
            SigningKeys.Publisher p = SigningKeys.readPrivate(file);
            Path same = files.putIfAbsent(p.keyId(), file);
            if (same != null) {
                throw new UsageException("signing keys " + same + " and " + file + " are the same key " + p.keyId().shortHex()
                        + ": each key signs once");
            }
            publishers.add(p);
        }
        return new ReleaseSigner(publishers, options);
    }

    /** The statement on {@code manifest} signed {@code now} by every key. */
    public SignedRelease sign(Manifest manifest, Instant now) {
        long at = now.toEpochMilli();
        ReleaseStatement statement = new ReleaseStatement(manifest.channel(), manifest.version(), manifest.releaseId(), at,
                Math.addExact(at, Math.max(1, options.validity().toMillis())), options.allowDowngrade());
        return ReleaseTrust.sign(statement, publishers);
    }

    /**
     * Refuses to send {@code signed} (described as {@code what} in the message) with {@code manifest} when it
     * names another release, or has expired at {@code now}: every receiver that checks would refuse it, so the
     * sender says so before it connects.
     */
    public static void checkSendable(SignedRelease signed, Manifest manifest, Instant now, String what) {
        ReleaseStatement s = signed.statement();
        if (!s.names(manifest.channel(), manifest.version(), manifest.releaseId())) {
            // full release ids: two that differ may share their short form
            throw new UsageException(what + " signs " + s.channel() + " " + s.version() + " (" + s.releaseId().hex()
                    + "), not this manifest's " + manifest.channel() + " " + manifest.version() + " (" + manifest.releaseId().hex() + ")");
        }
        if (now.toEpochMilli() > s.expiresAtMillis()) {
            throw new UsageException(what + " expired at " + Instant.ofEpochMilli(s.expiresAtMillis())
                    + "; sign again (skiff manifest --sign-key, or push --sign-key)");
        }
    }
}
