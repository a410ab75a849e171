package io.skiff.engine.encode;

import com.github.luben.zstd.ZstdDictCompress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.skiff.engine.security.ReleaseTrust;
import io.skiff.engine.security.SigningKeys;
import io.skiff.engine.security.TrustFuzzFixture;
import io.skiff.protocol.ReleaseStatement;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.frame.ChunkFrame;
import io.skiff.protocol.frame.ChunkReference;
import io.skiff.protocol.frame.FrameDescriptor;
import io.skiff.protocol.frame.FrameEncoder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes the seed corpus of the engine's fuzz tests from real encodings: chunks as the sender's
 * {@link ChunkCompressor} encodes them (plain zstd, and zstd against reference windows of
 * {@link FuzzBaseRelease}), and releases signed with {@link ReleaseTrust#sign} by the
 * {@link TrustFuzzFixture} keys, one for each verdict. Deterministic: a second run writes the same bytes.
 * Each test's generated seeds go to {@code <Test>Inputs/<method>/seeds/}, which this replaces; inputs
 * kept from fuzzing findings sit beside it and are left alone. How to run it: docs/architecture.md, Fuzzing.
 */
public final class EngineFuzzSeeds {
    private static final ByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;
    private static final int LEVEL = 3;

    private EngineFuzzSeeds() {
    }

    /** @param args the module's test resources directory, e.g. {@code engine/src/test/resources} */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: EngineFuzzSeeds <engine/src/test/resources>");
        }
        Path resources = Path.of(args[0]);
        writeChunkSeeds(resources);
        writeSignedSeeds(resources);
    }

    private static void writeChunkSeeds(Path resources) throws IOException {
        Path baseDir = Files.createTempDirectory("skiff-fuzz-base");
        try (BaseChunks base = FuzzBaseRelease.writeTo(baseDir);
             ReferenceDictionaries<ZstdDictCompress> windows = new ReferenceDictionaries<>(base, ChunkCompressor.referenceDictionary(LEVEL), 4);
             ChunkCompressor compressor = new ChunkCompressor(LEVEL)) {
            Path seeds = seedDir(resources, "io/skiff/engine/encode/ChunkDecompressorFuzzTestInputs/shouldDecodeToTheRawLengthOrFailTyped");
            ChunkReference near = new ChunkReference(4, 2);
            ChunkReference wide = new ChunkReference(10, 4);
            byte[] newChunk = edited(base.read(near), 100);
            write(seeds, "raw", body(compressor.encode(ALLOC, 0, direct(newChunk), false)));
            write(seeds, "zstd", body(compressor.encode(ALLOC, 1, direct(newChunk), true)));
            byte[] referenced = body(compressor.encodeWithReference(ALLOC, 2, direct(newChunk),
                    new ChunkCompressor.ReferenceCandidate(near, windows), null));
            write(seeds, "zstd-reference", referenced);
            write(seeds, "zstd-reference-wide", body(compressor.encodeWithReference(ALLOC, 3, direct(edited(base.read(wide), 900)),
                    new ChunkCompressor.ReferenceCandidate(wide, windows), null)));
            // the same payload naming base chunks this receiver does not have: it asks for the chunk again
            byte[] beyondBase = referenced.clone();
            beyondBase[FrameDescriptor.CHUNK_HEADER_BYTES] = 0x7f;
            write(seeds, "zstd-reference-beyond-base", beyondBase);
        } finally {
            deleteTree(baseDir);
        }
    }

    private static void writeSignedSeeds(Path resources) throws IOException {
        Path seeds = seedDir(resources, "io/skiff/engine/security/ReleaseTrustFuzzTestInputs/shouldAcceptOnlyAValidTrustedSignature");
        SigningKeys.Publisher trusted = TrustFuzzFixture.TRUSTED;
        SigningKeys.Publisher stranger = TrustFuzzFixture.STRANGER;
        long inAYear = TrustFuzzFixture.NOW.plusSeconds(365L * 24 * 3600).toEpochMilli();
        Sha256 next = Sha256.digest("next release".getBytes(StandardCharsets.UTF_8));
        write(seeds, "accepted", sign(new ReleaseStatement("icd10cm", "2026-07", next, 42, inAYear, false), trusted));
        write(seeds, "trusted-and-stranger", sign(new ReleaseStatement("icd10cm", "2026-07", next, 42, inAYear, false), stranger, trusted));
        write(seeds, "stranger-only", sign(new ReleaseStatement("icd10cm", "2026-07", next, 42, inAYear, false), stranger));
        write(seeds, "rollback", sign(new ReleaseStatement("icd10cm", "2025-07", next, 40, inAYear, false), trusted));
        write(seeds, "downgrade-allowed", sign(new ReleaseStatement("icd10cm", "2025-07", next, 40, inAYear, true), trusted));
        write(seeds, "version-reused", sign(new ReleaseStatement("icd10cm", TrustFuzzFixture.ACTIVE.version(), next, 42, inAYear, false), trusted));
        write(seeds, "expired", sign(new ReleaseStatement("icd10cm", "2026-07", next, 42,
                Instant.parse("2026-05-01T00:00:00Z").toEpochMilli(), false), trusted));
    }

    /** The base bytes with a few edited rows, as the next release of a code set has them. */
    private static byte[] edited(byte[] window, int from) {
        byte[] chunk = Arrays.copyOfRange(window, from, window.length);
        for (int at = 17; at < chunk.length; at += 701) {
            chunk[at] ^= 1;
        }
        return chunk;
    }

    private static ByteBuf direct(byte[] bytes) {
        return ALLOC.directBuffer(bytes.length).writeBytes(bytes);
    }

    /** A CHUNK frame's body as FrameEncoder writes it (ordinal, encoding, raw length, payload); releases the frame. */
    private static byte[] body(ChunkFrame frame) {
        ByteBuf header = FrameEncoder.chunkHeader(ALLOC, frame);
        try {
            header.skipBytes(FrameDescriptor.HEADER_BYTES);
            byte[] fields = ByteBufUtil.getBytes(header);
            byte[] payload = ByteBufUtil.getBytes(frame.payload());
            byte[] body = Arrays.copyOf(fields, fields.length + payload.length);
            System.arraycopy(payload, 0, body, fields.length, payload.length);
            return body;
        } finally {
            header.release();
            frame.release();
        }
    }

    private static byte[] sign(ReleaseStatement statement, SigningKeys.Publisher... publishers) {
        return ReleaseTrust.sign(statement, List.of(publishers)).encode();
    }

    /** One fuzz test's generated seed directory, emptied. */
    private static Path seedDir(Path resources, String methodInputs) throws IOException {
        Path dir = resources.resolve(methodInputs).resolve("seeds");
        if (Files.isDirectory(dir)) {
            deleteTree(dir);
        }
        return Files.createDirectories(dir);
    }

    private static void write(Path dir, String name, byte[] bytes) throws IOException {
        Files.write(dir.resolve(name), bytes);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
