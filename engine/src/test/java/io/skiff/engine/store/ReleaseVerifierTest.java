package io.skiff.engine.store;

import io.skiff.engine.manifest.ManifestBuilder;
import io.skiff.engine.testing.TestTrees;
import io.skiff.protocol.ChunkingParams;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.SkiffException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReleaseVerifierTest {
    @TempDir
    Path tree;

    private Manifest manifest() {
        TestTrees.textFile(tree.resolve("codes/descriptions.txt"), 2_000_000, 1);
        TestTrees.randomFile(tree.resolve("small.bin"), 1000, 2);
        return ManifestBuilder.build(tree, "c", "v", ChunkingParams.DEFAULT, 2, 0);
    }

    @Test
    void shouldFindNoProblemWhenTheTreeMatches() {
        Manifest m = manifest();
        assertEquals(List.of(), ReleaseVerifier.problems(tree, m));
    }

    @Test
    void shouldNameFileAndOffsetWhenAByteChanged() throws IOException {
        Manifest m = manifest();
        Path file = tree.resolve("codes/descriptions.txt");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[]{'#'}), 1_500_000);
        }
        List<String> problems = ReleaseVerifier.problems(tree, m);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("hash mismatch: codes/descriptions.txt at offset "), problems.get(0));
        SkiffException e = assertThrows(SkiffException.class, () -> ReleaseVerifier.verify(tree, m));
        assertEquals(ErrorCode.FILE_HASH_MISMATCH, e.code());
    }

    @Test
    void shouldReportMissingTruncatedAndUnexpectedFiles() throws IOException {
        Manifest m = manifest();
        Files.delete(tree.resolve("small.bin"));
        try (FileChannel ch = FileChannel.open(tree.resolve("codes/descriptions.txt"), StandardOpenOption.WRITE)) {
            ch.truncate(10);
        }
        Files.writeString(tree.resolve("extra.txt"), "x");
        List<String> problems = ReleaseVerifier.problems(tree, m);
        assertEquals(List.of("missing file: small.bin", "size mismatch: codes/descriptions.txt expected=2000000 actual=10",
                "unexpected entry: extra.txt"), problems);
    }
}
