package io.skiff.cli;

import io.skiff.engine.report.JsonWriter;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SkiffException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code skiff status}: what a receiver root holds. Read-only; safe while the receiver runs. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show each channel of a receiver root: current release, retained releases, partial transfers in staging.")
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
            for (Sha256 id : staging) {
                j.beginObject().field("release_id", id.hex()).field("version", version(store, channel, id)).endObject();
            }
            j.endArray().endObject();
            if (!json) {
                out.printf(Locale.ROOT, "%s%n  current   %s%n", channel,
                        current.map(id -> version(store, channel, id) + "  " + id.hex()).orElse("(none)"));
                for (Sha256 id : releases) {
                    out.printf(Locale.ROOT, "  retained  %s  %s%s%n", version(store, channel, id), id.hex(),
                            current.isPresent() && current.get().equals(id) ? "  (current)" : "");
                }
                for (Sha256 id : staging) {
                    out.printf(Locale.ROOT, "  staging   %s  %s  (partial, not served)%n", version(store, channel, id), id.hex());
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

    private static String version(ReleaseStore store, String channel, Sha256 id) {
        try {
            return store.loadManifest(channel, id).map(Manifest::version).orElse("?");
        } catch (SkiffException e) {
            return "? (" + e.getMessage() + ")";
        }
    }
}
