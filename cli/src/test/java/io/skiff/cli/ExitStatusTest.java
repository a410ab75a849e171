package io.skiff.cli;

import io.skiff.protocol.ErrorCode;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ExitStatusTest {
    /** The exit codes every release so far has given each error code (they were ErrorCode.exitCode()); scripts rely on them. */
    @Test
    void shouldKeepTheExitCodeOfEveryErrorCode() {
        Map<ErrorCode, Integer> expected = new EnumMap<>(ErrorCode.class);
        for (ErrorCode c : new ErrorCode[]{ErrorCode.MALFORMED, ErrorCode.FRAME_TOO_LARGE, ErrorCode.UNKNOWN_FRAME_TYPE,
                ErrorCode.UNSUPPORTED_VERSION, ErrorCode.UNEXPECTED_FRAME}) {
            expected.put(c, 10);
        }
        expected.put(ErrorCode.MANIFEST_INVALID, 11);
        expected.put(ErrorCode.PATH_INVALID, 11);
        expected.put(ErrorCode.CHUNK_HASH_MISMATCH, 12);
        expected.put(ErrorCode.CHUNK_DECODE_FAILED, 12);
        expected.put(ErrorCode.FILE_HASH_MISMATCH, 12);
        expected.put(ErrorCode.STORAGE_FAILURE, 13);
        expected.put(ErrorCode.BUSY, 14);
        expected.put(ErrorCode.SOURCE_INVALID, 2);
        expected.put(ErrorCode.CONNECT_FAILED, 3);
        expected.put(ErrorCode.CONNECTION_LOST, 3);
        expected.put(ErrorCode.REFUSED, 15);
        expected.put(ErrorCode.TLS_FAILED, 16);
        expected.put(ErrorCode.NOT_AUTHORIZED, 17);
        expected.put(ErrorCode.QUOTA_EXCEEDED, 18);
        expected.put(ErrorCode.RELEASE_UNTRUSTED, 19);
        expected.put(ErrorCode.ROLLBACK_REFUSED, 20);
        expected.put(ErrorCode.SMOKE_FAILED, 21);
        expected.put(ErrorCode.LISTEN_FAILED, 3);
        expected.put(ErrorCode.USAGE, 2);
        expected.put(ErrorCode.INTERNAL, 70);
        assertEquals(ErrorCode.values().length, expected.size(), "a new ErrorCode needs its exit code here and in ExitStatus");
        for (ErrorCode c : ErrorCode.values()) {
            assertEquals(expected.get(c), ExitStatus.of(c), c.name());
        }
    }
}
