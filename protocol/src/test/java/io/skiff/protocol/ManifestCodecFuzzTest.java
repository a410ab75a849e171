package io.skiff.protocol;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ManifestCodec#decode} (and so {@link ManifestValidator}) over any bytes, as a receiver reads a
 * manifest from a sender or from its own disk: a {@link Manifest} or a {@link ProtocolException}, nothing
 * else. A manifest it accepts has exactly these bytes as its canonical encoding (so its release id is
 * their hash), no path that leaves the release directory, and a chunk table that agrees with its files.
 * Seeds: {@code ManifestCodecFuzzTestInputs/}, written by {@link ProtocolFuzzSeeds}.
 */
class ManifestCodecFuzzTest {
    private static final Path RELEASE_DIR = Path.of("/srv/skiff/ch/releases/id");

    @FuzzTest(maxDuration = "30s")
    void shouldYieldACanonicalManifestOrProtocolException(byte[] bytes) {
        Manifest manifest;
        try {
            manifest = ManifestCodec.decode(bytes);
        } catch (ProtocolException refused) {
            return;
        }
        assertArrayEquals(bytes, manifest.canonicalBytes(), "one manifest, one encoding");
        assertEquals(Sha256.digest(bytes), manifest.releaseId());
        ChunkTable chunks = manifest.chunks();
        for (int i = 0; i < manifest.entries().size(); i++) {
            ManifestEntry entry = manifest.entries().get(i);
            Path target = RELEASE_DIR.resolve(entry.path()).normalize();
            assertTrue(target.startsWith(RELEASE_DIR) && !target.equals(RELEASE_DIR), () -> "escapes the release: " + entry.path());
            long offset = 0;
            for (int c = entry.firstChunk(); c < entry.firstChunk() + entry.chunkCount(); c++) {
                assertEquals(i, chunks.entryIndex(c), "chunk " + c + " belongs to " + entry.path());
                assertEquals(offset, chunks.offset(c), "chunk " + c + " offset in " + entry.path());
                offset += chunks.length(c);
            }
            assertEquals(entry.size(), offset, entry.path());
        }
    }
}
