package io.skiff.protocol;

/** Bytes from a peer that violate the wire or manifest format. */
public final class ProtocolException extends SkiffException {
    public ProtocolException(ErrorCode code, String message) {
        super(code, message);
    }
}
