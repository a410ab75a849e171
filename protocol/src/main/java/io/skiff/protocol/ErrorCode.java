package io.skiff.protocol;

import java.util.Locale;

/**
 * Stable error codes. The numeric {@link #wire()} value travels in ERROR frames; {@link #label()} names
 * the code in JSON output and log lines. Never renumber an existing code. (The CLI maps each code to a
 * process exit status: {@code io.skiff.cli.ExitStatus}.)
 */
public enum ErrorCode {
    /** A frame or document could not be parsed. */
    MALFORMED(1),
    /** A length field exceeded the configured maximum; nothing was allocated for it. */
    FRAME_TOO_LARGE(2),
    /** A frame type byte this peer does not know. */
    UNKNOWN_FRAME_TYPE(3),
    /** The peer speaks a protocol version this peer does not. */
    UNSUPPORTED_VERSION(4),
    /** A frame that is valid but not allowed in the current state of the exchange. */
    UNEXPECTED_FRAME(5),
    /** The manifest is structurally invalid or exceeds a limit. */
    MANIFEST_INVALID(6),
    /** A path in the manifest is absolute, contains {@code ..}, is duplicated or otherwise unsafe. */
    PATH_INVALID(7),
    /** A chunk's SHA-256 after decoding differs from the manifest. */
    CHUNK_HASH_MISMATCH(8),
    /** A chunk payload could not be decoded (corrupt zstd data, wrong length, decompression bomb). */
    CHUNK_DECODE_FAILED(9),
    /** A whole file's SHA-256 differs from the manifest at commit or verify time. */
    FILE_HASH_MISMATCH(10),
    /** Reading or writing local storage failed (disk full, permission, I/O error). */
    STORAGE_FAILURE(11),
    /** The same release is already being received on another connection. */
    BUSY(12),
    /** The source tree of a push cannot be used (missing, empty, unreadable, unsupported file type). */
    SOURCE_INVALID(13),
    /** The target could not be reached. */
    CONNECT_FAILED(14),
    /** The peer went away or stopped answering before the exchange finished. */
    CONNECTION_LOST(15),
    /** The receiver does not do what was asked of it by policy (relaying, when started with --no-relay). */
    REFUSED(18),
    /**
     * The TLS handshake failed: the peer's certificate is not of the deployment's CA, expired, or missing,
     * or one side speaks TLS and the other plaintext.
     */
    TLS_FAILED(19),
    /** The peer's identity holds no grant for this action on this channel (or relay target). */
    NOT_AUTHORIZED(20),
    /** The release would take its tenant over its quota; nothing was staged. */
    QUOTA_EXCEEDED(21),
    /**
     * The release's signatures do not satisfy the receiver's trust for its channel: unsigned, too few
     * valid signatures by trusted keys, signed for another channel, version or release, or expired; or a key
     * rotation sent with it is refused (a gap, too few valid signatures by the current or by the new keys).
     */
    RELEASE_UNTRUSTED(22),
    /**
     * The release would take the channel back: a sequence not after the active release's without a
     * signed downgrade, or the active release's version label on other content; or a key rotation other
     * than the one the receiver took at its sequence.
     */
    ROLLBACK_REFUSED(23),
    /**
     * The release was switched in, its smoke test (the receiver's {@code --smoke-cmd}) failed or timed out,
     * and the channel was switched back to its previous release: the message says why and ends with the
     * command's last output.
     */
    SMOKE_FAILED(24),
    /** The receiver could not bind its listen address. */
    LISTEN_FAILED(17),
    /** A command-line argument is invalid. */
    USAGE(16),
    /** A bug: an unexpected exception. */
    INTERNAL(99);

    private final int wire;

    ErrorCode(int wire) {
        this.wire = wire;
    }

    public int wire() {
        return wire;
    }

    /** The code for a wire value; unknown values (from a newer peer) map to {@link #INTERNAL}. */
    public static ErrorCode fromWire(int wire) {
        for (ErrorCode code : values()) {
            if (code.wire == wire) {
                return code;
            }
        }
        return INTERNAL;
    }

    /** Lower-case name used in JSON output and log lines, e.g. {@code chunk_hash_mismatch}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
