package io.skiff.cli;

import io.skiff.engine.api.SigningOptions;
import io.skiff.protocol.UsageException;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The signing options of {@code push} (sign when the push starts) and {@code manifest} (sign when the
 * manifest is saved, where the keys live; the statement goes beside it as {@code FILE.signed}).
 */
final class SigningFlags {
    @Option(names = "--sign-key", paramLabel = "FILE", description = {"Sign the release with this publisher key "
            + "(signing-key.pem from 'skiff keys gen-signing'); repeat it for receivers that want k of n keys. "
            + "Receivers that trust its public key take it.",
            "The statement signed names the channel, version and release id, a sequence (the signing time) and an expiry."})
    List<Path> keys = new ArrayList<>();

    @Option(names = "--sign-validity", paramLabel = "DAYS", defaultValue = "30",
            description = "Days receivers take the signature (default: ${DEFAULT-VALUE}); after that the release, offered again, "
                    + "is refused as expired.")
    long validityDays;

    @Option(names = "--allow-downgrade", description = "Signed into the release: receivers may activate it over a newer one "
            + "(a rollback on purpose).")
    boolean allowDowngrade;

    boolean signing() {
        return !keys.isEmpty();
    }

    /** What --sign-key and its companions ask for; null: no signing. */
    SigningOptions options() {
        if (keys.isEmpty() && allowDowngrade) {
            throw new UsageException("--allow-downgrade is signed into the release: give --sign-key too");
        }
        if (validityDays < 1) {
            throw new UsageException("--sign-validity must be at least 1 day, got " + validityDays);
        }
        return keys.isEmpty() ? null : new SigningOptions(keys, Duration.ofDays(validityDays), allowDowngrade);
    }
}
