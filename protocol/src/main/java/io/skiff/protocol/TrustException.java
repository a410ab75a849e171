package io.skiff.protocol;

import java.util.Set;

/**
 * The offered release is not one the receiver may activate by its publishers' signatures
 * ({@link ErrorCode#RELEASE_UNTRUSTED}) or it would take the channel back ({@link ErrorCode#ROLLBACK_REFUSED}).
 * Raised before anything of the release is staged; only that connection is closed.
 */
public final class TrustException extends SkiffException {
    private static final Set<ErrorCode> CODES = Set.of(ErrorCode.RELEASE_UNTRUSTED, ErrorCode.ROLLBACK_REFUSED);

    /** @throws IllegalArgumentException for a code of another family */
    public TrustException(ErrorCode code, String message) {
        super(checked(code), message, null);
    }

    private static ErrorCode checked(ErrorCode code) {
        if (!CODES.contains(code)) {
            throw new IllegalArgumentException("not a trust error code: " + code);
        }
        return code;
    }
}
