package io.skiff.protocol;

import java.util.Set;

/**
 * Who the peer is, or what it may do, stopped the exchange: the TLS handshake failed
 * ({@link ErrorCode#TLS_FAILED}), its identity holds no grant ({@link ErrorCode#NOT_AUTHORIZED}, e.g.
 * "pipeline-us may not push icd10cm"), or its tenant is over quota ({@link ErrorCode#QUOTA_EXCEEDED}).
 * Only the connection it happened on is closed; the receiver goes on serving others.
 */
public final class AccessException extends SkiffException {
    private static final Set<ErrorCode> CODES = Set.of(ErrorCode.TLS_FAILED, ErrorCode.NOT_AUTHORIZED, ErrorCode.QUOTA_EXCEEDED);

    /** @throws IllegalArgumentException for a code of another family */
    public AccessException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public AccessException(ErrorCode code, String message, Throwable cause) {
        super(checked(code), message, cause);
    }

    private static ErrorCode checked(ErrorCode code) {
        if (!CODES.contains(code)) {
            throw new IllegalArgumentException("not an access error code: " + code);
        }
        return code;
    }
}
