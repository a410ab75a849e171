package io.skiff.bench.e2e;

import io.skiff.corpus.CodeSetCorpus;
import io.skiff.corpus.CorpusRelease;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The update scenario's reference floor, on small code-set releases; skipped where zstd or tar is not installed. */
class PatchFromFloorTest {
    @TempDir
    Path tmp;

    private static PatchFromFloor floor(Path logs) {
        assumeTrue(PatchFromFloor.missingTools().isEmpty(), () -> PatchFromFloor.missingTools().get());
        return PatchFromFloor.fromPath(new ProcessMeter(false, Duration.ofMinutes(2), new LiveProcesses()), logs);
    }

    @Test
    void patchDecodesToV2AndIsSmallerThanPlainZstd() throws Exception {
        PatchFromFloor floor = floor(tmp.resolve("logs"));
        CorpusRelease v1 = CodeSetCorpus.generate(tmp.resolve("v1"), 7, 400_000);
        CodeSetCorpus.next(v1, tmp.resolve("v2"), 8); // ~1-2 % of rows changed, spread through every file
        Path out = tmp.resolve("floor");

        PatchFromFloor.Result r = floor.measure(v1.dir(), tmp.resolve("v2"), out);

        Path v1Tar = out.resolve("v1.tar");
        Path v2Tar = out.resolve("v2.tar");
        assertTrue(Files.isRegularFile(r.patch()), "patch written");
        assertEquals(Files.size(r.patch()), r.bytes());
        assertEquals(Files.size(v1Tar), r.v1TarBytes());
        assertEquals(Files.size(v2Tar), r.v2TarBytes());
        assertTrue(r.v2TarBytes() > 400_000, "v2.tar holds the release: " + r.v2TarBytes());

        Path zstd = EndToEndRunner.onPath("zstd").orElseThrow();
        Path decoded = tmp.resolve("decoded.tar");
        exec(PatchFromFloor.decodeCommand(zstd, v1Tar, r.patch(), decoded));
        assertArrayEquals(Files.readAllBytes(v2Tar), Files.readAllBytes(decoded), "patch + v1.tar gives v2.tar back");

        Path plain = tmp.resolve("v2.tar.zst");
        exec(List.of(zstd.toString(), "-3", v2Tar.toString(), "-o", plain.toString(), "-f", "-q"));
        assertTrue(r.bytes() < Files.size(plain),
                "patch " + r.bytes() + " bytes, plain zstd -3 of v2.tar " + Files.size(plain) + " bytes");
    }

    @Test
    void tarIgnoresMtimes() throws Exception {
        floor(tmp.resolve("logs"));
        Path tar = EndToEndRunner.onPath("tar").orElseThrow();
        CorpusRelease v1 = CodeSetCorpus.generate(tmp.resolve("v1"), 3, 100_000);
        Path first = tmp.resolve("first.tar");
        exec(PatchFromFloor.tarCommand(tar, v1.dir(), first));
        try (Stream<Path> walk = Files.walk(v1.dir())) {
            for (Path p : walk.toList()) {
                Files.setLastModifiedTime(p, FileTime.fromMillis(1_234_567_000L));
            }
        }
        Path second = tmp.resolve("second.tar");
        exec(PatchFromFloor.tarCommand(tar, v1.dir(), second));
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
    }

    @Test
    void commandLines() {
        Path zstd = Path.of("/usr/bin/zstd");
        assertEquals(List.of("/usr/bin/zstd", "-3", "--long=27", "--patch-from=/w/v1.tar", "/w/v2.tar", "-o", "/w/v2.patch.zst",
                        "-f", "-q"),
                PatchFromFloor.patchCommand(zstd, Path.of("/w/v1.tar"), Path.of("/w/v2.tar"), Path.of("/w/v2.patch.zst")));
        assertEquals(List.of("/usr/bin/tar", "--sort=name", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner",
                        "-cf", "/w/v1.tar", "-C", "/corpus/v1", "."),
                PatchFromFloor.tarCommand(Path.of("/usr/bin/tar"), Path.of("/corpus/v1"), Path.of("/w/v1.tar")));
        assertEquals("zstd -3 --long=27 --patch-from=v1.tar v2.tar", PatchFromFloor.commandText());
    }

    private void exec(List<String> command) throws IOException, InterruptedException {
        Path log = Files.createTempFile(tmp, "exec", ".log");
        Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "finished: " + command);
        assertEquals(0, p.exitValue(), command + ":\n" + Files.readString(log));
    }
}
