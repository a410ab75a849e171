package io.skiff.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.skiff.protocol.frame.ActivatedFrame;
import io.skiff.protocol.frame.AuditHeadFrame;
import io.skiff.protocol.frame.BaseFrame;
import io.skiff.protocol.frame.ChunkEncoding;
import io.skiff.protocol.frame.ChunkFrame;
import io.skiff.protocol.frame.ChunkReference;
import io.skiff.protocol.frame.CommitFrame;
import io.skiff.protocol.frame.ErrorFrame;
import io.skiff.protocol.frame.FollowFrame;
import io.skiff.protocol.frame.FollowWaitFrame;
import io.skiff.protocol.frame.Frame;
import io.skiff.protocol.frame.FrameDescriptor;
import io.skiff.protocol.frame.FrameEncoder;
import io.skiff.protocol.frame.HelloFrame;
import io.skiff.protocol.frame.JoinFrame;
import io.skiff.protocol.frame.ManifestPartFrame;
import io.skiff.protocol.frame.OfferFrame;
import io.skiff.protocol.frame.OfferReplyFrame;
import io.skiff.protocol.frame.RefetchFrame;
import io.skiff.protocol.frame.RelayFrame;
import io.skiff.protocol.frame.RelayStatusFrame;
import io.skiff.protocol.frame.RotationFrame;
import io.skiff.protocol.frame.SignedFrame;
import io.skiff.protocol.frame.WantFrame;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Writes the seed corpus of the protocol module's fuzz tests from real encodings: every frame type as
 * {@link FrameEncoder} writes it and a sender's and a receiver's side of a push, a manifest of a few
 * files and directories, and signed releases. Deterministic: a second run writes the same bytes. Each
 * test's generated seeds go to {@code <Test>Inputs/<method>/seeds/}, which this replaces; inputs kept
 * from fuzzing findings sit beside it and are left alone. How to run it: docs/architecture.md, Fuzzing.
 */
public final class ProtocolFuzzSeeds {
    private static final ByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;
    private static final long CREATED_AT = 1_765_000_000_000L; // fixed: the same bytes on every run

    private ProtocolFuzzSeeds() {
    }

