package io.skiff.cli;

import io.skiff.protocol.ChunkTable;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ManifestEntry;
import io.skiff.protocol.ReleaseStatement;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SignedRelease;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The JSON rendering of a manifest ({@code skiff manifest --json}): a summary, its signature (null when
 * unsigned), and optionally every entry with its chunks.
 */
final class ManifestJson {
    private ManifestJson() {
    }

    /** {@code m}, with {@code signed} (null: unsigned) saved as {@code signatureFile}: who signed and until when. */
    static String render(Manifest m, SignedRelease signed, Path signatureFile, boolean entries) {
        JsonOut j = new JsonOut().beginObject();
        int directories = m.entries().size() - m.fileCount();
        j.field("release_id", m.releaseId().hex())
                .field("channel", m.channel())
                .field("version", m.version())
                .field("created_at", Instant.ofEpochMilli(m.createdAtMillis()).toString())
                .field("files", m.fileCount())
                .field("directories", directories)
                .field("bytes", m.totalBytes())
                .field("chunks", m.chunks().count())
                .field("unique_chunks", uniqueChunks(m))
                .field("manifest_bytes", m.canonicalLength())
                .name("chunking").beginObject()
                .field("min", m.chunking().minBytes())
                .field("avg", m.chunking().avgBytes())
                .field("max", m.chunking().maxBytes())
                .endObject();
        j.name("signature");
        if (signed == null) {
            j.nullValue();
        } else {
            j.beginObject().field("file", signatureFile == null ? null : signatureFile.toString());
            j.name("key_ids").beginArray();
            for (String id : keyIds(signed)) {
                j.value(id);
            }
            ReleaseStatement s = signed.statement();
            j.endArray()
                    .field("sequence", s.sequence())
                    .field("expires_at", Instant.ofEpochMilli(s.expiresAtMillis()).toString())
                    .field("allow_downgrade", s.allowDowngrade())
                    .endObject();
        }
        if (entries) {
            ChunkTable chunks = m.chunks();
            j.name("entries").beginArray();
            for (ManifestEntry e : m.entries()) {
                j.beginObject()
                        .field("path", e.path())
                        .field("kind", e.kind().name().toLowerCase(Locale.ROOT))
                        .field("mode", Integer.toOctalString(e.mode()));
                if (e.isFile()) {
                    j.field("size", e.size()).field("sha256", e.sha256().hex());
                    j.name("chunks").beginArray();
                    for (int c = e.firstChunk(); c < e.firstChunk() + e.chunkCount(); c++) {
                        j.beginObject().field("sha256", chunks.hash(c).hex()).field("length", chunks.length(c)).endObject();
                    }
                    j.endArray();
                }
                j.endObject();
            }
            j.endArray();
        }
        return j.endObject().toString();
    }

    /** The signers' key ids, full hex (what {@code skiff keys gen-signing} prints), in signature order. */
    static List<String> keyIds(SignedRelease signed) {
        return signed.signatures().stream().map(sig -> sig.keyId().hex()).toList();
    }

    /** Distinct chunk hashes: a chunk repeated within the release is stored and sent once. */
    static int uniqueChunks(Manifest m) {
        Set<Sha256> unique = new HashSet<>();
        for (int i = 0; i < m.chunks().count(); i++) {
            unique.add(m.chunks().hash(i));
        }
        return unique.size();
    }
}
