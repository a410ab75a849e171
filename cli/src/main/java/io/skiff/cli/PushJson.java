package io.skiff.cli;

import io.skiff.engine.api.PushResult;
import io.skiff.engine.api.TargetResult;

import java.util.Locale;
import java.util.Map;

/** {@code push --json}: the result of a push, one JSON document (what {@code --notify-cmd} gets on stdin too). */
final class PushJson {
    private PushJson() {
    }

    static String of(PushResult r) {
        JsonOut j = new JsonOut().beginObject()
                .field("release_id", r.manifest().releaseId().hex())
                .field("channel", r.manifest().channel())
                .field("version", r.manifest().version())
                .field("files", r.manifest().fileCount())
                .field("chunks_total", r.manifest().chunks().count())
                .field("bytes_logical", r.bytesLogical())
                .field("bytes_wire", r.bytesWire())
                .field("seconds", r.seconds())
                .field("manifest_seconds", r.manifestSeconds())
                .field("all_activated", r.allActivated())
                .field("targets_activated", r.targets().stream().filter(TargetResult::activated).count());
        j.name("targets").beginArray();
        for (TargetResult t : r.targets()) {
            String region = t.region();
            j.beginObject()
                    .field("target", t.target())
                    .field("status", t.status())
                    .field("region", region.isEmpty() ? null : region)
                    .field("route", t.route().name().toLowerCase(Locale.ROOT))
                    .field("via", t.via())
                    .field("already_active", t.alreadyActive())
                    .field("bytes_wire", t.bytesWire())
                    .field("seconds", t.seconds())
                    .field("chunks_total", t.chunksTotal())
                    .field("chunks_sent", t.chunksSent())
                    .field("chunks_copied_locally", t.chunksCopiedLocally())
                    .field("chunks_refetched", t.delta().chunksRefetched())
                    .field("attempts", t.attempts())
                    .field("base_release_id", t.delta().base() == null ? null : t.delta().base().hex())
                    .field("manifest_bytes", t.delta().manifestBytes());
            j.name("encodings").beginObject();
            for (Map.Entry<String, TargetResult.EncodingCount> e : t.delta().byEncodingName().entrySet()) {
                j.name(e.getKey()).beginObject().field("chunks", e.getValue().chunks()).field("bytes", e.getValue().bytes()).endObject();
            }
            j.endObject()
                    .field("error_code", t.code() == null ? null : t.code().label())
                    .field("error", t.error());
            j.name("audit_head"); // what `skiff audit verify --against` checks the target's trail with later
            if (t.auditHead() == null) {
                j.nullValue();
            } else {
                j.beginObject().field("trail", t.auditHead().trail()).field("seq", t.auditHead().seq())
                        .field("hash", t.auditHead().hash()).endObject();
            }
            j.endObject();
        }
        return j.endArray().endObject().toString();
    }

}
