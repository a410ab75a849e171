package io.skiff.bench.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Relative path, size and SHA-256 of every regular file under a directory, plus any entry that is
 * neither a file nor a directory (a symlink inside a release would be a difference, not a file).
 * Computed once per source tree and compared with every destination.
 */
record TreeDigest(SortedMap<String, FileDigest> files, List<String> otherEntries) {

    private static final int READ_BUFFER = 1 << 20;

    record FileDigest(long size, String sha256) {
    }

    /** {@code root} itself may be a symlink (a receiver's {@code current}); nothing below it is followed. */
    static TreeDigest of(Path root) throws IOException {
        Path real = root.toRealPath();
        SortedMap<String, FileDigest> files = new TreeMap<>();
        List<String> other = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(real)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String rel = real.relativize(p).toString();
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    files.put(rel, new FileDigest(Files.size(p), sha256(p)));
                } else if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    other.add(rel);
                }
            }
        }
        return new TreeDigest(Collections.unmodifiableSortedMap(files), List.copyOf(other));
    }

    long totalBytes() {
        return files.values().stream().mapToLong(FileDigest::size).sum();
    }

    /** Streams the file: releases hold multi-GB files and the runner's heap is small. */
    static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        byte[] buf = new byte[READ_BUFFER];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
