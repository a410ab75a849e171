package io.skiff.engine.encode;

import io.netty.buffer.ByteBuf;
import io.netty.channel.FileRegion;
import io.netty.util.ReferenceCountUtil;
import io.skiff.engine.transport.FileSlice;

import java.nio.channels.FileChannel;

/**
 * Raw chunks sent without copying their payload through user space: the frame header as a buffer,
 * then the chunks' bytes as a {@link FileRegion} the transport sends with {@code sendfile} (or, under
 * TLS, reads into a buffer: {@code FileRegionReader}). One chunk
 * (a CHUNK frame) or {@code chunks} consecutive ones of one file (a RAW_RUN frame); {@code rawLength}
 * is all their bytes. Used for chunks already known not to compress. Owns both parts until written.
 */
public record FileRegionChunk(int chunks, int rawLength, ByteBuf header, FileRegion region) {

    /** A region over a file channel that others share (the ChunkSource owns and closes it). */
    static FileRegion sharedRegion(FileChannel file, long position, long count) {
        return new FileSlice(file, position, count);
    }

    public void release() {
        ReferenceCountUtil.safeRelease(header);
        ReferenceCountUtil.safeRelease(region);
    }
}
