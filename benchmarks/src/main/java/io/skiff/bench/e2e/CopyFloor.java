package io.skiff.bench.e2e;

import com.sun.nio.file.ExtendedOpenOption;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * The local copy floors of the full-copy scenarios: what merely reading the release and writing the same bytes
 * to new files on the destinations' file system, durably, costs on this machine at this moment, written two ways.
 * Measured in every repetition, right after that repetition's skiff and rsync runs, so they see the same machine
 * state (page cache, guest memory, disk) the tools did. One instance per {@link Mode}; the runner measures the
 * buffered floor first, then the direct one.
 *
 * <p>Both copy in the runner's JVM, one thread, no child process: for each file of the release (in path order)
 * its parent directories are created, then its bytes are read from the source (ordinary reads) and written to a
 * new file ({@code CREATE_NEW}), so every byte passes through user space once, as the skiff receiver's writes do;
 * then, as the receiver's commit does before activating, every file is opened again and {@code force(true)}
 * (fsync), then every directory created and the destination's parent. The modes differ in the writes:
 * <ul>
 *   <li>{@link Mode#BUFFERED}: through one 1 MiB direct buffer into the page cache, as rsync and a plain cp write;
 *   <li>{@link Mode#DIRECT}: the file opened with {@code O_DIRECT} ({@link ExtendedOpenOption#DIRECT}) and written
 *       from a 4 MiB buffer aligned to the file store's block size, whole aligned blocks only, bypassing the page
 *       cache, as skiff's receiver writes its O_DIRECT segments; the file's last partial block (its size not a
 *       multiple of the alignment) cannot go with O_DIRECT, so it goes through a second, ordinary channel on the
 *       same file.
 * </ul>
 * Not {@code cp}: coreutils 9 copies with {@code copy_file_range} (in the kernel, or as a reflink on btrfs/XFS),
 * so it need not write the bytes at all, and {@code sync -f} is a syncfs of the whole file system, which would also
 * write back whatever rsync (which does not fsync) left dirty.
 *
 * <p>Timed: the write phase (directories, reads, writes, closes) and the fsync phase, each with
 * {@link System#nanoTime}, and the copying thread's CPU time (user and system) from {@link ThreadMXBean}. The
 * copy is then checked against the source digest and deleted, untimed.
 *
 * <p>Pitfalls: a file system that refuses O_DIRECT (the first direct open fails) makes the direct floor
 * {@link NotMeasured} with the reason, as does any I/O error; a copy that differs from its source is not a
 * measurement problem but a broken benchmark, and throws.
 */
final class CopyFloor {
    static final int BUFFER_BYTES = 1 << 20;
    static final int DIRECT_BUFFER_BYTES = 4 << 20;
    /** O_DIRECT alignment when the file store reports less: a multiple of 512- and 4096-byte logical sectors alike. */
    static final int MIN_DIRECT_ALIGN_BYTES = 4096;

    /** How the floor writes; each mode has its own line under the table and its own JSON key. */
    enum Mode {
        BUFFERED("buffered", "copy_floor", "in the runner's JVM, one thread: each file read and written to a new file "
                + "through a 1 MiB direct buffer, then every file fsynced (FileChannel.force(true)) and every new directory "
                + "and the destination's parent fsynced, as skiff's receiver does before activating"),
        DIRECT("direct", "copy_floor_direct", "in the runner's JVM, one thread: each file read (ordinary reads) into a "
                + "4 MiB direct buffer aligned to the file store's block size (at least 4096 bytes) and written to a new "
                + "file opened with O_DIRECT (ExtendedOpenOption.DIRECT) in whole aligned blocks, bypassing the page cache; "
                + "the file's last partial block through a second, ordinary channel on the same file; then every file "
                + "fsynced (FileChannel.force(true)) and every new directory and the destination's parent fsynced");

        private final String label;
        private final String jsonKey;
        private final String method;

        Mode(String label, String jsonKey, String method) {
            this.label = label;
            this.jsonKey = jsonKey;
            this.method = method;
        }

        /** "buffered", "direct": in the report's lines, the log and the copy's directory name. */
        String label() {
            return label;
        }

        /** The JSON key of this floor: {@code copy_floor} (older reports read it) stays the buffered one. */
        String jsonKey() {
            return jsonKey;
        }

        /** What the copy does, one sentence for the methodology note and the JSON. */
        String method() {
            return method;
        }
    }

    /** Opens a new destination file for O_DIRECT writes; injectable so tests can stand in a refusing file system. */
    @FunctionalInterface
    interface DirectOpener {
        FileChannel open(Path file) throws IOException;
    }

    static final DirectOpener O_DIRECT = file -> FileChannel.open(file, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);

    /** One repetition of a floor: its run, or why it was not measured. */
    sealed interface Outcome permits Measured, NotMeasured {
    }

    record Measured(Run run) implements Outcome {
    }

    /** @param why one line: the file system refused O_DIRECT, or the copy failed with an I/O error */
    record NotMeasured(String why) implements Outcome {
    }

    private final Path workDir;
    private final Mode mode;
    private final DirectOpener directOpener;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private ByteBuffer buffer; // allocated on the first run: the direct one's alignment comes from the file store
    private int directAlignBytes;

    /** @param workDir where the skiff receiver root and the rsync destination are: the copy goes next to them */
    CopyFloor(Path workDir, Mode mode) {
        this(workDir, mode, O_DIRECT);
    }

    CopyFloor(Path workDir, Mode mode, DirectOpener directOpener) {
        this.workDir = workDir;
        this.mode = mode;
        this.directOpener = directOpener;
    }

    Mode mode() {
        return mode;
    }

    /**
     * One timed copy. NaN stands for not measured (no thread CPU time in this JVM).
     *
     * @param mode         which floor: buffered or direct
     * @param writeSeconds directories, reads, writes and closes, up to the first fsync
     * @param fsyncSeconds fsync of every file, then of every directory
     * @param cpuSeconds   the copying thread's CPU time, user + system, over both phases
     * @param sysSeconds   of which system time (page cache, file system, first touch of guest memory)
     */
    record Run(Mode mode, int rep, long bytes, int files, double wallSeconds, double writeSeconds, double fsyncSeconds,
               double cpuSeconds, double sysSeconds) {

        double throughputMBps() {
            return bytes / wallSeconds / RunMeasurement.MB;
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rep", rep);
            m.put("wall_seconds", wallSeconds);
            m.put("throughput_mb_per_s", throughputMBps());
            m.put("write_seconds", writeSeconds);
            m.put("fsync_seconds", fsyncSeconds);
            m.put("cpu_seconds", cpuSeconds);
            m.put("sys_seconds", sysSeconds);
            m.put("bytes", bytes);
            m.put("files", files);
            return m;
        }
    }

    /** The medians of the copy's runs, each figure's median taken on its own. */
    record Medians(double wallSeconds, double throughputMBps, double writeSeconds, double fsyncSeconds, double cpuSeconds,
                   double sysSeconds) {

        static Medians of(List<Run> runs) {
            return new Medians(m(runs, Run::wallSeconds), m(runs, Run::throughputMBps), m(runs, Run::writeSeconds),
                    m(runs, Run::fsyncSeconds), m(runs, Run::cpuSeconds), m(runs, Run::sysSeconds));
        }

        private static double m(List<Run> runs, ToDoubleFunction<Run> f) {
            return Median.of(runs, f);
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("wall_seconds", wallSeconds);
            m.put("throughput_mb_per_s", throughputMBps);
            m.put("write_seconds", writeSeconds);
            m.put("fsync_seconds", fsyncSeconds);
            m.put("cpu_seconds", cpuSeconds);
            m.put("sys_seconds", sysSeconds);
            return m;
        }
    }

    /**
     * Copies the workload's release to a new directory in the work dir, checks it, deletes it. An I/O error (the
     * file system refusing O_DIRECT among them) is not thrown but returned as {@link NotMeasured}.
     *
     * @throws TreeComparator.TreeMismatchException the copy differs from the source: the benchmark is broken
     */
    Outcome measure(Workload w, int rep) throws TreeComparator.TreeMismatchException {
        Path dest = workDir.resolve("copy-floor-" + mode.label() + "-" + w.scenario().label() + "-r" + rep);
        try {
            try {
                FileTrees.deleteRecursively(dest); // a --work-dir kept from an earlier, interrupted run
                Run run = copy(w.source(), List.copyOf(w.digest().files().keySet()), dest, rep);
                TreeComparator.verify(w.digest(), dest, "local copy floor, " + mode.label() + ", " + w.scenario().label()
                        + " rep " + rep);
                return new Measured(run);
            } finally {
                FileTrees.deleteRecursively(dest);
            }
        } catch (DirectIoRefusedException e) {
            return new NotMeasured(e.getMessage());
        } catch (IOException e) {
            return new NotMeasured("failed: " + String.valueOf(e).lines().findFirst().orElse(""));
        }
    }

    private Run copy(Path source, List<String> files, Path dest, int rep) throws IOException {
        if (buffer == null) {
            buffer = allocateBuffer();
        }
        boolean cpu = threads.isCurrentThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled();
        long cpu0 = cpu ? threads.getCurrentThreadCpuTime() : 0;
        long user0 = cpu ? threads.getCurrentThreadUserTime() : 0;
        long t0 = System.nanoTime();

        Set<Path> dirs = new LinkedHashSet<>(); // every directory the copy created, parents before children
        Files.createDirectory(dest);
        dirs.add(dest);
        long bytes = 0;
        List<Path> written = new ArrayList<>(files.size());
        for (String rel : files) {
            Path to = dest.resolve(rel);
            Path parent = to.getParent();
            if (!dirs.contains(parent)) {
                Files.createDirectories(parent);
                addWithParents(dirs, dest, parent);
            }
            bytes += mode == Mode.DIRECT ? copyFileDirect(source.resolve(rel), to) : copyFile(source.resolve(rel), to);
            written.add(to);
        }
        long t1 = System.nanoTime();

        for (Path f : written) {
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        }
        for (Path d : dirs) {
            FileTrees.fsync(d);
        }
        FileTrees.fsync(dest.getParent()); // the destination's own entry
        long t2 = System.nanoTime();
        double cpuSeconds = cpu ? (threads.getCurrentThreadCpuTime() - cpu0) / 1e9 : Double.NaN;
        double userSeconds = cpu ? (threads.getCurrentThreadUserTime() - user0) / 1e9 : Double.NaN;
        return new Run(mode, rep, bytes, files.size(), (t2 - t0) / 1e9, (t1 - t0) / 1e9, (t2 - t1) / 1e9, cpuSeconds,
                cpuSeconds - userSeconds);
    }

    /** Adds {@code d} and those of its parents below {@code dest} not in {@code dirs} yet, topmost first. */
    private static void addWithParents(Set<Path> dirs, Path dest, Path d) {
        List<Path> chain = new ArrayList<>();
        for (Path p = d; !p.equals(dest) && !dirs.contains(p); p = p.getParent()) {
            chain.add(0, p);
        }
        dirs.addAll(chain);
    }

    private long copyFile(Path from, Path to) throws IOException {
        long n = 0;
        try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            buffer.clear();
            while (in.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    n += out.write(buffer);
                }
                buffer.clear();
            }
        }
        return n;
    }

    /**
     * The buffered copy's 1 MiB buffer, or the direct copy's 4 MiB one starting at an address aligned to the work
     * dir's file store block size (O_DIRECT wants buffer address, file position and length all aligned).
     */
    private ByteBuffer allocateBuffer() throws IOException {
        if (mode == Mode.BUFFERED) {
            return ByteBuffer.allocateDirect(BUFFER_BYTES);
        }
        long blockBytes = Files.getFileStore(workDir).getBlockSize();
        if (blockBytes > DIRECT_BUFFER_BYTES || Long.bitCount(blockBytes) != 1) {
            throw new IOException("file store block size " + blockBytes + " of " + workDir
                    + " is not a power of two up to " + DIRECT_BUFFER_BYTES);
        }
        directAlignBytes = (int) Math.max(MIN_DIRECT_ALIGN_BYTES, blockBytes);
        return ByteBuffer.allocateDirect(DIRECT_BUFFER_BYTES + directAlignBytes).alignedSlice(directAlignBytes)
                .slice(0, DIRECT_BUFFER_BYTES);
    }

    /**
     * Fills the buffer from {@code in} until it is full or the source ends: only a full buffer (a whole number of
     * aligned blocks) may go out with O_DIRECT before the end of the file.
     *
     * @return true at the end of the source
     */
    private static boolean fill(FileChannel in, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (in.read(buffer) < 0) {
                return true;
            }
        }
        return false;
    }

    private long copyFileDirect(Path from, Path to) throws IOException {
        long n = 0;
        try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
             FileChannel out = openDirect(to)) {
            boolean end = false;
            while (!end) {
                buffer.clear();
                end = fill(in, buffer);
                buffer.flip();
                int filled = buffer.limit();
                int wholeBlocks = filled / directAlignBytes * directAlignBytes;
                buffer.limit(wholeBlocks);
                while (buffer.hasRemaining()) {
                    n += out.write(buffer);
                }
                if (filled > wholeBlocks) { // only at the end: a buffer that is not full ended the source
                    buffer.limit(filled);
                    n += writeTail(to, buffer, n);
                }
            }
        }
        return n;
    }

    /** The last partial block, through an ordinary channel: O_DIRECT takes whole aligned blocks only. */
    private static long writeTail(Path file, ByteBuffer tail, long position) throws IOException {
        long n = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            while (tail.hasRemaining()) {
                n += ch.write(tail, position + n);
            }
        }
        return n;
    }

    private FileChannel openDirect(Path file) throws IOException {
        try {
            return directOpener.open(file);
        } catch (IOException e) {
            throw new DirectIoRefusedException(file, e);
        }
    }

    /** Opening a file with O_DIRECT failed: on Linux, the file system does not support it (EINVAL). */
    private static final class DirectIoRefusedException extends IOException {
        DirectIoRefusedException(Path file, IOException cause) {
            super("O_DIRECT refused by the file system" + fileStoreType(file) + ": "
                    + String.valueOf(cause).lines().findFirst().orElse(""), cause);
        }

        private static String fileStoreType(Path file) {
            try {
                return " (" + Files.getFileStore(file.getParent()).type() + ")";
            } catch (IOException | RuntimeException e) {
                return "";
            }
        }
    }
}
