package io.skiff.engine.store;

import io.skiff.engine.files.DirectoryTrees;
import io.skiff.protocol.Sha256;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.zip.CRC32C;

/**
 * The resume journal of a staging release, {@code staging/<release-id>.journal}: which chunks are
 * written, verified and durable, so a push of the same release after a cut or a crash asks only for
 * the rest.
 *
 * <pre>
 * header  "SKJ1" | release id (32 B) | chunk count u32 | CRC32C of the 40 bytes before it
 * record  ordinal u32 | CRC32C(release id, ordinal) u32       (8 bytes, appended)
 * </pre>
 *
 * A record is appended only after the chunk's bytes were verified, written at every offset, and
 * flushed to disk (the caller forces the staging files before {@link #append}), so a record never
 * names bytes a crash could lose. Reading trusts nothing: a header for another release or a bad
 * checksum discards the journal; a torn, garbage or out-of-range record is skipped (it only costs
 * fetching that chunk again). Not thread-safe: one receive session owns it.
 */
public final class TransferJournal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TransferJournal.class);
    private static final int MAGIC = 0x534B4A31; // "SKJ1"
    static final int HEADER_BYTES = 4 + Sha256.BYTES + 4 + 4;
    static final int RECORD_BYTES = 8;

    private final Path file;
    private final Sha256 releaseId;
    private final BitSet done;
    private final FileChannel channel;

    private TransferJournal(Path file, Sha256 releaseId, BitSet done, FileChannel channel) {
        this.file = file;
        this.releaseId = releaseId;
        this.done = done;
        this.channel = channel;
    }

    /** The journal file of a staging release. */
    public static Path fileFor(ReleaseStore store, String channel, Sha256 releaseId) {
        Path staging = store.stagingDir(channel, releaseId);
        return staging.resolveSibling(staging.getFileName() + ".journal");
    }

    /**
     * Ordinals a journal at {@code file} vouches for, without opening it for writing (for status);
     * empty when it is missing or not this release's.
     */
    public static BitSet read(Path file, Sha256 releaseId, int chunkCount) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return readValid(ch, file, releaseId, chunkCount);
        } catch (NoSuchFileException e) {
            return new BitSet();
        } catch (IOException e) {
            LOG.warn("unreadable journal {}: {}", file, e.toString());
            return new BitSet();
        }
    }

    /**
     * Opens the journal for {@code releaseId}, keeping the valid records of an existing one, or starts
     * a new one (replacing a file that is not this release's or whose header is damaged).
     */
    public static TransferJournal open(Path file, Sha256 releaseId, int chunkCount) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            BitSet done = readValid(ch, file, releaseId, chunkCount);
            if (ch.size() < HEADER_BYTES || !headerMatches(ch, releaseId, chunkCount)) {
                ch.truncate(0);
                ByteBuffer header = header(releaseId, chunkCount);
                while (header.hasRemaining()) {
                    ch.write(header, HEADER_BYTES - header.remaining());
                }
                ch.force(true);
                DirectoryTrees.fsync(file.getParent());
            } else {
                // drop a torn tail so new records start on a record boundary
                long whole = HEADER_BYTES + (ch.size() - HEADER_BYTES) / RECORD_BYTES * RECORD_BYTES;
                ch.truncate(whole);
            }
            ch.position(ch.size());
            return new TransferJournal(file, releaseId, done, ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Ordinals recorded so far (valid records of an earlier run included). */
    public BitSet done() {
        return done;
    }

    /**
     * Appends records for {@code ordinals} and forces them to disk. The caller has already forced the
     * staging files holding those chunks.
     */
    public void append(int[] ordinals, int count) throws IOException {
        if (count == 0) {
            return;
        }
        ByteBuffer records = ByteBuffer.allocate(count * RECORD_BYTES);
        for (int i = 0; i < count; i++) {
            records.putInt(ordinals[i]).putInt(recordCrc(releaseId, ordinals[i]));
            done.set(ordinals[i]);
        }
        records.flip();
        while (records.hasRemaining()) {
            channel.write(records);
        }
        channel.force(false);
    }

    /** Closes and deletes the journal (the release was activated or its staging discarded). */
    public void delete() {
        close();
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("could not delete journal {}: {}", file, e.toString());
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.warn("could not close journal {}: {}", file, e.toString());
        }
    }

    private static BitSet readValid(FileChannel ch, Path file, Sha256 releaseId, int chunkCount) throws IOException {
        BitSet done = new BitSet();
        if (ch.size() < HEADER_BYTES || !headerMatches(ch, releaseId, chunkCount)) {
            return done;
        }
        long size = ch.size();
        ByteBuffer block = ByteBuffer.allocate(64 * 1024 / RECORD_BYTES * RECORD_BYTES);
        long position = HEADER_BYTES;
        int skipped = 0;
        while (position + RECORD_BYTES <= size) {
            block.clear();
            block.limit((int) Math.min(block.capacity(), (size - position) / RECORD_BYTES * RECORD_BYTES));
            int n = 0;
            while (block.hasRemaining()) {
                int read = ch.read(block, position + n);
                if (read < 0) {
                    break;
                }
                n += read;
            }
            block.flip();
            while (block.remaining() >= RECORD_BYTES) {
                int ordinal = block.getInt();
                int crc = block.getInt();
                if (ordinal >= 0 && ordinal < chunkCount && crc == recordCrc(releaseId, ordinal)) {
                    done.set(ordinal);
                } else {
                    skipped++;
                }
            }
            position += n - block.remaining();
            if (n == 0) {
                break;
            }
        }
        if (skipped > 0) {
            LOG.warn("journal {}: skipped {} damaged record(s); those chunks will be fetched again", file, skipped);
        }
        return done;
    }

    private static boolean headerMatches(FileChannel ch, Sha256 releaseId, int chunkCount) throws IOException {
        ByteBuffer actual = ByteBuffer.allocate(HEADER_BYTES);
        while (actual.hasRemaining()) {
            if (ch.read(actual, actual.position()) < 0) {
                return false;
            }
        }
        return actual.flip().equals(header(releaseId, chunkCount));
    }

    private static ByteBuffer header(Sha256 releaseId, int chunkCount) {
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        header.putInt(MAGIC).put(releaseId.toBytes()).putInt(chunkCount);
        CRC32C crc = new CRC32C();
        crc.update(header.array(), 0, header.position());
        header.putInt((int) crc.getValue());
        return header.flip();
    }

    static int recordCrc(Sha256 releaseId, int ordinal) {
        CRC32C crc = new CRC32C();
        crc.update(releaseId.toBytes());
        crc.update(ordinal >>> 24);
        crc.update(ordinal >>> 16);
        crc.update(ordinal >>> 8);
        crc.update(ordinal);
        return (int) crc.getValue();
    }
}
