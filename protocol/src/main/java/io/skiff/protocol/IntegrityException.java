package io.skiff.protocol;

/**
 * Bytes that do not match the manifest: a chunk's or a file's SHA-256 ({@link ErrorCode#CHUNK_HASH_MISMATCH},
 * {@link ErrorCode#FILE_HASH_MISMATCH}), or a file of the wrong size or a tree with missing or unexpected
 * entries ({@link ErrorCode#FILE_HASH_MISMATCH}, without hashes). Carries the evidence.
 */
public final class IntegrityException extends SkiffException {
    /** {@link #ordinal()} of a failure that is not about one chunk. */
    public static final int NO_CHUNK = -1;

    private final String path;
    private final int ordinal;
    private final Sha256 expected;
    private final Sha256 actual;

    private IntegrityException(ErrorCode code, String message, String path, int ordinal, Sha256 expected, Sha256 actual) {
        super(code, message);
        this.path = path;
        this.ordinal = ordinal;
        this.expected = expected;
        this.actual = actual;
    }

    /** "chunk ordinal=7 of a/b.txt expected=3f2a9c01 actual=9e00b2c4" (short hashes). */
    public static IntegrityException chunk(int ordinal, String path, Sha256 expected, Sha256 actual) {
        return new IntegrityException(ErrorCode.CHUNK_HASH_MISMATCH, "chunk ordinal=" + ordinal + " of " + path + " expected="
                + expected.shortHex() + " actual=" + actual.shortHex(), path, ordinal, expected, actual);
    }

    /** "file a/b.txt expected=3f2a9c01 actual=9e00b2c4" (short hashes). */
    public static IntegrityException file(String path, Sha256 expected, Sha256 actual) {
        return new IntegrityException(ErrorCode.FILE_HASH_MISMATCH, "file " + path + " expected=" + expected.shortHex()
                + " actual=" + actual.shortHex(), path, NO_CHUNK, expected, actual);
    }

    /**
     * A file or tree unlike its manifest in a way hashes do not describe.
     *
     * @param path    the manifest path at fault; null for a whole tree
     * @param problem one line, e.g. "size mismatch in staging: a/b.txt expected=10 actual=4"
     */
    public static IntegrityException mismatch(String path, String problem) {
        return new IntegrityException(ErrorCode.FILE_HASH_MISMATCH, problem, path, NO_CHUNK, null, null);
    }

    /** The manifest path of the file at fault; null when the failure is about a whole tree. */
    public String path() {
        return path;
    }

    /** The chunk's ordinal in the manifest, or {@link #NO_CHUNK}. */
    public int ordinal() {
        return ordinal;
    }

    /** The manifest's hash; null for a failure without hashes. */
    public Sha256 expected() {
        return expected;
    }

    /** The hash of the bytes found; null for a failure without hashes. */
    public Sha256 actual() {
        return actual;
    }
}
