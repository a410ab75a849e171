package io.skiff.engine.store;

import io.skiff.protocol.ChunkTable;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.IntegrityException;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ManifestEntry;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.StorageException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Re-hashes a release tree against its manifest: every file's size, every chunk's SHA-256 at its
 * offset (which, through the manifest's {@link io.skiff.protocol.ChunkListDigest}, checks the file's
 * digest too), and nothing extra. Files are checked in parallel (both cores); each is streamed one
 * chunk at a time, and a mismatch names the file and the offset of the first bad chunk.
 */
public final class ReleaseVerifier {
    private ReleaseVerifier() {
    }

    /** One line per problem, empty if the tree matches the manifest exactly. */
    public static List<String> problems(Path dir, Manifest manifest) {
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        manifest.entries().parallelStream().forEach(e -> {
            Path path = dir.resolve(e.path());
            if (!e.isFile()) {
                if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    problems.add("missing directory: " + e.path());
                }
                return;
            }
            String problem = checkFile(path, manifest, e);
            if (problem != null) {
                problems.add(problem);
            }
        });
        problems.addAll(unexpectedEntries(dir, manifest));
        List<String> sorted = new ArrayList<>(problems);
        Collections.sort(sorted);
        return sorted;
    }

    /** Throws {@link ErrorCode#FILE_HASH_MISMATCH} naming the first problem. */
    public static void verify(Path dir, Manifest manifest) {
        List<String> problems = problems(dir, manifest);
        if (!problems.isEmpty()) {
            throw IntegrityException.mismatch(null, problems.get(0)
                    + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""));
        }
    }

    private static String checkFile(Path path, Manifest manifest, ManifestEntry e) {
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            return "missing file: " + e.path();
        }
        ChunkTable chunks = manifest.chunks();
        MessageDigest digest = Sha256.newDigest();
        ByteBuffer buffer = ByteBuffer.allocate(manifest.chunking().maxBytes());
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size != e.size()) {
                return "size mismatch: " + e.path() + " expected=" + e.size() + " actual=" + size;
            }
            for (int c = e.firstChunk(); c < e.firstChunk() + e.chunkCount(); c++) {
                buffer.clear().limit(chunks.length(c));
                long position = chunks.offset(c);
                while (buffer.hasRemaining()) {
                    int n = ch.read(buffer, position);
                    if (n < 0) {
                        return "size mismatch: " + e.path() + " ends before offset " + position;
                    }
                    position += n;
                }
                buffer.flip();
                digest.update(buffer);
                if (!chunks.hashMatches(c, digest.digest())) {
                    return "hash mismatch: " + e.path() + " at offset " + chunks.offset(c) + " (chunk "
                            + (c - e.firstChunk() + 1) + " of " + e.chunkCount() + ", expected " + chunks.hash(c).shortHex() + ")";
                }
            }
            return null;
        } catch (IOException ex) {
            return "unreadable: " + e.path() + ": " + StorageException.describe(ex);
        }
    }

    private static List<String> unexpectedEntries(Path dir, Manifest manifest) {
        Set<String> expected = new HashSet<>();
        for (ManifestEntry e : manifest.entries()) {
            expected.add(e.path());
        }
        List<String> unexpected = new ArrayList<>();
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    if (!d.equals(dir) && !expected.contains(relative(dir, d))) {
                        unexpected.add("unexpected entry: " + relative(dir, d));
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                    if (!expected.contains(relative(dir, f))) {
                        unexpected.add("unexpected entry: " + relative(dir, f));
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ex) {
            unexpected.add("unreadable tree " + dir + ": " + StorageException.describe(ex));
        }
        return unexpected;
    }

    private static String relative(Path root, Path p) {
        return root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
    }
}
