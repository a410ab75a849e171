package io.skiff.cli;

import io.skiff.engine.report.JsonWriter;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.engine.store.StagingProgress;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SkiffException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code skiff status}: what a receiver root holds. Read-only; safe while the receiver runs. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show each channel of a receiver root: current release, retained releases, partial transfers in staging "
                + "(share of the release's bytes the resume journal vouches for, bytes missing, time since last written).")
final class StatusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--root", required = true, paramLabel = "DIR", description = "Receiver root directory.")
    Path root;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        ReleaseStore store = ReleaseStore.inspect(root);
        Instant now = Instant.now();
        PrintWriter out = spec.commandLine().getOut();
        JsonWriter j = new JsonWriter().beginObject().field("root", store.root().toString()).name("channels").beginArray();
        for (String channel : store.channels()) {
            Optional<Sha256> current = store.current(channel);
            List<Sha256> releases = store.releases(channel);
            List<Sha256> staging = store.staging(channel);
            j.beginObject().field("channel", channel);
            j.name("current");
            if (current.isPresent()) {
                j.beginObject().field("release_id", current.get().hex()).field("version", version(store, channel, current.get())).endObject();
            } else {
                j.value((String) null);
            }
            j.name("releases").beginArray();
            for (Sha256 id : releases) {
                j.beginObject().field("release_id", id.hex()).field("version", version(store, channel, id))
                        .field("current", current.isPresent() && current.get().equals(id)).endObject();
            }
            j.endArray().name("staging").beginArray();
            List<StagingProgress> progress = new ArrayList<>();
            for (Sha256 id : staging) {
                StagingProgress p = StagingProgress.of(store, channel, id);
                progress.add(p);
                Duration age = p.age(now);
                j.beginObject().field("release_id", id.hex()).field("version", p.version());
                if (p.manifestKnown()) {
                    j.field("percent_done", p.percentDone()).field("bytes_total", p.bytesTotal()).field("bytes_done", p.bytesDone())
                            .field("bytes_missing", p.bytesMissing()).field("chunks_total", p.chunksTotal()).field("chunks_done", p.chunksDone());
                } else {
                    for (String unknown : new String[]{"percent_done", "bytes_total", "bytes_done", "bytes_missing", "chunks_total", "chunks_done"}) {
                        j.name(unknown).value((String) null);
                    }
                }
                if (age != null) {
                    j.field("age_seconds", age.getSeconds());
                } else {
                    j.name("age_seconds").value((String) null);
                }
                j.endObject();
            }
            j.endArray().endObject();
            if (!json) {
                out.printf(Locale.ROOT, "%s%n  current   %s%n", channel,
                        current.map(id -> version(store, channel, id) + "  " + id.hex()).orElse("(none)"));
                for (Sha256 id : releases) {
                    out.printf(Locale.ROOT, "  retained  %s  %s%s%n", version(store, channel, id), id.hex(),
                            current.isPresent() && current.get().equals(id) ? "  (current)" : "");
                }
                for (StagingProgress p : progress) {
                    out.printf(Locale.ROOT, "  staging   %s  %s  %s  (partial, not served)%n", p.version() == null ? "?" : p.version(),
                            p.releaseId().hex(), describe(p, now));
                }
            }
        }
        j.endArray().endObject();
        if (json) {
            out.println(j);
        } else if (store.channels().isEmpty()) {
            out.println("no channels under " + store.root());
        }
        return 0;
    }

    /** E.g. "42.0% (12.3 MiB of 29.3 MiB, 17.0 MiB missing), last written 3m 12s ago". */
    static String describe(StagingProgress p, Instant now) {
        String done = p.manifestKnown()
                ? String.format(Locale.ROOT, "%.1f%% (%s of %s, %s missing)", p.percentDone(), HumanFormat.bytes(p.bytesDone()),
                        HumanFormat.bytes(p.bytesTotal()), HumanFormat.bytes(p.bytesMissing()))
                : "progress unknown (manifest missing)";
        Duration age = p.age(now);
        return age == null ? done : done + ", last written " + HumanFormat.duration(age) + " ago";
    }

    private static String version(ReleaseStore store, String channel, Sha256 id) {
        try {
            return store.loadManifest(channel, id).map(Manifest::version).orElse("?");
        } catch (SkiffException e) {
            return "? (" + e.getMessage() + ")";
        }
    }
}
