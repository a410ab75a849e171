package io.skiff.engine.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.skiff.engine.files.DirectoryTrees;
import io.skiff.engine.files.DurableFiles;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An append-only, hash-chained audit trail in a directory ({@code ROOT/audit}): JSON lines in
 * {@code audit-00000001.jsonl}, {@code audit-00000002.jsonl}, ... (a new file past {@link #MAX_FILE_BYTES};
 * the chain goes on across files), each record carrying its number and the SHA-256 of the previous
 * record's line (64 zeros for the first). Editing, removing or reordering a record breaks the chain at the
 * next one; {@code HEAD} names the last record and its hash, so cutting records off the end is caught too,
 * and senders keep heads they were given ({@link AuditVerifier}), so a rewritten chain is caught as well.
 *
 * <p>Each record is written with one append and forced to disk before {@link #append} returns. Appends
 * from several trails on one directory (a receiver and an operator's {@code skiff gc}, two receivers in one
 * test JVM) are serialized by a file lock, and each picks up what the others wrote first.
 */
public final class AuditTrail {
    private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);
    public static final String HEAD_FILE = "HEAD";
    static final String PREFIX = "audit-";
    static final String SUFFIX = ".jsonl";
    static final long MAX_FILE_BYTES = 16L * 1024 * 1024;
    /** The previous hash of the first record. */
    static final String GENESIS = "0".repeat(2 * Sha256.BYTES);
    /** Longest reason kept: a record stays one readable line. */
    private static final int MAX_REASON_CHARS = 2000;
    private static final JsonFactory JSON = new JsonFactory();
    /** One monitor per directory in this JVM: a file lock cannot be taken twice by one process. */
    private static final ConcurrentHashMap<Path, Object> LOCKS = new ConcurrentHashMap<>();

    private final Path dir;
    private final long maxFileBytes;
    private final Object monitor;
    /** The hash of the first record, once there is one: it never changes. */
    private volatile String trail;

    private AuditTrail(Path dir, long maxFileBytes) {
        this.dir = dir;
        this.maxFileBytes = maxFileBytes;
        this.monitor = LOCKS.computeIfAbsent(dir.toAbsolutePath().normalize(), d -> new Object());
    }

    /** The trail in {@code dir}, created if need be. */
    public static AuditTrail open(Path dir) {
        return open(dir, MAX_FILE_BYTES);
    }

    /** The same, starting a new file past {@code maxFileBytes} (tests use small files). */
    static AuditTrail open(Path dir, long maxFileBytes) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StorageException("create the audit directory " + dir, e);
        }
        return new AuditTrail(dir, maxFileBytes);
    }

    public Path dir() {
        return dir;
    }

    /** The last record's number and hash (0 and {@link #GENESIS} for an empty trail), read from the files, and the trail's name. */
    public AuditHead head() {
        synchronized (monitor) {
            return AuditRecords.lastRecord(dir).map(AuditRecords.Line::head).orElse(AuditHead.EMPTY).withTrail(trail());
        }
    }

    private String trail() {
        if (trail == null) {
            trail = AuditRecords.firstHash(dir);
        }
        return trail;
    }

    /** Appends {@code event} as the next record, forced to disk; returns the new head. */
    public AuditHead append(AuditEvent event) {
        synchronized (monitor) {
            try (FileChannel lockFile = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockFile.lock()) {
                return appendLocked(event);
            } catch (IOException e) {
                throw new StorageException("append to the audit trail in " + dir, e);
            }
        }
    }

    private AuditHead appendLocked(AuditEvent event) throws IOException {
        List<Path> files = AuditRecords.files(dir);
        Path file = files.isEmpty() ? dir.resolve(name(1)) : files.get(files.size() - 1);
        AuditHead previous = AuditRecords.lastRecord(dir).map(AuditRecords.Line::head).orElse(AuditHead.EMPTY);
        if (previous.seq() < 0) { // the last line is not a record (edited by hand): number on from the lines, chained to it
            previous = new AuditHead(null, AuditRecords.lineCount(dir), previous.hash());
        }
        boolean torn = Files.exists(file) && AuditRecords.endsTorn(file);
        if (torn) {
            LOG.warn("the audit trail's last line in {} is incomplete (the process stopped while writing it); the chain goes on from record {}",
                    file, previous.seq());
        }
        byte[] line = line(previous, event);
        if (Files.exists(file) && Files.size(file) + line.length + 1 > maxFileBytes) {
            file = dir.resolve(name(files.size() + 1));
            torn = false;
        }
        boolean created = !Files.exists(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.allocate(line.length + 2);
            if (torn) {
                bytes.put((byte) '\n'); // the incomplete line stays as it is, for the verifier to report
            }
            bytes.put(line).put((byte) '\n').flip();
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            ch.force(false);
        }
        if (created) {
            DirectoryTrees.fsync(dir);
        }
        String hash = Sha256.digest(line).hex();
        AuditHead head = new AuditHead(previous.seq() == 0 ? hash : trail(), previous.seq() + 1, hash);
        DurableFiles.write(dir.resolve(HEAD_FILE), (head.seq() + " " + head.hash() + "\n").getBytes(StandardCharsets.US_ASCII));
        return head;
    }

    static String name(int number) {
        return String.format("%s%08d%s", PREFIX, number, SUFFIX);
    }

    /** The record after {@code previous}: fields in a fixed order, one line of UTF-8 JSON. */
    private static byte[] line(AuditHead previous, AuditEvent e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("seq", previous.seq() + 1);
            g.writeStringField("time", Instant.now().toString());
            g.writeStringField("actor", e.actor().who());
            g.writeStringField("peer", e.actor().address());
            g.writeStringField("action", e.action());
            g.writeStringField("channel", e.channel());
            g.writeStringField("tenant", e.tenant());
            g.writeStringField("version", e.version());
            g.writeStringField("release_id", e.releaseId());
            g.writeArrayFieldStart("signers");
            for (String keyId : e.signers()) {
                g.writeString(keyId);
            }
            g.writeEndArray();
            if (e.bytes() == null) {
                g.writeNullField("bytes");
            } else {
                g.writeNumberField("bytes", e.bytes());
            }
            g.writeStringField("outcome", e.outcome());
            g.writeStringField("reason", e.reason() == null || e.reason().length() <= MAX_REASON_CHARS ? e.reason()
                    : e.reason().substring(0, MAX_REASON_CHARS) + "...");
            if (e.target() != null) { // a sender's record
                g.writeStringField("target", e.target());
                if (e.targetHead() == null) {
                    g.writeNullField("audit_head");
                } else {
                    g.writeObjectFieldStart("audit_head");
                    g.writeStringField("trail", e.targetHead().trail());
                    g.writeNumberField("seq", e.targetHead().seq());
                    g.writeStringField("hash", e.targetHead().hash());
                    g.writeEndObject();
                }
            }
            g.writeStringField("prev", previous.hash());
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex); // a byte array does not fail
        }
        return out.toByteArray();
    }
}
