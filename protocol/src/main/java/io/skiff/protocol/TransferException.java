package io.skiff.protocol;

import java.util.Set;

/**
 * A transfer that could not start or finish for a reason of the connection or of the peer: connect or
 * listen failed, connection lost, release busy on another connection, refused by the peer's policy
 * ({@link ErrorCode#CONNECT_FAILED}, {@link ErrorCode#LISTEN_FAILED}, {@link ErrorCode#CONNECTION_LOST},
 * {@link ErrorCode#BUSY}, {@link ErrorCode#REFUSED}). Carries the peer's address.
 */
public final class TransferException extends SkiffException {
    private static final Set<ErrorCode> CODES = Set.of(ErrorCode.CONNECT_FAILED, ErrorCode.LISTEN_FAILED,
            ErrorCode.CONNECTION_LOST, ErrorCode.BUSY, ErrorCode.REFUSED);

    private final String peer;

    /**
     * @param peer    "host:port" of the other side (or the address that could not be bound)
     * @param problem what went wrong, without the address
     * @throws IllegalArgumentException for a code of another family
     */
    public TransferException(ErrorCode code, String peer, String problem) {
        this(code, peer, problem, null);
    }

    /** Message: {@code <peer>: <problem>}. */
    public TransferException(ErrorCode code, String peer, String problem, Throwable cause) {
        super(checked(code), peer + ": " + problem, cause);
        this.peer = peer;
    }

    public String peer() {
        return peer;
    }

    private static ErrorCode checked(ErrorCode code) {
        if (!CODES.contains(code)) {
            throw new IllegalArgumentException("not a transfer error code: " + code);
        }
        return code;
    }
}
