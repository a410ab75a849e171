package io.skiff.engine.manifest;

import io.skiff.engine.chunk.FileChunker;
import io.skiff.engine.chunk.FileDigest;
import io.skiff.protocol.ChunkingParams;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ManifestValidator;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.SkiffException;
import io.skiff.protocol.SourceException;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds the {@link Manifest} of a directory tree: every directory (empty ones included, the root
 * excluded) and every regular file with its size, executable bit, SHA-256 and chunks.
 *
 * <p>Files are chunked by {@code threads} file threads, largest first; each file thread also shares the
 * hashing of its current file with a pool of {@code threads} hash workers ({@link FileChunker}), so one
 * big file uses every core and many small files are processed side by side. Memory is bounded by
 * {@code threads × 16 MiB} of read buffers plus ~36 bytes per chunk; no file is held in memory.
 *
 * <p>Everything that makes a tree unusable is a {@link SkiffException} with
 * {@link ErrorCode#SOURCE_INVALID} and a one-line message naming the path: a missing root, a root that
 * is not a directory, a tree without files, a symbolic link, a special file (FIFO, socket, device), an
 * unreadable file or directory, a file name that is not valid UTF-8 or not a safe manifest path, and a
 * file that changes size while it is read. A symbolic link given as the root itself is followed.
 */
public final class ManifestBuilder {
    private ManifestBuilder() {
    }

    /**
     * As {@link #build(Path, String, String, ChunkingParams, int, long)} with the newest modification
     * time of the tree's files as the creation time: building the same unchanged tree twice gives the
     * same release id, so pushing it again costs only the handshake.
     */
    public static Manifest build(Path root, String channel, String version, ChunkingParams params, int threads) {
        return buildTree(root, channel, version, params, threads, OptionalLong.empty());
    }

    /**
     * @param threads         file threads and hash workers; {@code 1} does everything on the caller
     * @param createdAtMillis recorded in the manifest (fix it for reproducible release ids)
     */
    public static Manifest build(Path root, String channel, String version, ChunkingParams params, int threads,
                                 long createdAtMillis) {
        return buildTree(root, channel, version, params, threads, OptionalLong.of(createdAtMillis));
    }

    /** @param createdAtMillis empty: the newest modification time among the files */
    private static Manifest buildTree(Path root, String channel, String version, ChunkingParams params, int threads,
                                      OptionalLong createdAtMillis) {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(params, "params");
        if (threads < 1) {
            throw new IllegalArgumentException("threads=" + threads + " must be >= 1");
        }
        // Reject a bad channel or version before hashing gigabytes.
        Manifest.builder(channel, version, params).createdAtMillis(0).build();

        Path realRoot = realDirectory(root);
        Tree tree = walk(realRoot, root);
        if (tree.files.isEmpty()) {
            throw invalid(root, "source directory is empty: " + root);
        }
        List<FileDigest> digests = digestAll(tree.files, params, threads);

        long createdAt = createdAtMillis.orElse(tree.newestModifiedMillis);
        Manifest.Builder builder = Manifest.builder(channel, version, params).createdAtMillis(createdAt);
        for (String dir : tree.directories) {
            builder.addDirectory(dir);
        }
        for (int i = 0; i < tree.files.size(); i++) {
            SourceFile f = tree.files.get(i);
            FileDigest d = digests.get(i);
            builder.addFile(f.relativePath, f.executable, d.size(), d.chunkHashes(), d.chunkLengths());
        }
        return builder.build();
    }

    /** @param shown the path as the caller named it (below the root they passed), for messages */
    private record SourceFile(Path path, Path shown, String relativePath, long size, boolean executable) {
    }

    private static final class Tree {
        final List<String> directories = new ArrayList<>();
        final List<SourceFile> files = new ArrayList<>();
        long newestModifiedMillis;
    }

    private static Path realDirectory(Path root) {
        if (!Files.exists(root)) {
            throw invalid(root, "source directory does not exist: " + root);
        }
        if (!Files.isDirectory(root)) {
            throw invalid(root, "source is not a directory: " + root);
        }
        try {
            return root.toRealPath();
        } catch (IOException e) {
            throw invalid(root, "cannot read " + root + ": " + reason(e));
        }
    }

    private static Tree walk(Path realRoot, Path shownRoot) {
        Tree tree = new Tree();
        try {
            Files.walkFileTree(realRoot, EnumSet.noneOf(java.nio.file.FileVisitOption.class), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                            if (!dir.equals(realRoot)) {
                                tree.directories.add(relative(realRoot, dir, shownRoot));
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                            Path shown = shownRoot.resolve(realRoot.relativize(file));
                            if (attrs.isSymbolicLink()) {
                                throw invalid(shown, "symbolic links are not supported yet: " + shown);
                            }
                            if (!attrs.isRegularFile()) {
                                throw invalid(shown, "not a regular file: " + shown);
                            }
                            tree.newestModifiedMillis = Math.max(tree.newestModifiedMillis, attrs.lastModifiedTime().toMillis());
                            tree.files.add(new SourceFile(file, shown, relative(realRoot, file, shownRoot), attrs.size(),
                                    isExecutable(file)));
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) {
                            throw invalid(shownRoot.resolve(realRoot.relativize(file)), "cannot read " + shownRoot.resolve(realRoot.relativize(file)) + ": " + reason(e));
                        }

                        @Override
                        public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                            if (e != null) {
                                throw invalid(shownRoot.resolve(realRoot.relativize(dir)), "cannot read " + shownRoot.resolve(realRoot.relativize(dir)) + ": " + reason(e));
                            }
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            throw invalid(shownRoot, "cannot read " + shownRoot + ": " + reason(e));
        }
        return tree;
    }

    /** Root-relative, '/'-separated, checked as a manifest path. */
    private static String relative(Path realRoot, Path path, Path shownRoot) {
        Path rel = realRoot.relativize(path);
        StringBuilder sb = new StringBuilder();
        for (Path name : rel) {
            if (!sb.isEmpty()) {
                sb.append('/');
            }
            sb.append(name);
        }
        String result = sb.toString();
        if (result.indexOf('\uFFFD') >= 0) {
            // the platform decoded bytes that are not valid UTF-8: the receiver would create another name
            throw invalid(shownRoot.resolve(rel), "file name is not valid UTF-8: " + shownRoot.resolve(rel));
        }
        try {
            ManifestValidator.checkPath(result);
        } catch (ProtocolException e) {
            throw invalid(shownRoot.resolve(rel), "unsupported path " + shownRoot.resolve(rel) + ": " + e.getMessage());
        }
        return result;
    }

    private static boolean isExecutable(Path file) throws IOException {
        try {
            PosixFileAttributes posix = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return posix.permissions().contains(PosixFilePermission.OWNER_EXECUTE);
        } catch (UnsupportedOperationException e) {
            return Files.isExecutable(file);
        }
    }

    private static List<FileDigest> digestAll(List<SourceFile> files, ChunkingParams params, int threads) {
        FileDigest[] digests = new FileDigest[files.size()];
        if (threads == 1) {
            FileChunker chunker = new FileChunker(params, null);
            for (int i = 0; i < files.size(); i++) {
                digests[i] = digestOne(chunker, files.get(i));
            }
            return List.of(digests);
        }
        ExecutorService hashWorkers = Executors.newFixedThreadPool(threads, daemonThreads("skiff-hash"));
        ExecutorService fileThreads = Executors.newFixedThreadPool(threads, daemonThreads("skiff-chunk"));
        try {
            ThreadLocal<FileChunker> chunkers = ThreadLocal.withInitial(() -> new FileChunker(params, hashWorkers));
            Integer[] order = new Integer[files.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            // largest first, so one big file does not start last and run alone
            java.util.Arrays.sort(order, Comparator.comparingLong((Integer i) -> files.get(i).size).reversed());
            List<Future<?>> tasks = new ArrayList<>(order.length);
            for (int i : order) {
                tasks.add(fileThreads.submit(() -> {
                    digests[i] = digestOne(chunkers.get(), files.get(i));
                }));
            }
            for (Future<?> task : tasks) {
                await(task);
            }
            return List.of(digests);
        } finally {
            fileThreads.shutdownNow();
            hashWorkers.shutdown();
        }
    }

    private static FileDigest digestOne(FileChunker chunker, SourceFile f) {
        FileDigest d;
        try {
            d = chunker.digest(f.path);
        } catch (IOException e) {
            throw invalid(f.shown, "cannot read " + f.shown + ": " + reason(e));
        }
        if (d.size() != f.size) {
            throw invalid(f.shown, "file changed while being read: " + f.shown + " (size was " + f.size + ", read "
                    + d.size() + " bytes)");
        }
        return d;
    }

    private static void await(Future<?> task) {
        try {
            task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SkiffException(ErrorCode.INTERNAL, "interrupted while building the manifest", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SkiffException skiff) {
                throw skiff;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }

    private static SourceException invalid(Path path, String message) {
        return new SourceException(path, message);
    }
}
