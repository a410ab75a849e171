package io.skiff.protocol;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Each SkiffException family: the code it fixes, the message it builds, the evidence it carries. */
class SkiffExceptionFamiliesTest {
    private static final Sha256 A = Sha256.digest(new byte[]{1});
    private static final Sha256 B = Sha256.digest(new byte[]{2});

    @Test
    void shouldCarryBothHashesAndTheOrdinalOfAChunkMismatch() {
        IntegrityException e = IntegrityException.chunk(7, "codes/a.txt", A, B);
        assertEquals(ErrorCode.CHUNK_HASH_MISMATCH, e.code());
        assertEquals("chunk ordinal=7 of codes/a.txt expected=" + A.shortHex() + " actual=" + B.shortHex(), e.getMessage());
        assertEquals(7, e.ordinal());
        assertEquals("codes/a.txt", e.path());
        assertEquals(A, e.expected());
        assertEquals(B, e.actual());
    }

    @Test
    void shouldCarryBothHashesOfAFileMismatch() {
        IntegrityException e = IntegrityException.file("codes/a.txt", A, B);
        assertEquals(ErrorCode.FILE_HASH_MISMATCH, e.code());
        assertEquals("file codes/a.txt expected=" + A.shortHex() + " actual=" + B.shortHex(), e.getMessage());
        assertEquals(IntegrityException.NO_CHUNK, e.ordinal());
        assertEquals(A, e.expected());
        assertEquals(B, e.actual());
    }

    @Test
    void shouldNameTheProblemOfAMismatchWithoutHashes() {
        IntegrityException e = IntegrityException.mismatch("a.txt", "size mismatch in staging: a.txt expected=10 actual=4");
        assertEquals(ErrorCode.FILE_HASH_MISMATCH, e.code());
        assertEquals("size mismatch in staging: a.txt expected=10 actual=4", e.getMessage());
        assertEquals("a.txt", e.path());
        assertNull(e.expected());
        assertNull(e.actual());
    }

    @Test
    void shouldNameActionPathAndIoFailureOfAStorageFailure() {
        Path file = Path.of("/r/icd10cm/manifests/x");
        IOException cause = new NoSuchFileException(file.toString());
        StorageException e = new StorageException("write", file, cause);
        assertEquals(ErrorCode.STORAGE_FAILURE, e.code());
        assertEquals("cannot write /r/icd10cm/manifests/x: NoSuchFileException /r/icd10cm/manifests/x", e.getMessage());
        assertEquals(file, e.path());
        assertSame(cause, e.getCause());

        StorageException without = new StorageException("activate 3f2a9c01 in /r/icd10cm", new IOException());
        assertEquals("cannot activate 3f2a9c01 in /r/icd10cm: IOException", without.getMessage());
        assertNull(without.path());
    }

    @Test
    void shouldCarryThePathOfAnUnusableSource() {
        Path src = Path.of("/src/empty");
        SourceException e = new SourceException(src, "source directory is empty: " + src);
        assertEquals(ErrorCode.SOURCE_INVALID, e.code());
        assertEquals("source directory is empty: /src/empty", e.getMessage());
        assertEquals(src, e.path());
    }

    @Test
    void shouldPrefixTheProblemOfATransferWithItsPeer() {
        TransferException e = new TransferException(ErrorCode.BUSY, "h1:7070", "release 3f2a9c01 busy on another connection");
        assertEquals(ErrorCode.BUSY, e.code());
        assertEquals("h1:7070: release 3f2a9c01 busy on another connection", e.getMessage());
        assertEquals("h1:7070", e.peer());
        for (ErrorCode c : new ErrorCode[]{ErrorCode.CONNECT_FAILED, ErrorCode.CONNECTION_LOST, ErrorCode.LISTEN_FAILED, ErrorCode.REFUSED}) {
            assertEquals(c, new TransferException(c, "h1:7070", "x").code());
        }
    }

    @Test
    void shouldRefuseATransferExceptionOfAnotherFamily() {
        assertThrows(IllegalArgumentException.class, () -> new TransferException(ErrorCode.USAGE, "h1:7070", "x"));
    }

    @Test
    void shouldBeAUsageErrorWithTheMessageAsGiven() {
        UsageException e = new UsageException("--retain must be >= 1, got 0");
        assertEquals(ErrorCode.USAGE, e.code());
        assertEquals("--retain must be >= 1, got 0", e.getMessage());
    }

    @Test
    void shouldKeepTheCodeOfAProtocolViolation() {
        ProtocolException e = new ProtocolException(ErrorCode.PATH_INVALID, "absolute path: /etc/passwd");
        assertEquals(ErrorCode.PATH_INVALID, e.code());
        assertEquals("absolute path: /etc/passwd", e.getMessage());
    }
}
