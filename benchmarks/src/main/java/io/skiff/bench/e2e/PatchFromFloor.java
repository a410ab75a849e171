package io.skiff.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The reference floor of the update scenario (issue 5): how small a v1 -> v2 delta gets when zstd sees
 * both whole releases, {@code zstd -3 --long=27 --patch-from=v1.tar v2.tar}. skiff's update wire bytes
 * are to stay within 2× of it.
 *
 * <p>Both trees are tarred deterministically first (names sorted, mtime 0, owner and group 0, numeric
 * ids), so the floor depends on the files' contents and paths only, never on when the corpus was
 * generated. The size is deterministic, so it is measured once per run, not per repetition; the wall
 * time is zstd's alone (not tar's). The tars and the patch go to a directory the caller deletes.
 *
 * <p>With a reference larger than 2^27 bytes, zstd widens its window to cover the whole reference
 * (checked with zstd 1.5.4: a 148 MB reference gives a 141 MiB window), so {@code --long=27} does not
 * cap how far back the patch can match.
 */
final class PatchFromFloor {
    static final int LEVEL = 3;
    static final int LONG_WINDOW_LOG = 27;
    static final String INSTALL_HINT = "install it with `apt-get install zstd`";

    private final Path tar;
    private final Path zstd;
    private final ProcessMeter meter;
    private final Path logs;

    /**
     * @param bytes       size of the patch, v2.patch.zst
     * @param seconds     wall time of the zstd process
     * @param v1TarBytes  size of the reference, v1.tar
     * @param v2TarBytes  size of v2.tar
     * @param patch       the patch file (in the caller's directory)
     */
    record Result(long bytes, double seconds, long v1TarBytes, long v2TarBytes, Path patch) {
        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("bytes", bytes);
            m.put("seconds", seconds);
            m.put("v1_tar_bytes", v1TarBytes);
            m.put("v2_tar_bytes", v2TarBytes);
            m.put("command", commandText());
            return m;
        }
    }

    /** @param logs where each child's stdout and stderr go ({@code patch-from-zstd.err}, ...) */
    PatchFromFloor(Path tar, Path zstd, ProcessMeter meter, Path logs) {
        this.tar = tar;
        this.zstd = zstd;
        this.meter = meter;
        this.logs = logs;
    }

    /** Empty when zstd and tar are both on PATH, else what is missing and how to install it (one line). */
    static Optional<String> missingTools() {
        if (EndToEndRunner.onPath("zstd").isEmpty()) {
            return Optional.of("zstd not found: " + INSTALL_HINT);
        }
        if (EndToEndRunner.onPath("tar").isEmpty()) {
            return Optional.of("tar not found: install it with `apt-get install tar`");
        }
        return Optional.empty();
    }

    /** With zstd and tar from PATH; check {@link #missingTools} first. */
    static PatchFromFloor fromPath(ProcessMeter meter, Path logs) {
        return new PatchFromFloor(EndToEndRunner.onPath("tar").orElseThrow(), EndToEndRunner.onPath("zstd").orElseThrow(),
                meter, logs);
    }

    /** The command as the reports name it. */
    static String commandText() {
        return "zstd -" + LEVEL + " --long=" + LONG_WINDOW_LOG + " --patch-from=v1.tar v2.tar";
    }

    /** GNU tar of the contents of {@code dir} (entries {@code ./...}), independent of mtimes, owners and readdir order. */
    static List<String> tarCommand(Path tar, Path dir, Path out) {
        return List.of(tar.toString(), "--sort=name", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner",
                "-cf", out.toString(), "-C", dir.toString(), ".");
    }

    static List<String> patchCommand(Path zstd, Path v1Tar, Path v2Tar, Path out) {
        return List.of(zstd.toString(), "-" + LEVEL, "--long=" + LONG_WINDOW_LOG, "--patch-from=" + v1Tar, v2Tar.toString(),
                "-o", out.toString(), "-f", "-q");
    }

    /** The inverse of {@link #patchCommand}: rebuilds v2.tar from v1.tar and the patch. */
    static List<String> decodeCommand(Path zstd, Path v1Tar, Path patch, Path out) {
        return List.of(zstd.toString(), "-d", "--long=" + LONG_WINDOW_LOG, "--patch-from=" + v1Tar, patch.toString(),
                "-o", out.toString(), "-f", "-q");
    }

    /** Tars both trees into {@code outDir} (v1.tar, v2.tar) and writes v2.patch.zst there; timed is the zstd run only. */
    Result measure(Path v1Dir, Path v2Dir, Path outDir) throws IOException, InterruptedException, RunFailedException {
        Files.createDirectories(outDir);
        Files.createDirectories(logs);
        Path v1Tar = outDir.resolve("v1.tar");
        Path v2Tar = outDir.resolve("v2.tar");
        Path patch = outDir.resolve("v2.patch.zst");
        run(tarCommand(tar, v1Dir, v1Tar), logs.resolve("patch-from-tar-v1"));
        run(tarCommand(tar, v2Dir, v2Tar), logs.resolve("patch-from-tar-v2"));
        ProcessMeter.MeteredRun z = run(patchCommand(zstd, v1Tar, v2Tar, patch), logs.resolve("patch-from-zstd"));
        if (!Files.isRegularFile(patch)) {
            throw new RunFailedException("zstd exited 0 but wrote no " + patch);
        }
        return new Result(Files.size(patch), z.wallSeconds(), Files.size(v1Tar), Files.size(v2Tar), patch);
    }

    private ProcessMeter.MeteredRun run(List<String> command, Path logPrefix)
            throws IOException, InterruptedException, RunFailedException {
        ProcessMeter.MeteredRun r = meter.run(command, logPrefix);
        if (r.exitCode() != 0) {
            throw new RunFailedException(String.join(" ", command) + " exited with " + r.exitCode() + ":\n" + r.stderr().strip());
        }
        return r;
    }
}
