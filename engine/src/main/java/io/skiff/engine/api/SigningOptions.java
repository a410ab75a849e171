package io.skiff.engine.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How a push signs the release it offers ({@code push --sign-key}).
 *
 * @param key            the publisher's private key ({@code signing-key.pem} from {@code skiff keys gen-signing})
 * @param validity       how long after signing receivers take the statement: past it, a release offered again
 *                       (by a relay or an origin holding it back) is refused as expired
 * @param allowDowngrade the publisher means this release to replace a newer one (a signed rollback)
 */
public record SigningOptions(Path key, Duration validity, boolean allowDowngrade) {
    /** How long a signature is taken by default: a weekly publisher renews it with every release. */
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(30);

    public SigningOptions {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(validity, "validity");
        if (validity.isNegative()) {
            throw new IllegalArgumentException("validity " + validity + " is negative");
        }
    }
}
