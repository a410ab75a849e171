package io.skiff.protocol;

/** Input from the user (an option, an argument, a file named on the command line) that cannot be used: {@link ErrorCode#USAGE}. */
public final class UsageException extends SkiffException {
    /** @param message one line naming the input and what is wrong with it, e.g. "--retain must be >= 1, got 0" */
    public UsageException(String message) {
        super(ErrorCode.USAGE, message);
    }

    public UsageException(String message, Throwable cause) {
        super(ErrorCode.USAGE, message, cause);
    }
}
