package io.skiff.engine.store;

import io.skiff.engine.files.DirectoryTrees;
import io.skiff.protocol.StorageException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** A small file written so that a crash leaves the old one or the new one: temp file, fsync, rename, fsync the directory. */
final class DurableFiles {
    private DurableFiles() {
    }

    static void write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(bytes));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            DirectoryTrees.fsync(file.getParent());
        } catch (IOException e) {
            throw new StorageException("write " + file, e);
        }
    }
}
