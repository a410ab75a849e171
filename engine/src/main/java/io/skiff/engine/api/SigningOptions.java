package io.skiff.engine.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a release is signed: at push time ({@code push --sign-key}) or when its manifest is saved
 * ({@code manifest --sign-key}, the statement saved beside it as {@code FILE.signed}).
 *
 * @param keys           the publishers' private keys ({@code signing-key.pem} from {@code skiff keys gen-signing}),
 *                       one signature each: several for receivers that want k of n
 * @param validity       how long after signing receivers take the statement: past it, a release offered again
 *                       (by a relay or an origin holding it back) is refused as expired
 * @param allowDowngrade the publisher means this release to replace a newer one (a signed rollback)
 * @param rotations      key rotation statements ({@code skiff keys rotate}) sent before the signatures, in order:
 *                       receivers take them, then check the release against the keys they hand trust to
 *                       ({@code push --rotation}); empty: none
 */
public record SigningOptions(List<Path> keys, Duration validity, boolean allowDowngrade, List<Path> rotations) {
    /** How long a signature is taken by default: a weekly publisher renews it with every release. */
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(30);

    public SigningOptions {
        keys = List.copyOf(keys);
        Objects.requireNonNull(validity, "validity");
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no signing key");
        }
        if (validity.isNegative()) {
            throw new IllegalArgumentException("validity " + validity + " is negative");
        }
        rotations = List.copyOf(rotations);
    }

    /** Signing with {@code keys}, without key rotations. */
    public SigningOptions(List<Path> keys, Duration validity, boolean allowDowngrade) {
        this(keys, validity, allowDowngrade, List.of());
    }

    /** Signed with one key. */
    public SigningOptions(Path key, Duration validity, boolean allowDowngrade) {
        this(List.of(key), validity, allowDowngrade);
    }

    /** These options, sending the key rotation statements {@code files} before the signatures. */
    public SigningOptions withRotations(List<Path> files) {
        return new SigningOptions(keys, validity, allowDowngrade, files);
    }
}
