package io.skiff.engine.store;

import io.skiff.protocol.Manifest;
import io.skiff.protocol.ManifestEntry;
import io.skiff.protocol.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Whether a staging tree holds exactly a manifest's entries: every file and directory there with its
 * kind (and a file with its final size), nothing else, and no symbolic link anywhere in it. The walk
 * follows no link, so a link planted in a partial tree (to redirect the resume's writes out of the root,
 * or to smuggle a file into the activated release) is found wherever it sits, not only at a file's name.
 */
final class ExactTree {
    private static final Logger LOG = LoggerFactory.getLogger(StagingRelease.class);

    private ExactTree() {
    }

    /** Whether a partial tree may be resumed: exactly the manifest's, every file at its final size; else logged and false. */
    static boolean resumable(Path dir, Manifest manifest) {
        String difference;
        try {
            difference = difference(dir, manifest, true);
        } catch (IOException e) {
            difference = e.toString();
        }
        if (difference != null) {
            LOG.warn("{} {}: the partial staging tree is not resumed, it starts afresh: {}", manifest.channel(), manifest.releaseId().shortHex(),
                    difference);
        }
        return difference == null;
    }

    /** STORAGE_FAILURE, and nothing activated, when anything but the manifest's entries is in the tree, or a link anywhere. */
    static void require(Path dir, Manifest manifest) {
        String difference;
        try {
            difference = difference(dir, manifest, false);
        } catch (IOException e) {
            throw new StorageException("walk staging " + dir, e);
        }
        if (difference != null) {
            throw new StorageException(dir, "staging tree of " + manifest.channel() + " " + manifest.releaseId().shortHex()
                    + " is not the manifest's: " + difference + "; not activated", null);
        }
    }

    /**
     * Null when {@code dir} is exactly {@code manifest}'s tree (with {@code sizes}, every file at its final
     * size too); else the first difference, for a log line or an error.
     */
    static String difference(Path dir, Manifest manifest, boolean sizes) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return dir.getFileName() + " is not a directory";
        }
        Map<String, ManifestEntry> entries = new HashMap<>();
        Set<String> parents = new HashSet<>(); // directories a file's path implies without an entry of their own
        for (ManifestEntry e : manifest.entries()) {
            entries.put(e.path(), e);
            for (int slash = e.path().lastIndexOf('/'); slash > 0; slash = e.path().lastIndexOf('/', slash - 1)) {
                if (!parents.add(e.path().substring(0, slash))) {
                    break; // its own parents are in already
                }
            }
        }
        String[] found = {null};
        int[] matched = {0};
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                if (d.equals(dir)) {
                    return FileVisitResult.CONTINUE;
                }
                String path = dir.relativize(d).toString();
                ManifestEntry e = entries.get(path);
                if (e != null && !e.isFile()) {
                    matched[0]++;
                    return FileVisitResult.CONTINUE;
                }
                if (e == null && parents.contains(path)) {
                    return FileVisitResult.CONTINUE;
                }
                found[0] = path + (e == null ? " is not in the manifest" : " should be a file, is a directory");
                return FileVisitResult.TERMINATE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                String path = dir.relativize(f).toString();
                ManifestEntry e = entries.get(path);
                if (attrs.isSymbolicLink()) {
                    found[0] = path + " is a symbolic link";
                } else if (e == null) {
                    found[0] = path + " is not in the manifest";
                } else if (!e.isFile() || !attrs.isRegularFile()) {
                    found[0] = path + " is not a " + (e.isFile() ? "regular file" : "directory");
                } else if (sizes && attrs.size() != e.size()) {
                    found[0] = path + " has " + attrs.size() + " bytes, not " + e.size();
                } else {
                    matched[0]++;
                    return FileVisitResult.CONTINUE;
                }
                return FileVisitResult.TERMINATE;
            }
        });
        if (found[0] == null && matched[0] != entries.size()) {
            found[0] = (entries.size() - matched[0]) + " entries of the manifest are missing";
        }
        return found[0];
    }
}
