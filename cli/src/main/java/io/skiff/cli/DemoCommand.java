package io.skiff.cli;

import io.skiff.corpus.CodeSetCorpus;
import io.skiff.corpus.CorpusRelease;
import io.skiff.engine.Skiff;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.PushListener;
import io.skiff.engine.api.PushOptions;
import io.skiff.engine.api.PushResult;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.api.TlsFiles;
import io.skiff.engine.api.RunningReceiver;
import io.skiff.engine.api.TargetResult;
import io.skiff.engine.api.Topology;
import io.skiff.engine.api.VerifyReport;
import io.skiff.protocol.IntegrityException;
import io.skiff.protocol.SkiffException;
import io.skiff.protocol.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code skiff demo}: the main job on an embedded default. Generates a code-set release and its next
 * version, starts four receivers in this process on loopback as two regions of two, pushes v1 then v2
 * to both regions (the sender sends each region's data once, to its relay, which forwards it to the
 * other receiver of its region), verifies every receiver's current tree byte for byte against the
 * source, and prints what left the sender and what the relays forwarded.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Generate a code-set release v1 and its update v2, push both to two regions of two in-process "
                + "receivers on loopback (one relay per region), verify every byte, and print logical bytes, the bytes "
                + "that left the sender and that the relays forwarded, and throughput. Connections are mutual TLS with keys "
                + "made for the demo (or --tls-dir, or --insecure).")
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--size", defaultValue = "100", paramLabel = "MB", description = "Approximate release size in MB (default: ${DEFAULT-VALUE}).")
    long sizeMb;

    @Option(names = "--seed", defaultValue = "1", description = "Corpus seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--dir", paramLabel = "DIR", description = "Work directory to keep (default: a temporary directory, deleted afterwards).")
    Path dir;

    @Option(names = "--json", description = "Print the results as JSON.")
    boolean json;

    /** Default: keys made for the demo (a CA, a receiver and a sender identity) in the work directory. */
    @Mixin
    TlsOptions tls;

    private record Row(String release, PushResult result) {
    }

    @Override
    public Integer call() throws IOException {
        if (sizeMb < 1 || sizeMb > 100_000) {
            throw new UsageException("--size must be 1..100000 MB, got " + sizeMb);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean temporary = dir == null;
        Path work = temporary ? Files.createTempDirectory("skiff-demo-") : Files.createDirectories(dir);
        try {
            err.printf(Locale.ROOT, "generating a %d MB code-set release and its next version in %s%n", sizeMb, work);
            err.flush();
            CorpusRelease v1 = CodeSetCorpus.generate(work.resolve("source/v1"), seed, sizeMb * 1_000_000L);
            CorpusRelease v2 = CodeSetCorpus.next(v1, work.resolve("source/v2"), seed + 1);
            List<Row> rows = new ArrayList<>();
            List<RunningReceiver> receivers = new ArrayList<>();
            TlsFiles[] keys = keys(work);
            err.println(keys[0] == null ? "connections: plaintext (--insecure)" : tls.given()
                    ? "connections: mutual TLS with the given keys" : "connections: mutual TLS, keys made for the demo in " + work.resolve("keys"));
            try {
                for (String name : List.of("eu-1", "eu-2", "us-1", "us-2")) {
                    receivers.add(Skiff.startReceiver(ReceiverConfig.defaults(new HostPort("127.0.0.1", 0), work.resolve("receiver-" + name))
                            .withTls(keys[0])));
                }
                Topology topology = Topology.parseTo("eu=" + address(receivers.get(0)) + "," + address(receivers.get(1))
                        + ";us=" + address(receivers.get(2)) + "," + address(receivers.get(3)));
                for (CorpusRelease release : List.of(v1, v2)) {
                    String version = "v" + release.version();
                    err.printf(Locale.ROOT, "pushing %s (%s) to 2 regions of 2 receivers, one relay each%n", version,
                            HumanFormat.bytes(release.totalBytes()));
                    err.flush();
                    // the demo's own sender history: v2's changed chunks are encoded against v1's bytes
                    PushOptions options = PushOptions.defaults().withHistory(work.resolve("sender-history")).withTls(keys[1]);
                    PushResult result = Skiff.push(release.dir(), "codeset", version, topology, options, PushListener.NONE);
                    for (TargetResult t : result.targets()) {
                        if (!t.activated()) {
                            throw new SkiffException(t.code(), "demo push of " + version + " to " + t.target() + " failed: " + t.error());
                        }
                    }
                    for (RunningReceiver r : receivers) {
                        verifyReceiver(r.root(), result);
                    }
                    rows.add(new Row(version + (rows.isEmpty() ? " (full)" : " (update)"), result));
                }
            } finally {
                receivers.forEach(RunningReceiver::close);
            }
            print(out, rows);
            err.println("all four receivers hold byte-identical, verified copies of v1 and v2 (current = v2)");
            return 0;
        } finally {
            if (temporary) {
                deleteTree(work);
            }
        }
    }

    /**
     * The receivers' and the sender's key files: the given ones for both, none for --insecure, or by
     * default a CA and two identities made for the demo (what 'skiff keys' makes for a deployment).
     */
    private TlsFiles[] keys(Path work) {
        if (tls.given()) {
            TlsFiles files = tls.files(List.of(new HostPort("127.0.0.1", 0)));
            return new TlsFiles[]{files, files};
        }
        Path keys = work.resolve("keys");
        Skiff.initKeys(keys.resolve("ca"));
        Skiff.issueKeys(keys.resolve("ca"), "demo-receiver", keys.resolve("receiver"));
        Skiff.issueKeys(keys.resolve("ca"), "demo-sender", keys.resolve("sender"));
        return new TlsFiles[]{TlsFiles.inDir(keys.resolve("receiver")), TlsFiles.inDir(keys.resolve("sender"))};
    }

    private static String address(RunningReceiver r) {
        return "127.0.0.1:" + r.port();
    }

    /** The receiver's current release must be the pushed one and match the source's manifest byte for byte. */
    private static void verifyReceiver(Path root, PushResult result) {
        String channel = result.manifest().channel();
        VerifyReport.Channel current = Skiff.verify(root, channel).channels().stream().findFirst().orElse(null);
        if (current == null || !current.releaseId().equals(result.manifest().releaseId())) {
            throw IntegrityException.mismatch(null, "receiver " + root + " current is not " + result.manifest().version());
        }
        List<String> problems = current.problems();
        if (!problems.isEmpty()) {
            throw IntegrityException.mismatch(null, problems.get(0)
                    + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""));
        }
    }

    private void print(PrintWriter out, List<Row> rows) {
        if (json) {
            JsonOut j = new JsonOut().beginObject().name("pushes").beginArray();
            for (Row row : rows) {
                PushResult r = row.result();
                j.beginObject().field("release", row.release()).field("release_id", r.manifest().releaseId().hex())
                        .field("targets", r.targets().size()).field("bytes_logical", r.bytesLogical())
                        .field("bytes_wire", r.bytesWire()).field("bytes_relayed", relayedBytes(r)).field("seconds", r.seconds())
                        .field("chunks_total", r.manifest().chunks().count())
                        .field("chunks_sent", r.targets().get(0).chunksSent())
                        .field("chunks_sent_with_reference", r.targets().get(0).delta().byEncodingName().get("zstd_ref").chunks())
                        .endObject();
            }
            out.println(j.endArray().endObject());
            return;
        }
        out.printf(Locale.ROOT, "%-14s %8s %14s %14s %14s %10s %14s  %s%n", "RELEASE", "TARGETS", "BYTES LOGICAL", "LEFT SENDER",
                "RELAYED", "SECONDS", "THROUGHPUT", "FIRST TARGET");
        for (Row row : rows) {
            PushResult r = row.result();
            long logical = r.bytesLogical() * r.targets().size();
            out.printf(Locale.ROOT, "%-14s %8d %14s %14s %14s %10.2f %14s  %s%n", row.release(), r.targets().size(),
                    HumanFormat.bytes(logical), HumanFormat.bytes(r.bytesWire()), HumanFormat.bytes(relayedBytes(r)), r.seconds(),
                    HumanFormat.rate(logical, r.seconds()), PushCommand.deltaNote(r.targets().get(0)));
        }
        out.println("(bytes are summed over targets: what left the sender, for one relay per region, and what the relays "
                + "forwarded; throughput is logical bytes delivered per second, manifest build included)");
    }

    /** What the relays sent on to the rest of their regions. */
    private static long relayedBytes(PushResult r) {
        return r.targets().stream().filter(t -> !t.fromSender()).mapToLong(TargetResult::bytesWire).sum();
    }

    /** Deepest first, so each directory is empty when its turn comes. */
    private static void deleteTree(Path root) {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
