package io.skiff.bench.e2e;

import io.skiff.engine.files.DirectoryTrees;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Deleting and sizing directory trees; symlinks are never followed (a receiver's {@code current} is one). */
final class FileTrees {
    private FileTrees() {
    }

    record Totals(long bytes, int files) {
    }

    static void deleteRecursively(Path dir) throws IOException {
        DirectoryTrees.deleteRecursively(dir);
    }

    /** Makes a directory's entries durable (fsync of the directory). */
    static void fsync(Path dir) throws IOException {
        DirectoryTrees.fsync(dir);
    }

    /** Empties {@code dir} but keeps it: an rsync daemon module's path must stay. */
    static void emptyDirectory(Path dir) throws IOException {
        Files.createDirectories(dir);
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : (Iterable<Path>) children::iterator) {
                deleteRecursively(child);
            }
        }
    }

    static Totals totals(Path dir) throws IOException {
        long bytes = 0;
        int files = 0;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    bytes += Files.size(p);
                    files++;
                }
            }
        }
        return new Totals(bytes, files);
    }
}
