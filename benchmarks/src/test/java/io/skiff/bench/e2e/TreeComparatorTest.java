package io.skiff.bench.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TreeComparatorTest {
    @TempDir
    Path tmp;

    private Path tree(String name) throws IOException {
        Path root = tmp.resolve(name);
        Files.createDirectories(root.resolve("SnomedCT_Release/Terminology"));
        Files.writeString(root.resolve("README.txt"), "Code-set release, version 1\n");
        byte[] table = new byte[200_000];
        for (int i = 0; i < table.length; i++) {
            table[i] = (byte) ('a' + i % 26);
        }
        Files.write(root.resolve("SnomedCT_Release/Terminology/sct2_Concept.txt"), table);
        return root;
    }

    @Test
    void identicalTreesHaveNoDifferences() throws Exception {
        TreeDigest source = TreeDigest.of(tree("src"));
        assertEquals(List.of(), TreeComparator.differences(source, TreeDigest.of(tree("dst"))));
        TreeComparator.verify(source, tmp.resolve("dst"), "test");
    }

    @Test
    void detectsOneChangedByte() throws Exception {
        TreeDigest source = TreeDigest.of(tree("src"));
        Path dst = tree("dst");
        Path file = dst.resolve("SnomedCT_Release/Terminology/sct2_Concept.txt");
        byte[] b = Files.readAllBytes(file);
        b[123_456] ^= 1;
        Files.write(file, b);

        List<String> diffs = TreeComparator.differences(source, TreeDigest.of(dst));
        assertEquals(1, diffs.size(), diffs.toString());
        assertTrue(diffs.get(0).startsWith("content differs: SnomedCT_Release/Terminology/sct2_Concept.txt"), diffs.get(0));
        TreeComparator.TreeMismatchException e = assertThrows(TreeComparator.TreeMismatchException.class,
                () -> TreeComparator.verify(source, dst, "rsync daemon"));
        assertTrue(e.getMessage().contains("sct2_Concept.txt"), e.getMessage());
    }

    @Test
    void detectsAMissingFileAndAnExtraFile() throws Exception {
        TreeDigest source = TreeDigest.of(tree("src"));
        Path dst = tree("dst");
        Files.delete(dst.resolve("README.txt"));
        Files.writeString(dst.resolve("Documentation_release_notes_v1.txt"), "stale\n");

        assertEquals(List.of("missing: README.txt", "extra file: Documentation_release_notes_v1.txt"),
                TreeComparator.differences(source, TreeDigest.of(dst)));
    }

    @Test
    void detectsATruncatedFile() throws Exception {
        TreeDigest source = TreeDigest.of(tree("src"));
        Path dst = tree("dst");
        Files.writeString(dst.resolve("README.txt"), "Code-set");
        List<String> diffs = TreeComparator.differences(source, TreeDigest.of(dst));
        assertEquals(1, diffs.size());
        assertTrue(diffs.get(0).startsWith("size differs: README.txt"), diffs.get(0));
    }

    @Test
    void followsASymlinkedRootLikeAReceiversCurrent() throws Exception {
        TreeDigest source = TreeDigest.of(tree("src"));
        Path release = tree("releases-abc");
        Path current = Files.createSymbolicLink(tmp.resolve("current"), release.getFileName());
        assertEquals(List.of(), TreeComparator.differences(source, TreeDigest.of(current)));
    }
}
