package io.skiff.protocol;

/**
 * An expected failure with a stable {@link ErrorCode}. Its message is one line meant for an operator;
 * the CLI prints it without a stack trace.
 */
public class SkiffException extends RuntimeException {
    private final ErrorCode code;

    public SkiffException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public SkiffException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
