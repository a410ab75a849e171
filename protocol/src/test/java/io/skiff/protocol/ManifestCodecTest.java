package io.skiff.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class ManifestCodecTest {
    private static final long CREATED_AT_MILLIS = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    /** Small chunks keep hand-made manifests short: min 64, avg 128, max 256 bytes. */
    private static final ChunkingParams SMALL_CHUNKS = new ChunkingParams(64, 128, 256);

    // ---- round trip and release id ----------------------------------------------------------------

    @Test
    void shouldDecodeEqualManifestWhenEncodingFilesDirectoriesEmptyFileAndNonAsciiPaths() {
        Manifest original = sample(false).build();

        byte[] canonical = original.canonicalBytes();
        Manifest decoded = ManifestCodec.decode(canonical);

        assertSameManifest(original, decoded);
        assertArrayEquals(canonical, decoded.canonicalBytes());
        assertEquals(original.releaseId(), decoded.releaseId());
        assertEquals(Sha256.digest(canonical), decoded.releaseId());
        assertEquals(canonical.length, decoded.canonicalLength());
    }

    @Test
    void shouldKeepEntryFieldsWhenDecodingSample() {
        Manifest decoded = ManifestCodec.decode(sample(false).build().canonicalBytes());

        ManifestEntry run = entry(decoded, "bin/run.sh");
        assertTrue(run.isFile());
        assertTrue(run.executable());
        assertEquals(0755, run.mode());
        assertEquals(10, run.size());
        assertEquals(ChunkListDigest.of(sha("run-0").toBytes(), new int[]{10}), run.sha256());

        ManifestEntry codes = entry(decoded, "data/codes.tsv");
        assertFalse(codes.executable());
        assertEquals(0644, codes.mode());
        assertEquals(3, codes.chunkCount());
        ChunkTable chunks = decoded.chunks();
        assertEquals(List.of(100, 150, 50), List.of(chunks.length(codes.firstChunk()),
                chunks.length(codes.firstChunk() + 1), chunks.length(codes.firstChunk() + 2)));
        assertEquals(List.of(0L, 100L, 250L), List.of(chunks.offset(codes.firstChunk()),
                chunks.offset(codes.firstChunk() + 1), chunks.offset(codes.firstChunk() + 2)));
        assertEquals(sha("codes-1"), chunks.hash(codes.firstChunk() + 1));
        assertTrue(chunks.hashMatches(codes.firstChunk() + 2, sha("codes-2").toBytes()));
        assertEquals(decoded.entries().indexOf(codes), chunks.entryIndex(codes.firstChunk()));

        ManifestEntry empty = entry(decoded, "empty.txt");
        assertTrue(empty.isFile());
        assertEquals(0, empty.size());
        assertEquals(0, empty.chunkCount());

        ManifestEntry dir = entry(decoded, "donn\u00e9es");
        assertEquals(EntryKind.DIRECTORY, dir.kind());
        assertEquals(0, dir.size());
        assertEquals(0, dir.chunkCount());
        assertEquals(null, dir.sha256());

        entry(decoded, "\u65e5\u672c/\uD83D\uDE00.txt");
        assertEquals(5, decoded.fileCount());
        assertEquals(10 + 300 + 0 + 256 + 64, decoded.totalBytes());
    }

    @Test
    void shouldProduceSameReleaseIdWhenEntriesAreAddedInAnotherOrder() {
        Manifest forward = sample(false).build();
        Manifest reversed = sample(true).build();

        assertEquals(forward.releaseId(), reversed.releaseId());
        assertArrayEquals(forward.canonicalBytes(), reversed.canonicalBytes());
        assertEquals(List.of("bin/run.sh", "data", "data/codes.tsv", "donn\u00e9es", "donn\u00e9es/\u00e9t\u00e9.txt",
                "empty.txt", "\u65e5\u672c/\uD83D\uDE00.txt"), paths(forward));
    }

    @Test
    void shouldOrderEntriesByUtf8BytesWhenPathsContainSupplementaryCharacters() {
        // UTF-16 puts U+1F600 (surrogates D83D..) before U+FF21; UTF-8 (F0.. vs EF..) puts it after.
        Manifest m = Manifest.builder("ch", "1", SMALL_CHUNKS).createdAtMillis(CREATED_AT_MILLIS)
                .addDirectory("\uD83D\uDE00")
                .addDirectory("\uFF21")
                .addDirectory("z")
                .build();

        assertEquals(List.of("z", "\uFF21", "\uD83D\uDE00"), paths(m));
        assertEquals(paths(m), paths(ManifestCodec.decode(m.canonicalBytes())));
    }

    @Test
    void shouldChangeReleaseIdWhenOneChunkHashChanges() {
        Manifest base = variant("1", false, "x", CREATED_AT_MILLIS);
        Manifest changed = variant("1", false, "y", CREATED_AT_MILLIS);

        assertNotEquals(base.releaseId(), changed.releaseId());
    }

    @Test
    void shouldChangeReleaseIdWhenVersionChanges() {
        assertNotEquals(variant("1", false, "x", CREATED_AT_MILLIS).releaseId(),
                variant("2", false, "x", CREATED_AT_MILLIS).releaseId());
    }

    @Test
    void shouldChangeReleaseIdWhenExecutableBitChanges() {
        assertNotEquals(variant("1", false, "x", CREATED_AT_MILLIS).releaseId(),
                variant("1", true, "x", CREATED_AT_MILLIS).releaseId());
    }

    @Test
    void shouldChangeReleaseIdWhenCreationTimeChanges() {
        assertNotEquals(variant("1", false, "x", CREATED_AT_MILLIS).releaseId(),
                variant("1", false, "x", CREATED_AT_MILLIS + 1).releaseId());
    }

    @Test
    void shouldKeepReleaseIdWhenBuiltTwiceFromSameInput() {
        assertEquals(variant("1", true, "x", CREATED_AT_MILLIS).releaseId(),
                variant("1", true, "x", CREATED_AT_MILLIS).releaseId());
    }

    @Test
    void shouldMatchDocumentedLayoutWhenEncodedByHand() {
        Manifest built = Manifest.builder("icd10cm", "2026", SMALL_CHUNKS).createdAtMillis(CREATED_AT_MILLIS)
                .addFile("a.tsv", true, 300, repeat(sha("c"), 2), new int[]{200, 100})
                .addDirectory("d")
                .build();

        byte[] byHand = ManifestBytes.header("icd10cm", "2026", CREATED_AT_MILLIS, SMALL_CHUNKS, 2)
                .file("a.tsv", true, 300, null, sha("c").toBytes(), 200, 100)
                .directory("d")
                .toByteArray();

        assertArrayEquals(byHand, built.canonicalBytes());
        assertEquals(built.releaseId(), ManifestCodec.decode(byHand).releaseId());
    }

    @Test
    void shouldDecodeWhenManifestHasNoEntries() {
        Manifest empty = Manifest.builder("ch", "1", ChunkingParams.DEFAULT).createdAtMillis(0).build();

        Manifest decoded = ManifestCodec.decode(empty.canonicalBytes());

        assertTrue(decoded.entries().isEmpty());
        assertEquals(0, decoded.chunks().count());
        assertEquals(ChunkingParams.DEFAULT, decoded.chunking());
    }

    @Test
    void shouldReturnCopyWhenCanonicalBytesAreModifiedByCaller() {
        Manifest m = sample(false).build();
        byte[] bytes = m.canonicalBytes();
        bytes[0] ^= (byte) 0xff;

        assertEquals(Sha256.digest(m.canonicalBytes()), m.releaseId());
    }

    // ---- rejections by the builder -----------------------------------------------------------------

    static Stream<String> unsafePaths() {
        return Stream.of("../x", "a/../x", "/etc/x", "a//b", "./a", "a\\b", "", "..", ".", "a/", "a/.", "a/..",
                "a\u0000b", "a/b\\..\\..\\c");
    }

    @ParameterizedTest
    @MethodSource("unsafePaths")
    void shouldRejectPathWhenFileIsBuiltWithUnsafePath(String path) {
        Manifest.Builder builder = Manifest.builder("ch", "1", SMALL_CHUNKS)
                .addFile(path, false, 64, sha("c").toBytes(), new int[]{64});

        assertCode(ErrorCode.PATH_INVALID, assertThrows(ProtocolException.class, builder::build));
    }

    @ParameterizedTest
    @MethodSource("unsafePaths")
    void shouldRejectPathWhenDirectoryIsBuiltWithUnsafePath(String path) {
        Manifest.Builder builder = Manifest.builder("ch", "1", SMALL_CHUNKS).addDirectory(path);

        assertCode(ErrorCode.PATH_INVALID, assertThrows(ProtocolException.class, builder::build));
    }

    @ParameterizedTest
    @MethodSource("unsafePaths")
    void shouldRejectPathWhenDecodingUnsafePath(String path) {
        byte[] bytes = ManifestBytes.header("ch", "1", CREATED_AT_MILLIS, SMALL_CHUNKS, 1)
                .file(path, false, 64, null, sha("c").toBytes(), 64)
                .toByteArray();

        assertDecodeFails(ErrorCode.PATH_INVALID, bytes);
    }

    @Test
    void shouldRejectPathWhenPathExceedsLimit() {
        String tooLong = "a".repeat(ProtocolLimits.MAX_PATH_BYTES + 1);

        assertCode(ErrorCode.PATH_INVALID, assertThrows(ProtocolException.class,
                () -> ManifestValidator.checkPath(tooLong)));
        assertDoesNotThrow(() -> ManifestValidator.checkPath("a".repeat(ProtocolLimits.MAX_PATH_BYTES)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "..a", "a..", "a..b", ".hidden", "a/.b/c", "a b/c", "donn\u00e9es/\u00e9t\u00e9.txt", "\uD83D\uDE00"})
    void shouldAcceptPathWhenSegmentsOnlyLookLikeDots(String path) {
        assertDoesNotThrow(() -> ManifestValidator.checkPath(path));
        assertDoesNotThrow(() -> Manifest.builder("ch", "1", SMALL_CHUNKS).addDirectory(path).build());
    }

    @Test
    void shouldRejectPathWhenTwoFilesHaveSamePath() {
        Manifest.Builder builder = Manifest.builder("ch", "1", SMALL_CHUNKS)
                .addFile("a", false, 64, sha("c").toBytes(), new int[]{64})
                .addFile("a", false, 64, sha("c").toBytes(), new int[]{64});

        assertCode(ErrorCode.PATH_INVALID, assertThrows(ProtocolException.class, builder::build));
    }

    @Test
    void shouldRejectPathWhenFileAndDirectoryHaveSamePath() {
        Manifest.Builder builder = Manifest.builder("ch", "1", SMALL_CHUNKS)
                .addDirectory("a")
                .addFile("a", false, 0, new byte[0], new int[0]);

        assertCode(ErrorCode.PATH_INVALID, assertThrows(ProtocolException.class, builder::build));
    }

    @Test
    void shouldRejectPathWhenEntryIsBelowAFile() {
        Manifest.Builder file = Manifest.builder("ch", "1", SMALL_CHUNKS)
                .addFile("a", false, 0, new byte[0], new int[0])
                .addFile("a-b", false, 0, new byte[0], new int[0]) // sorts between "a" and "a/b"
                .addFile("a/b", false, 0, new byte[0], new int[0]);
        Manifest.Builder dir = Manifest.builder("ch", "1", SMALL_CHUNKS)
                .addFile("a", false, 0, new byte[0], new int[0])
                .addDirectory("a/b/c");

        assertCode(ErrorCode.PATH_INVALID, assertThrows(ProtocolException.class, file::build));
        assertCode(ErrorCode.PATH_INVALID, assertThrows(ProtocolException.class, dir::build));
    }

    @Test
    void shouldAcceptEntryWhenBelowADirectory() {
        Manifest m = Manifest.builder("ch", "1", SMALL_CHUNKS)
                .addDirectory("a")
                .addFile("a/b", false, 0, new byte[0], new int[0])
                .build();

        assertEquals(List.of("a", "a/b"), paths(m));
    }

    @Test
    void shouldRejectManifestWhenChunkLengthsDoNotSumToSize() {
        Manifest.Builder tooShort = Manifest.builder("ch", "1", SMALL_CHUNKS)
                .addFile("a", false, 200, repeat(sha("c"), 2), new int[]{100, 99});
        Manifest.Builder noChunks = Manifest.builder("ch", "1", SMALL_CHUNKS)
                .addFile("a", false, 1, new byte[0], new int[0]);

        assertCode(ErrorCode.MANIFEST_INVALID, assertThrows(ProtocolException.class, tooShort::build));
        assertCode(ErrorCode.MANIFEST_INVALID, assertThrows(ProtocolException.class, noChunks::build));
    }

    @Test
    void shouldRejectManifestWhenChunkIsLongerThanChunkingMax() {
        Manifest.Builder builder = Manifest.builder("ch", "1", SMALL_CHUNKS)
                .addFile("a", false, 257, sha("c").toBytes(), new int[]{SMALL_CHUNKS.maxBytes() + 1});

        assertCode(ErrorCode.MANIFEST_INVALID, assertThrows(ProtocolException.class, builder::build));
    }

    @Test
    void shouldRejectManifestWhenChunkIsEmpty() {
        Manifest.Builder builder = Manifest.builder("ch", "1", SMALL_CHUNKS)
                .addFile("a", false, 64, repeat(sha("c"), 2), new int[]{64, 0});

        assertCode(ErrorCode.MANIFEST_INVALID, assertThrows(ProtocolException.class, builder::build));
    }

    @Test
    void shouldRejectManifestWhenChannelOrVersionIsInvalid() {
        for (String channel : new String[]{"", "-icd", "icd 10", "icd/10", "a".repeat(ProtocolLimits.MAX_LABEL_BYTES + 1)}) {
            Manifest.Builder builder = Manifest.builder(channel, "1", SMALL_CHUNKS);
            assertCode(ErrorCode.MANIFEST_INVALID, assertThrows(ProtocolException.class, builder::build), channel);
        }
        for (String version : new String[]{"", "1\n2", "v\u0000"}) {
            Manifest.Builder builder = Manifest.builder("ch", version, SMALL_CHUNKS);
            assertCode(ErrorCode.MANIFEST_INVALID, assertThrows(ProtocolException.class, builder::build), version);
        }
    }

    // ---- rejections by the decoder -----------------------------------------------------------------

    @Test
    void shouldRejectManifestWhenTruncatedAtAnyLength() {
        byte[] valid = smallManifest().canonicalBytes();

        for (int length = 0; length < valid.length; length++) {
            byte[] prefix = Arrays.copyOf(valid, length);
            ProtocolException e = assertThrows(ProtocolException.class, () -> ManifestCodec.decode(prefix),
                    "prefix of " + length + " bytes");
            assertCode(ErrorCode.MANIFEST_INVALID, e, "prefix of " + length + " bytes");
        }
    }

    @Test
    void shouldRejectManifestWhenTrailingByteFollows() {
        byte[] valid = smallManifest().canonicalBytes();

        assertDecodeFails(ErrorCode.MANIFEST_INVALID, Arrays.copyOf(valid, valid.length + 1));
    }

    @Test
    void shouldRejectManifestWhenMagicIsWrong() {
        byte[] bytes = smallManifest().canonicalBytes();
        bytes[0] = 'X';

        assertDecodeFails(ErrorCode.MANIFEST_INVALID, bytes);
    }

    @Test
    void shouldRejectManifestWhenFormatVersionIsUnknown() {
        byte[] bytes = smallManifest().canonicalBytes();
        bytes[5] = 2; // format u16 at offset 4

        assertDecodeFails(ErrorCode.UNSUPPORTED_VERSION, bytes);
    }

    @ParameterizedTest
    @ValueSource(ints = {Integer.MAX_VALUE, -1, Integer.MIN_VALUE, ProtocolLimits.MAX_ENTRIES + 1, ProtocolLimits.MAX_ENTRIES, 1000})
    void shouldRejectManifestWithoutAllocatingWhenEntryCountExceedsInput(int entryCount) {
        byte[] bytes = ManifestBytes.header("ch", "1", CREATED_AT_MILLIS, SMALL_CHUNKS, entryCount)
                .directory("a")
                .toByteArray();

        assertDecodeFails(ErrorCode.MANIFEST_INVALID, bytes);
    }

    @ParameterizedTest
    @ValueSource(ints = {Integer.MAX_VALUE, -1, Integer.MIN_VALUE, ProtocolLimits.MAX_CHUNKS + 1, ProtocolLimits.MAX_CHUNKS, 2})
    void shouldRejectManifestWithoutAllocatingWhenChunkCountExceedsInput(int chunkCount) {
        byte[] bytes = ManifestBytes.header("ch", "1", CREATED_AT_MILLIS, SMALL_CHUNKS, 1)
                .u8(ManifestBytes.KIND_FILE).u8(0).str16("a").u64(64).bytes(sha("a").toBytes())
                .u32(chunkCount)
                .bytes(sha("c").toBytes()).u32(64)
                .toByteArray();

        assertDecodeFails(ErrorCode.MANIFEST_INVALID, bytes);
    }

    @Test
    void shouldRejectManifestWhenStringLengthExceedsInput() {
        byte[] bytes = ManifestBytes.header("ch", "1", CREATED_AT_MILLIS, SMALL_CHUNKS, 1)
                .u8(ManifestBytes.KIND_DIRECTORY).u8(0).u16(4000).bytes("abc".getBytes(StandardCharsets.US_ASCII))
                .toByteArray();

        assertDecodeFails(ErrorCode.MANIFEST_INVALID, bytes);
    }

    @Test
    void shouldRejectManifestWhenPathIsLongerThanLimit() {
        byte[] bytes = ManifestBytes.header("ch", "1", CREATED_AT_MILLIS, SMALL_CHUNKS, 1)
                .directory("a".repeat(ProtocolLimits.MAX_PATH_BYTES + 1))
                .toByteArray();

        ProtocolException e = assertThrows(ProtocolException.class, () -> ManifestCodec.decode(bytes));
        assertTrue(e.code() == ErrorCode.MANIFEST_INVALID || e.code() == ErrorCode.PATH_INVALID, e.code().label());
    }

    @ParameterizedTest
    @ValueSource(strings = {"c328", "c0af", "e080ae", "eda080", "ff", "80", "f4908080", "612e2ec0af"})
    void shouldRejectManifestWhenPathIsNotValidUtf8(String hex) {
        // c0af and e080ae are overlong encodings of '/' and '.': accepting them could smuggle "..".
        byte[] bytes = ManifestBytes.header("ch", "1", CREATED_AT_MILLIS, SMALL_CHUNKS, 1)
                .u8(ManifestBytes.KIND_DIRECTORY).u8(0).str16(HexFormat.of().parseHex(hex))
                .toByteArray();

        assertDecodeFails(ErrorCode.MANIFEST_INVALID, bytes);
    }

    @Test
    void shouldRejectManifestWhenChannelIsNotValidUtf8() {
        byte[] bytes = new ManifestBytes()
                .u32(ManifestCodec.MAGIC).u16(ManifestCodec.FORMAT_VERSION)
                .str16(new byte[]{'c', (byte) 0xc3, 0x28}).str16("1").u64(CREATED_AT_MILLIS)
                .u32(64).u32(128).u32(256).u32(0)
                .toByteArray();

        assertDecodeFails(ErrorCode.MANIFEST_INVALID, bytes);
    }

    @Test
    void shouldRejectManifestWhenPathsAreDuplicatedOrOutOfOrder() {
        byte[] duplicate = ManifestBytes.header("ch", "1", CREATED_AT_MILLIS, SMALL_CHUNKS, 2)
                .directory("a").directory("a").toByteArray();
        byte[] unordered = ManifestBytes.header("ch", "1", CREATED_AT_MILLIS, SMALL_CHUNKS, 2)
                .directory("b").directory("a").toByteArray();
        byte[] fileThenDir = ManifestBytes.header("ch", "1", CREATED_AT_MILLIS, SMALL_CHUNKS, 2)
                .file("a", false, 0, null, sha("c").toBytes())
                .directory("a").toByteArray();

        assertDecodeFails(ErrorCode.PATH_INVALID, duplicate);
        assertDecodeFails(ErrorCode.PATH_INVALID, unordered);
        assertDecodeFails(ErrorCode.PATH_INVALID, fileThenDir);
    }

    @Test
    void shouldRejectManifestWhenDecodedEntryIsBelowAFile() {
        byte[] bytes = ManifestBytes.header("ch", "1", CREATED_AT_MILLIS, SMALL_CHUNKS, 2)
                .file("a", false, 0, null, sha("c").toBytes())
                .directory("a/b")
                .toByteArray();

        assertDecodeFails(ErrorCode.PATH_INVALID, bytes);
    }

    @Test
    void shouldRejectManifestWhenDecodedChunkLengthsAreInvalid() {
        byte[] wrongSum = ManifestBytes.header("ch", "1", CREATED_AT_MILLIS, SMALL_CHUNKS, 1)
                .file("a", false, 200, null, sha("c").toBytes(), 100, 101).toByteArray();
        byte[] tooLong = ManifestBytes.header("ch", "1", CREATED_AT_MILLIS, SMALL_CHUNKS, 1)
                .file("a", false, 257, null, sha("c").toBytes(), 257).toByteArray();
        byte[] zero = ManifestBytes.header("ch", "1", CREATED_AT_MILLIS, SMALL_CHUNKS, 1)
                .file("a", false, 64, null, sha("c").toBytes(), 64, 0).toByteArray();
        byte[] negative = ManifestBytes.header("ch", "1", CREATED_AT_MILLIS, SMALL_CHUNKS, 1)
                .file("a", false, 63, null, sha("c").toBytes(), 64, -1).toByteArray();

        assertDecodeFails(ErrorCode.MANIFEST_INVALID, wrongSum);
        assertDecodeFails(ErrorCode.MANIFEST_INVALID, tooLong);
        assertDecodeFails(ErrorCode.MANIFEST_INVALID, zero);
        assertDecodeFails(ErrorCode.MANIFEST_INVALID, negative);
    }

    @Test
    void shouldRejectManifestWhenFileSizeIsNegativeOrAboveLimit() {
        byte[] negative = ManifestBytes.header("ch", "1", CREATED_AT_MILLIS, SMALL_CHUNKS, 1)
                .file("a", false, Long.MIN_VALUE, null, sha("c").toBytes()).toByteArray();
        byte[] huge = ManifestBytes.header("ch", "1", CREATED_AT_MILLIS, SMALL_CHUNKS, 1)
                .file("a", false, ProtocolLimits.MAX_FILE_BYTES + 1, null, sha("c").toBytes()).toByteArray();

        assertDecodeFails(ErrorCode.MANIFEST_INVALID, negative);
        assertDecodeFails(ErrorCode.MANIFEST_INVALID, huge);
    }

    @Test
    void shouldRejectManifestWhenEntryKindOrFlagsAreUnknown() {
        byte[] kind = ManifestBytes.header("ch", "1", CREATED_AT_MILLIS, SMALL_CHUNKS, 1)
                .u8(3).u8(0).str16("a").toByteArray();
        byte[] fileFlags = ManifestBytes.header("ch", "1", CREATED_AT_MILLIS, SMALL_CHUNKS, 1)
                .u8(ManifestBytes.KIND_FILE).u8(2).str16("a").u64(0).bytes(sha("").toBytes()).u32(0).toByteArray();
        byte[] executableDirectory = ManifestBytes.header("ch", "1", CREATED_AT_MILLIS, SMALL_CHUNKS, 1)
                .u8(ManifestBytes.KIND_DIRECTORY).u8(1).str16("a").toByteArray();

        assertDecodeFails(ErrorCode.MANIFEST_INVALID, kind);
        assertDecodeFails(ErrorCode.MANIFEST_INVALID, fileFlags);
        assertDecodeFails(ErrorCode.MANIFEST_INVALID, executableDirectory);
    }

    @Test
    void shouldRejectManifestWhenChunkingParamsAreInvalid() {
        int[][] invalid = {{0, 128, 256}, {64, 100, 256}, {64, 128, 128}, {64, 128, ProtocolLimits.MAX_CHUNK_BYTES + 1}, {-1, -1, -1}};
        for (int[] p : invalid) {
            byte[] bytes = new ManifestBytes()
                    .u32(ManifestCodec.MAGIC).u16(ManifestCodec.FORMAT_VERSION).str16("ch").str16("1")
                    .u64(CREATED_AT_MILLIS).u32(p[0]).u32(p[1]).u32(p[2]).u32(0)
                    .toByteArray();
            assertDecodeFails(ErrorCode.MANIFEST_INVALID, bytes);
        }
    }

    @Test
    void shouldRejectManifestWhenDecodedChannelHasInvalidCharacters() {
        byte[] bytes = ManifestBytes.header("../etc", "1", CREATED_AT_MILLIS, SMALL_CHUNKS, 0).toByteArray();

        assertDecodeFails(ErrorCode.MANIFEST_INVALID, bytes);
    }

    // ---- fuzzing -----------------------------------------------------------------------------------

    @Test
    void shouldOnlyReturnManifestOrThrowProtocolExceptionWhenDecodingRandomBytes() {
        Random random = new Random(0x5EEDL);
        byte[] header = ManifestBytes.header("ch", "1", CREATED_AT_MILLIS, SMALL_CHUNKS, 0).toByteArray();
        for (int i = 0; i < 20_000; i++) {
            byte[] input = new byte[random.nextInt(300)];
            random.nextBytes(input);
            switch (i % 3) {
                case 1 -> // valid magic and format, then noise
                        System.arraycopy(header, 0, input, 0, Math.min(6, input.length));
                case 2 -> // a whole valid header, then noise for the entries
                        System.arraycopy(header, 0, input, 0, Math.min(header.length - 4, input.length));
                default -> {
                }
            }
            decodeTotally(input, "random input #" + i);
        }
    }

    @Test
    void shouldOnlyReturnManifestOrThrowProtocolExceptionWhenDecodingMutatedManifest() {
        Random random = new Random(0xF1A5L);
        byte[] valid = sample(false).build().canonicalBytes();
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] input = valid.clone();
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                input[random.nextInt(input.length)] ^= (byte) (1 + random.nextInt(255));
            }
            if (i % 10 == 0) {
                input = Arrays.copyOf(input, random.nextInt(input.length + 8));
            }
            if (decodeTotally(input, "mutation #" + i) != null) {
                accepted++;
            }
        }
        // Flips in hashes and timestamps leave a valid manifest: the fuzz must reach deep enough to see some.
        assertTrue(accepted > 0, "no mutated manifest decoded");
    }

    // ---- helpers -----------------------------------------------------------------------------------

    /** Decodes; a Manifest must re-encode to exactly the input (canonical), any failure must be a ProtocolException. */
    private static Manifest decodeTotally(byte[] input, String what) {
        Manifest m;
        try {
            m = ManifestCodec.decode(input);
        } catch (ProtocolException e) {
            if (e.code() == null || e.getMessage() == null) {
                fail(what + ": ProtocolException without code or message");
            }
            return null;
        } catch (RuntimeException | Error e) {
            return fail(what + " threw " + e + " for input " + HexFormat.of().formatHex(input), e);
        }
        assertArrayEquals(input, m.canonicalBytes(), what + ": decoded manifest is not canonical");
        return m;
    }

    /** Files with chunks, directories, an empty file, an executable file and non-ASCII paths. */
    private static Manifest.Builder sample(boolean reverse) {
        Manifest.Builder b = Manifest.builder("icd10cm", "2026.1", SMALL_CHUNKS).createdAtMillis(CREATED_AT_MILLIS);
        List<Runnable> adds = new ArrayList<>(List.of(
                () -> b.addDirectory("data"),
                () -> b.addFile("data/codes.tsv", false, 300, concat(sha("codes-0"), sha("codes-1"), sha("codes-2")), new int[]{100, 150, 50}),
                () -> b.addFile("bin/run.sh", true, 10, sha("run-0").toBytes(), new int[]{10}),
                () -> b.addFile("empty.txt", false, 0, new byte[0], new int[0]),
                () -> b.addDirectory("donn\u00e9es"),
                () -> b.addFile("donn\u00e9es/\u00e9t\u00e9.txt", false, 256, sha("ete-0").toBytes(), new int[]{256}),
                () -> b.addFile("\u65e5\u672c/\uD83D\uDE00.txt", false, 64, sha("smile-0").toBytes(), new int[]{64})));
        if (reverse) {
            java.util.Collections.reverse(adds);
        }
        adds.forEach(Runnable::run);
        return b;
    }

    private static Manifest variant(String version, boolean executable, String lastChunkTag, long createdAtMillis) {
        return Manifest.builder("icd10cm", version, SMALL_CHUNKS).createdAtMillis(createdAtMillis)
                .addFile("a/run", executable, 200, concat(sha("c0"), sha(lastChunkTag)), new int[]{100, 100})
                .addFile("b.tsv", false, 64, sha("b0").toBytes(), new int[]{64})
                .build();
    }

    private static Manifest smallManifest() {
        return Manifest.builder("ch", "1", SMALL_CHUNKS).createdAtMillis(CREATED_AT_MILLIS)
                .addDirectory("d")
                .addFile("d/f", true, 100, concat(sha("f0"), sha("f1")), new int[]{64, 36})
                .build();
    }

    private static void assertSameManifest(Manifest expected, Manifest actual) {
        assertEquals(expected.channel(), actual.channel());
        assertEquals(expected.version(), actual.version());
        assertEquals(expected.createdAtMillis(), actual.createdAtMillis());
        assertEquals(expected.chunking(), actual.chunking());
        assertEquals(expected.entries(), actual.entries());
        ChunkTable e = expected.chunks();
        ChunkTable a = actual.chunks();
        assertEquals(e.count(), a.count());
        for (int i = 0; i < e.count(); i++) {
            assertEquals(e.hash(i), a.hash(i), "hash of chunk " + i);
            assertEquals(e.length(i), a.length(i), "length of chunk " + i);
            assertEquals(e.offset(i), a.offset(i), "offset of chunk " + i);
            assertEquals(e.entryIndex(i), a.entryIndex(i), "entry of chunk " + i);
        }
    }

    private static void assertDecodeFails(ErrorCode expected, byte[] bytes) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> ManifestCodec.decode(bytes));
        assertCode(expected, e);
    }

    private static void assertCode(ErrorCode expected, ProtocolException e) {
        assertCode(expected, e, "");
    }

    private static void assertCode(ErrorCode expected, ProtocolException e, String context) {
        assertEquals(expected, e.code(), () -> context + " message=" + e.getMessage());
    }

    private static ManifestEntry entry(Manifest m, String path) {
        return m.entries().stream().filter(e -> e.path().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("no entry " + path + " in " + paths(m)));
    }

    private static List<String> paths(Manifest m) {
        return m.entries().stream().map(ManifestEntry::path).toList();
    }

    @Test
    void shouldRejectManifestWhenAFileDigestDoesNotMatchItsChunkList() {
        byte[] bytes = ManifestBytes.header("ch", "1", CREATED_AT_MILLIS, SMALL_CHUNKS, 1)
                .file("a", false, 64, sha("not the chunk list").toBytes(), sha("c").toBytes(), 64)
                .toByteArray();
        assertDecodeFails(ErrorCode.MANIFEST_INVALID, bytes);
        byte[] good = ManifestBytes.header("ch", "1", CREATED_AT_MILLIS, SMALL_CHUNKS, 1)
                .file("a", false, 64, null, sha("c").toBytes(), 64)
                .toByteArray();
        assertEquals(64, ManifestCodec.decode(good).totalBytes());
    }

    @Test
    void shouldDigestAnEmptyChunkListLikeAnEmptyFile() {
        assertEquals(Sha256.digest(new byte[0]), ChunkListDigest.of(new byte[0], new int[0]));
    }

    private static Sha256 sha(String content) {
        return Sha256.digest(content.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] concat(Sha256... hashes) {
        byte[] out = new byte[hashes.length * Sha256.BYTES];
        for (int i = 0; i < hashes.length; i++) {
            hashes[i].copyTo(out, i * Sha256.BYTES);
        }
        return out;
    }

    private static byte[] repeat(Sha256 hash, int times) {
        Sha256[] hashes = new Sha256[times];
        Arrays.fill(hashes, hash);
        return concat(hashes);
    }
}
