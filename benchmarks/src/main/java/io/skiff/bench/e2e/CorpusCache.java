package io.skiff.bench.e2e;

import io.skiff.corpus.CodeSetCorpus;
import io.skiff.corpus.CorpusRelease;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * Corpora on disk, generated once per (seed, size) and reused by later runs: a 1 GB code-set release
 * takes longer to generate than to transfer.
 *
 * <pre>
 * DIR/codeset-s1-1000mb/v1/...      release v1
 * DIR/codeset-s1-1000mb/v2/...      its next version
 * DIR/codeset-s1-1000mb/complete    marker
 * DIR/random-s1-1536mb/release/random.bin
 * DIR/random-s1-1536mb/complete
 * </pre>
 *
 * The marker is written last and sits outside the pushed directories; a directory without it (a
 * generation that was killed) is deleted and generated again.
 */
final class CorpusCache {
    static final String MARKER = "complete";
    private static final long MB = 1_000_000L;
    private static final int RANDOM_BUFFER = 4 << 20;

    private final Path root;
    private final PrintStream log;

    CorpusCache(Path root, PrintStream log) {
        this.root = root;
        this.log = log;
    }

    record CodeSetPair(CorpusRelease v1, CorpusRelease v2) {
    }

    CodeSetPair codeSet(long seed, long sizeMb) throws IOException {
        Path dir = root.resolve("codeset-s" + seed + "-" + sizeMb + "mb");
        if (!Files.exists(dir.resolve(MARKER))) {
            FileTrees.deleteRecursively(dir);
            log.printf("generating code-set corpus %s (v1 and v2)...%n", dir);
            long start = System.nanoTime();
            CorpusRelease v1 = CodeSetCorpus.generate(dir.resolve("v1"), seed, sizeMb * MB);
            CodeSetCorpus.next(v1, dir.resolve("v2"), seed + 1); // seed + 1 as in `skiff demo`
            Files.writeString(dir.resolve(MARKER), "seed=" + seed + " size_mb=" + sizeMb + "\n");
            log.printf("  done in %.1f s%n", (System.nanoTime() - start) / 1e9);
        }
        // Versions as CodeSetCorpus numbers them; size and file count re-read so a cached tree is described as it is.
        return new CodeSetPair(describe(dir.resolve("v1"), seed, 1), describe(dir.resolve("v2"), seed + 1, 2));
    }

    /** A directory holding one file, {@code random.bin}, of pseudo-random (incompressible) bytes. */
    CorpusRelease random(long seed, long sizeMb) throws IOException {
        Path dir = root.resolve("random-s" + seed + "-" + sizeMb + "mb");
        Path release = dir.resolve("release");
        if (!Files.exists(dir.resolve(MARKER))) {
            FileTrees.deleteRecursively(dir);
            Files.createDirectories(release);
            log.printf("generating incompressible file %s...%n", release.resolve("random.bin"));
            writeRandom(release.resolve("random.bin"), seed, sizeMb * MB);
            Files.writeString(dir.resolve(MARKER), "seed=" + seed + " size_mb=" + sizeMb + "\n");
        }
        return describe(release, seed, 1);
    }

    /** SplittableRandom output: as incompressible to zstd as /dev/urandom, but reproducible from the seed. */
    static void writeRandom(Path file, long seed, long bytes) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        ByteBuffer buf = ByteBuffer.allocateDirect(RANDOM_BUFFER).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long left = bytes;
            while (left > 0) {
                buf.clear();
                while (buf.remaining() >= Long.BYTES) {
                    buf.putLong(r.nextLong());
                }
                buf.flip();
                buf.limit((int) Math.min(buf.limit(), left));
                left -= buf.remaining();
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
        }
    }

    private static CorpusRelease describe(Path dir, long seed, int version) throws IOException {
        FileTrees.Totals t = FileTrees.totals(dir);
        return new CorpusRelease(dir, seed, version, t.bytes(), t.files());
    }
}