    /** @param args the module's test resources directory, e.g. {@code protocol/src/test/resources} */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ProtocolFuzzSeeds <protocol/src/test/resources>");
        }
        Path resources = Path.of(args[0]);
        Manifest manifest = manifest();
        SignedRelease signed = signed(manifest, 1, false);

        Path frames = seedDir(resources, "io/skiff/protocol/frame/FrameDecoderFuzzTestInputs/shouldYieldFramesThenAtMostOneFailure");
        Map<String, Frame> sender = senderFrames(manifest, signed);
        Map<String, Frame> receiver = receiverFrames(manifest);
        for (Map<String, Frame> side : List.of(sender, receiver)) {
            for (Map.Entry<String, Frame> frame : side.entrySet()) {
                write(frames, frame.getKey(), wire(frame.getValue()));
            }
        }
        write(frames, "raw-run", rawRun(7, new byte[][]{"first chunk".getBytes(StandardCharsets.UTF_8), new byte[300], "third".getBytes(StandardCharsets.UTF_8)}));
        write(frames, "push-sender-side", concat(sender.values().stream().map(ProtocolFuzzSeeds::wire).toArray(byte[][]::new)));
        write(frames, "push-receiver-side", concat(receiver.values().stream().map(ProtocolFuzzSeeds::wire).toArray(byte[][]::new)));
        // REFETCH names ordinals the sender indexes its plan with: the decoder must refuse these
        write(frames, "refetch-negative-ordinal", wire(new RefetchFrame(new int[]{-1})));
        write(frames, "refetch-not-ascending", wire(new RefetchFrame(new int[]{5, 5})));

        Path manifests = seedDir(resources, "io/skiff/protocol/ManifestCodecFuzzTestInputs/shouldYieldACanonicalManifestOrProtocolException");
        write(manifests, "release-of-five-files", manifest.canonicalBytes());
        write(manifests, "one-empty-file", Manifest.builder("c", "1", ChunkingParams.DEFAULT).createdAtMillis(CREATED_AT)
                .addFile("empty", false, 0, new byte[0], new int[0]).build().canonicalBytes());
        write(manifests, "directories-only", Manifest.builder("loinc", "2.80", ChunkingParams.DEFAULT).createdAtMillis(CREATED_AT)
                .addDirectory("a").addDirectory("a/b").build().canonicalBytes());

        Path signatures = seedDir(resources, "io/skiff/protocol/SignedReleaseFuzzTestInputs/shouldYieldACanonicalSignedReleaseOrProtocolException");
        write(signatures, "one-signature", signed.encode());
        write(signatures, "three-signatures-downgrade", signed(manifest, 3, true).encode());
    }

    /** A small code-set release: nested directories, an executable, a multi-chunk file, a non-ASCII name, an empty file. */
    private static Manifest manifest() {
        Manifest.Builder builder = Manifest.builder("icd10cm", "2027-01", ChunkingParams.DEFAULT).createdAtMillis(CREATED_AT)
                .addDirectory("tabular")
                .addDirectory("tabular/2027");
        SplittableRandom random = new SplittableRandom(19);
        addFile(builder, "tabular/2027/codes.tsv", false, random, 700, 512, 90);
        addFile(builder, "tabular/2027/index-\u00e9.txt", false, random, 40);
        addFile(builder, "bin/load.sh", true, random, 120);
        addFile(builder, "README", false, random, 64, 64);
        builder.addFile("tabular/2027/removed.tsv", false, 0, new byte[0], new int[0]);
        return builder.build();
    }

    private static void addFile(Manifest.Builder builder, String path, boolean executable, SplittableRandom random, int... chunkLengths) {
        byte[] hashes = new byte[chunkLengths.length * Sha256.BYTES];
        long size = 0;
        for (int i = 0; i < chunkLengths.length; i++) {
            byte[] chunk = new byte[chunkLengths[i]];
            random.nextBytes(chunk);
            Sha256.digest(chunk).copyTo(hashes, i * Sha256.BYTES);
            size += chunkLengths[i];
        }
        builder.addFile(path, executable, size, hashes, chunkLengths);
    }

    /** Signatures by {@code count} distinct keys; their bytes are arbitrary (the protocol only carries them). */
    private static SignedRelease signed(Manifest manifest, int count, boolean allowDowngrade) {
        ReleaseStatement statement = new ReleaseStatement(manifest.channel(), manifest.version(), manifest.releaseId(), 42,
                CREATED_AT + 90L * 24 * 3600 * 1000, allowDowngrade);
        List<SignedRelease.Signature> signatures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] signature = new byte[64];
            Arrays.fill(signature, (byte) (0x40 + i));
            signatures.add(new SignedRelease.Signature(Sha256.digest(("publisher key " + i).getBytes(StandardCharsets.UTF_8)), signature));
        }
        return new SignedRelease(statement, signatures);
    }

    /** What a sender writes in one push, by seed name: every sender-to-receiver frame type, chunks in each encoding. */
    private static Map<String, Frame> senderFrames(Manifest manifest, SignedRelease signed) {
        Sha256 base = Sha256.digest("base release".getBytes(StandardCharsets.UTF_8));
        byte[] canonical = manifest.canonicalBytes();
        // the frame decoder does not decompress: these payloads only need their shape (the engine's
        // ChunkDecompressorFuzzTest has real zstd chunks)
        ByteBuf referenced = Unpooled.buffer();
        new ChunkReference(3, 2).writeTo(referenced);
        referenced.writeBytes("zstd bytes".getBytes(StandardCharsets.UTF_8));
        Map<String, Frame> frames = new LinkedHashMap<>();
        frames.put("hello", new HelloFrame(FrameDescriptor.PROTOCOL_VERSION, "pipeline"));
        frames.put("relay", new RelayFrame(List.of(new RelayFrame.Target("eu2:7070", 0), new RelayFrame.Target("[::1]:7071", 50_000_000))));
        frames.put("signed", new SignedFrame(signed));
        frames.put("rotation", new RotationFrame(new SignedKeyRotation(new KeyRotation("*", 1, 1, List.of(new byte[44])), List.of())));
        frames.put("offer", new OfferFrame(manifest.releaseId(), canonical.length, manifest.channel(), manifest.version()));
        frames.put("base", new BaseFrame(base, BaseFrame.ManifestEncoding.PLAIN, canonical.length));
        frames.put("manifest-part", new ManifestPartFrame(canonical));
        frames.put("chunk-raw", new ChunkFrame(0, ChunkEncoding.RAW, 11, Unpooled.wrappedBuffer("ICD10 codes".getBytes(StandardCharsets.UTF_8))));
        frames.put("chunk-zstd", new ChunkFrame(1, ChunkEncoding.ZSTD, 700, Unpooled.wrappedBuffer("zstd bytes".getBytes(StandardCharsets.UTF_8))));
        frames.put("chunk-zstd-reference", new ChunkFrame(2, ChunkEncoding.ZSTD_REF, 512, referenced));
        frames.put("join", new JoinFrame(manifest.channel(), manifest.releaseId()));
        frames.put("follow", new FollowFrame("icd10cm"));
        frames.put("follow-wait", new FollowWaitFrame("icd10cm", base, 30));
        frames.put("commit", new CommitFrame(manifest.releaseId()));
        return frames;
    }

    /** What a receiver answers in one push, by seed name. */
    private static Map<String, Frame> receiverFrames(Manifest manifest) {
        int chunks = manifest.chunks().count();
        BitSet some = new BitSet();
        some.set(0);
        some.set(2, chunks);
        BitSet twoRuns = new BitSet();
        twoRuns.set(10, 20);
        twoRuns.set(900, 1000);
        Map<String, Frame> frames = new LinkedHashMap<>();
        frames.put("offer-reply", new OfferReplyFrame(OfferReplyFrame.Decision.SEND_MANIFEST,
                List.of(Sha256.digest(new byte[]{1}), Sha256.digest(new byte[]{2}))));
        frames.put("want-bitmap", new WantFrame(chunks, some));
        frames.put("want-runs", new WantFrame(100_000, twoRuns));
        frames.put("refetch", new RefetchFrame(new int[]{2, 5}));
        frames.put("relay-status-sending", new RelayStatusFrame(1, RelayStatusFrame.State.SENDING, 1_000_000, 4_000_000, 9_000_000, 12, 3, 1,
                977, 1500, 1, Sha256.digest(new byte[]{1}), new long[]{4, 6, 2}, new long[]{262_144, 9_000, 700}, null, ""));
        frames.put("relay-status-failed", new RelayStatusFrame(0, RelayStatusFrame.State.FAILED, 0, 0, 0, 0, 0, 0, 0, 20, 3, null,
                new long[3], new long[3], ErrorCode.CONNECT_FAILED, "cannot connect to eu2:7070: connection refused"));
        frames.put("relay-status-activated-with-head", new RelayStatusFrame(2, RelayStatusFrame.State.ACTIVATED, 900, 4_000, 4_000, 3, 0, 0,
                700, 12, 1, null, new long[]{3, 0, 0}, new long[]{4_000, 0, 0}, null, "",
                new AuditHeadFrame(Sha256.digest(new byte[]{5}), 7, Sha256.digest(new byte[]{6}))));
        frames.put("audit-head", new AuditHeadFrame(Sha256.digest(new byte[]{3}), 42, Sha256.digest(new byte[]{4})));
        frames.put("activated", new ActivatedFrame(manifest.releaseId(), chunks, 0));
        frames.put("error", new ErrorFrame(ErrorCode.CHUNK_HASH_MISMATCH, "chunk 7 of tabular/2027/codes.tsv: expected 3f2a\u2026, got 9b01\u2026"));
        return frames;
    }

    /** The frame's bytes on the wire; a CHUNK frame's header and payload together. */
    private static byte[] wire(Frame frame) {
        if (frame instanceof ChunkFrame chunk) {
            ByteBuf header = FrameEncoder.chunkHeader(ALLOC, chunk);
            try {
                return concat(ByteBufUtil.getBytes(header), ByteBufUtil.getBytes(chunk.payload()));
            } finally {
                header.release();
            }
        }
        ByteBuf buf = FrameEncoder.encode(ALLOC, frame);
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    private static byte[] rawRun(int firstOrdinal, byte[][] chunks) {
        int[] lengths = Arrays.stream(chunks).mapToInt(c -> c.length).toArray();
        ByteBuf header = FrameEncoder.rawRunHeader(ALLOC, firstOrdinal, lengths, lengths.length);
        try {
            byte[][] parts = new byte[chunks.length + 1][];
            parts[0] = ByteBufUtil.getBytes(header);
            System.arraycopy(chunks, 0, parts, 1, chunks.length);
            return concat(parts);
        } finally {
            header.release();
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** One fuzz test's generated seed directory, emptied. */
    private static Path seedDir(Path resources, String methodInputs) throws IOException {
        Path dir = resources.resolve(methodInputs).resolve("seeds");
        if (Files.isDirectory(dir)) {
            try (Stream<Path> old = Files.list(dir)) {
                for (Path file : old.toList()) {
                    Files.delete(file);
                }
            }
        }
        return Files.createDirectories(dir);
    }

    private static void write(Path dir, String name, byte[] bytes) throws IOException {
        Files.write(dir.resolve(name), bytes);
    }
}
