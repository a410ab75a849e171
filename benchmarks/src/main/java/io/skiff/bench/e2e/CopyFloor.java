package io.skiff.bench.e2e;

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
 * The local copy floor of the full-copy scenarios: what merely reading the release and writing the same bytes
 * to new files on the destinations' file system, durably, costs on this machine at this moment. Measured in
 * every repetition, right after that repetition's skiff and rsync runs, so it sees the same machine state
 * (page cache, guest memory, disk) they did.
 *
 * <p>The copy runs in the runner's JVM, one thread, no child process: for each file of the release (in path
 * order) its parent directories are created, then its bytes are read from the source and written to a new file
 * ({@code CREATE_NEW}) through one 1 MiB direct buffer, so every byte passes through user space once, as the
 * skiff receiver's writes do; then, as the receiver's commit does before activating, every file is opened again
 * and {@code force(true)} (fsync), then every directory created and the destination's parent. Not {@code cp}:
 * coreutils 9 copies with {@code copy_file_range} (in the kernel, or as a reflink on btrfs/XFS), so it need not
 * write the bytes at all, and {@code sync -f} is a syncfs of the whole file system, which would also write
 * back whatever rsync (which does not fsync) left dirty.
 *
 * <p>Timed: the write phase (directories, reads, writes, closes) and the fsync phase, each with
 * {@link System#nanoTime}, and the copying thread's CPU time (user and system) from {@link ThreadMXBean}. The
 * copy is then checked against the source digest and deleted, untimed.
 */
final class CopyFloor {
    static final int BUFFER_BYTES = 1 << 20;
    static final String METHOD = "in the runner's JVM, one thread: each file read and written to a new file through a "
            + "1 MiB direct buffer, then every file fsynced (FileChannel.force(true)) and every new directory and the "
            + "destination's parent fsynced, as skiff's receiver does before activating";

    private final Path workDir;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    /** @param workDir where the skiff receiver root and the rsync destination are: the copy goes next to them */
    CopyFloor(Path workDir) {
        this.workDir = workDir;
    }

    /**
     * One timed copy. NaN stands for not measured (no thread CPU time in this JVM).
     *
     * @param writeSeconds directories, reads, writes and closes, up to the first fsync
     * @param fsyncSeconds fsync of every file, then of every directory
     * @param cpuSeconds   the copying thread's CPU time, user + system, over both phases
     * @param sysSeconds   of which system time (page cache, file system, first touch of guest memory)
     */
    record Run(int rep, long bytes, int files, double wallSeconds, double writeSeconds, double fsyncSeconds,
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

    /** Copies the workload's release to a new directory in the work dir, checks it, deletes it. */
    Run run(Workload w, int rep) throws IOException, TreeComparator.TreeMismatchException {
        Path dest = workDir.resolve("copy-floor-" + w.scenario().label() + "-r" + rep);
        FileTrees.deleteRecursively(dest); // a --work-dir kept from an earlier, interrupted run
        try {
            Run run = copy(w.source(), List.copyOf(w.digest().files().keySet()), dest, rep);
            TreeComparator.verify(w.digest(), dest, "local copy floor, " + w.scenario().label() + " rep " + rep);
            return run;
        } finally {
            FileTrees.deleteRecursively(dest);
        }
    }

    private Run copy(Path source, List<String> files, Path dest, int rep) throws IOException {
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
            bytes += copyFile(source.resolve(rel), to);
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
        return new Run(rep, bytes, files.size(), (t2 - t0) / 1e9, (t1 - t0) / 1e9, (t2 - t1) / 1e9, cpuSeconds,
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
}
