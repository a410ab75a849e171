package io.skiff.engine.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a push signs the release it offers ({@code push --sign-key}).
 *
 * @param key            the publisher's private key ({@code signing-key.pem} from {@code skiff keys gen-signing})
 * @param validity       how long after signing receivers take the statement: past it, a release offered again
 *                       (by a relay or an origin holding it back) is refused as expired
 * @param allowDowngrade the publisher means this release to replace a newer one (a signed rollback)
 * @param rotations      key rotation statements ({@code skiff keys rotate}) sent before the signatures, in order:
 *                       receivers take them, then check the release against the keys they hand trust to
 *                       ({@code push --rotation}); empty: none
 */
public record SigningOptions(Path key, Duration validity, boolean allowDowngrade, List<Path> rotations) {
    /** How long a signature is taken by default: a weekly publisher renews it with every release. */
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(30);

    public SigningOptions {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(validity, "validity");
        if (validity.isNegative()) {
            throw new IllegalArgumentException("validity " + validity + " is negative");
        }
        rotations = List.copyOf(rotations);
    }

    /** Signing without key rotations. */
    public SigningOptions(Path key, Duration validity, boolean allowDowngrade) {
        this(key, validity, allowDowngrade, List.of());
    }

    /** These options, sending the key rotation statements {@code files} before the signatures. */
    public SigningOptions withRotations(List<Path> files) {
        return new SigningOptions(key, validity, allowDowngrade, files);
    }
}
