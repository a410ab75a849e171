package io.skiff.engine.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Real files for tests: seeded random content, and a byte-for-byte, mode-for-mode tree comparison. */
public final class TestTrees {
    private TestTrees() {
    }

    /** Writes {@code size} seeded random bytes (incompressible) to {@code file}, streaming. */
    public static Path randomFile(Path file, long size, long seed) {
        try {
            Files.createDirectories(file.getParent());
            SplittableRandom random = new SplittableRandom(seed);
            byte[] block = new byte[64 * 1024];
            try (OutputStream out = Files.newOutputStream(file)) {
                long left = size;
                while (left > 0) {
                    int n = (int) Math.min(block.length, left);
                    for (int i = 0; i < n; i += 8) {
                        long r = random.nextLong();
                        for (int k = 0; k < 8 && i + k < n; k++) {
                            block[i + k] = (byte) (r >>> (8 * k));
                        }
                    }
                    out.write(block, 0, n);
                    left -= n;
                }
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes compressible, text-like lines (seeded) of about {@code size} bytes. */
    public static Path textFile(Path file, long size, long seed) {
        try {
            Files.createDirectories(file.getParent());
            SplittableRandom random = new SplittableRandom(seed);
            String[] words = {"acute", "chronic", "fracture", "femur", "diabetes", "mellitus", "type", "with",
                    "without", "complication", "left", "right", "unspecified", "encounter", "initial", "subsequent"};
            StringBuilder sb = new StringBuilder();
            try (OutputStream out = Files.newOutputStream(file)) {
                long written = 0;
                long id = 100000;
                while (written < size) {
                    sb.setLength(0);
                    sb.append(id += 1 + random.nextInt(50)).append('\t').append("20270101\t1\t");
                    int n = 3 + random.nextInt(8);
                    for (int i = 0; i < n; i++) {
                        sb.append(words[random.nextInt(words.length)]).append(' ');
                    }
                    sb.append('\n');
                    byte[] line = sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    int len = (int) Math.min(line.length, size - written);
                    out.write(line, 0, len);
                    written += len;
                }
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void setExecutable(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            perms.add(PosixFilePermission.OWNER_EXECUTE);
            Files.setPosixFilePermissions(file, perms);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Relative path to "kind size sha256 exec-bit" for every entry below {@code root}. */
    public static TreeMap<String, String> describe(Path tree) {
        TreeMap<String, String> entries = new TreeMap<>();
        Path root;
        try {
            root = tree.toRealPath(); // `current` is a symlink: describe what it points at
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (p.equals(root)) {
                    continue;
                }
                String rel = root.relativize(p).toString();
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    entries.put(rel, "dir");
                } else {
                    boolean exec = Files.getPosixFilePermissions(p).contains(PosixFilePermission.OWNER_EXECUTE);
                    entries.put(rel, "file " + Files.size(p) + " " + sha256(p) + (exec ? " exec" : ""));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entries;
    }

    /** Same paths, kinds, sizes, SHA-256 and exec bits. */
    public static void assertSameTree(Path expected, Path actual) {
        assertEquals(describe(expected), describe(actual), "trees differ: " + expected + " vs " + actual);
    }

    public static String sha256(Path file) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            try (var in = Files.newInputStream(file)) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    md.update(buf, 0, n);
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
