package io.skiff.protocol;

import java.nio.file.Path;

/**
 * The source tree of a push cannot be used (missing, empty, unreadable, changed while read, unlike its
 * saved manifest): {@link ErrorCode#SOURCE_INVALID}. Carries the path at fault.
 */
public final class SourceException extends SkiffException {
    private final Path path;

    /** @param problem one line that names {@code path}, e.g. "source file shrank while pushing: /src/a.txt" */
    public SourceException(Path path, String problem) {
        super(ErrorCode.SOURCE_INVALID, problem);
        this.path = path;
    }

    public SourceException(Path path, String problem, Throwable cause) {
        super(ErrorCode.SOURCE_INVALID, problem, cause);
        this.path = path;
    }

    /** The file or directory at fault. */
    public Path path() {
        return path;
    }
}
