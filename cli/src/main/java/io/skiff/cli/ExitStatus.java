package io.skiff.cli;

import io.skiff.protocol.ErrorCode;

/**
 * The process exit status for each {@link ErrorCode}: one number per family, so a script can tell
 * "fix the command line" from "retry later" from "the bytes are bad" (the wire values are not stable
 * across families; these are, and {@code skiff --help} lists them).
 *
 * <pre>
 *  exit  codes
 *   0    success
 *   2    USAGE, SOURCE_INVALID                          usage error, or the source cannot be used
 *   3    CONNECT_FAILED, CONNECTION_LOST, LISTEN_FAILED target unreachable, connection lost, cannot listen
 *  10    MALFORMED, FRAME_TOO_LARGE, UNKNOWN_FRAME_TYPE, UNSUPPORTED_VERSION, UNEXPECTED_FRAME
 *                                                       protocol violation
 *  11    MANIFEST_INVALID, PATH_INVALID                 manifest or path rejected
 *  12    CHUNK_HASH_MISMATCH, CHUNK_DECODE_FAILED, FILE_HASH_MISMATCH (also: skiff audit verify, a broken chain)
 *                                                       integrity failure
 *  13    STORAGE_FAILURE                                storage failure on the receiver
 *  14    BUSY                                           release busy on another connection
 *  15    REFUSED                                        refused by the receiver's policy (e.g. --no-relay)
 *  16    TLS_FAILED                                     TLS handshake failed: certificate untrusted, expired or
 *                                                       missing, or TLS against plaintext
 *  17    NOT_AUTHORIZED                                 the identity holds no grant for the channel or action
 *  18    QUOTA_EXCEEDED                                 the tenant's quota would be exceeded
 *  19    RELEASE_UNTRUSTED                              the release's signatures do not meet the receiver's trust
 *                                                       (unsigned, untrusted or bad, another channel, expired), or a
 *                                                       key rotation sent with it is refused
 *  20    ROLLBACK_REFUSED                               an older sequence, a reused version label, or a key rotation
 *                                                       other than the one the receiver took at that sequence
 *  70    INTERNAL                                       internal error (a bug)
 * </pre>
 */
final class ExitStatus {
    static final int SUCCESS = 0;

    private ExitStatus() {
    }

    /** The exit status of a command that failed with {@code code}. */
    static int of(ErrorCode code) {
        return switch (code) {
            case USAGE, SOURCE_INVALID -> 2;
            case CONNECT_FAILED, CONNECTION_LOST, LISTEN_FAILED -> 3;
            case MALFORMED, FRAME_TOO_LARGE, UNKNOWN_FRAME_TYPE, UNSUPPORTED_VERSION, UNEXPECTED_FRAME -> 10;
            case MANIFEST_INVALID, PATH_INVALID -> 11;
            case CHUNK_HASH_MISMATCH, CHUNK_DECODE_FAILED, FILE_HASH_MISMATCH -> 12;
            case STORAGE_FAILURE -> 13;
            case BUSY -> 14;
            case REFUSED -> 15;
            case TLS_FAILED -> 16;
            case NOT_AUTHORIZED -> 17;
            case QUOTA_EXCEEDED -> 18;
            case RELEASE_UNTRUSTED -> 19;
            case ROLLBACK_REFUSED -> 20;
            case SMOKE_FAILED -> 21;
            case INTERNAL -> 70;
        };
    }
}
