package io.skiff.engine.transport;

import io.netty.channel.DefaultFileRegion;

import java.nio.channels.FileChannel;

/**
 * Bytes of a file another object owns (a release's open files), sent with {@code sendfile} on a
 * plaintext connection; under TLS {@link FileRegionReader} reads them into a buffer instead, straight
 * from {@link #file()}. Releasing the slice leaves the file open.
 */
public final class FileSlice extends DefaultFileRegion {
    private final FileChannel file;

    public FileSlice(FileChannel file, long position, long count) {
        super(file, position, count);
        this.file = file;
    }

    public FileChannel file() {
        return file;
    }

    @Override
    protected void deallocate() {
        // the owner closes the file
    }
}
