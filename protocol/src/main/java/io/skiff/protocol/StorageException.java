package io.skiff.protocol;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Reading or writing local storage failed (disk full, permission, I/O error, a file that is not what its
 * name says): {@link ErrorCode#STORAGE_FAILURE}. Message: {@code cannot <action> <path>: <IOException> <reason>}.
 */
public final class StorageException extends SkiffException {
    private final Path path;

    /** E.g. {@code new StorageException("write", file, e)}: "cannot write /r/x: NoSuchFileException /r/x". */
    public StorageException(String action, Path path, IOException cause) {
        super(ErrorCode.STORAGE_FAILURE, "cannot " + action + " " + path + ": " + describe(cause), cause);
        this.path = path;
    }

    /** {@code what} is the action and its object in one, e.g. "activate 3f2a9c01 in /r/icd10cm"; no single path. */
    public StorageException(String what, IOException cause) {
        super(ErrorCode.STORAGE_FAILURE, "cannot " + what + ": " + describe(cause), cause);
        this.path = null;
    }

    /** A failure that is not an I/O exception, e.g. "manifest file /r/m does not hash to its name". */
    public StorageException(Path path, String problem, Throwable cause) {
        super(ErrorCode.STORAGE_FAILURE, problem, cause);
        this.path = path;
    }

    /** The file or directory at fault; null when {@code what} named more than one. */
    public Path path() {
        return path;
    }

    /** "NoSuchFileException /r/x": the exception's type says what happened where its message alone often does not. */
    public static String describe(IOException e) {
        String reason = e.getMessage();
        return e.getClass().getSimpleName() + (reason == null ? "" : " " + reason);
    }
}
