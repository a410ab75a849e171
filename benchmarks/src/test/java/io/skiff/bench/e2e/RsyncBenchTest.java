package io.skiff.bench.e2e;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RsyncBenchTest {
    private static final Path RSYNC = Path.of("/usr/bin/rsync");

    @Test
    void fullCopiesAndUpdatesWithAndWithoutFsync() {
        assertEquals(List.of("/usr/bin/rsync", "-a", "--whole-file", "--stats", "/corpus/v1/", "rsync://127.0.0.1:1/dst/"),
                RsyncBench.clientCommand(RSYNC, Path.of("/corpus/v1"), "rsync://127.0.0.1:1/dst/", true, false));
        assertEquals(List.of("/usr/bin/rsync", "-a", "--fsync", "--whole-file", "--stats", "/corpus/v1/", "rsync://127.0.0.1:1/dst/"),
                RsyncBench.clientCommand(RSYNC, Path.of("/corpus/v1"), "rsync://127.0.0.1:1/dst/", true, true));
        assertEquals(List.of("/usr/bin/rsync", "-a", "-z", "--no-whole-file", "--delete", "--ignore-times", "--stats",
                        "/corpus/v2/", "rsync://127.0.0.1:1/dst/"),
                RsyncBench.clientCommand(RSYNC, Path.of("/corpus/v2"), "rsync://127.0.0.1:1/dst/", false, false));
        assertEquals(List.of("/usr/bin/rsync", "-a", "--fsync", "-z", "--no-whole-file", "--delete", "--ignore-times", "--stats",
                        "/corpus/v2/", "rsync://127.0.0.1:1/dst/"),
                RsyncBench.clientCommand(RSYNC, Path.of("/corpus/v2"), "rsync://127.0.0.1:1/dst/", false, true));
    }
}
