package io.skiff.cli;

import io.skiff.engine.Skiff;
import io.skiff.engine.api.PushOptions;
import io.skiff.engine.api.PushResult;
import io.skiff.engine.api.Rate;
import io.skiff.engine.api.SigningOptions;
import io.skiff.engine.api.TargetResult;
import io.skiff.engine.api.Topology;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.SignedRelease;
import io.skiff.protocol.SourceException;
import io.skiff.protocol.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code skiff push}: pushes a release directory to one or more receivers. */
@Command(name = "push",
        description = {"Push a release directory to receivers; exit 0 only if every target activated it.",
                "Only chunks a target lacks cross the wire, zstd-compressed when that makes them smaller.",
                "Pushing a release a target already has is cheap, so re-running a push is safe."})
final class PushCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    // No mixinStandardHelpOptions: its --version would clash with the release's --version.
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Parameters(index = "0", paramLabel = "SRC_DIR", description = "Directory holding the release.")
    Path source;

    @Mixin
    TlsOptions tls;

    @Option(names = "--channel", required = true, paramLabel = "NAME", description = "Channel, e.g. icd10cm.")
    String channel;

    @Option(names = "--version", required = true, paramLabel = "V", description = "Release version label, e.g. 2027-01.")
    String version;

    @Option(names = "--to", paramLabel = "TARGETS", description = {"Target receivers: HOST:PORT[,HOST:PORT...], "
            + "or by region: REGION=HOST:PORT,...;REGION=... (quote it for the shell). The sender sends each named region's "
            + "data once, to one target there that relays it to the others; targets without a region get it directly."})
    String to;

    @Option(names = "--topology", paramLabel = "FILE", description = "Targets from FILE, one per line: "
            + "REGION HOST:PORT [bwlimit=RATE] [internal=HOST:PORT] [relay], REGION - for none; # comments. "
            + "Give --to or --topology.")
    Path topologyFile;

    @Option(names = "--no-relay", description = "Push to every target from the sender, even in named regions; for comparison "
            + "and for regions whose hosts cannot reach each other.")
    boolean noRelay;

    @Option(names = "--json", description = "Print one JSON object with the result on stdout; its bytes_wire counts the bytes "
            + "that left the sender (a relayed target's bytes_wire left its relay).")
    boolean json;

    @Option(names = "--zstd-level", defaultValue = "" + PushOptions.DEFAULT_ZSTD_LEVEL, paramLabel = "N", description = "zstd level for chunks, 0 = no compression (default: ${DEFAULT-VALUE}).")
    int zstdLevel;

    @Option(names = "--idle-timeout", defaultValue = "120", paramLabel = "SECONDS", description = "Fail a target silent for this long (default: ${DEFAULT-VALUE}).")
    long idleTimeoutSeconds;

    @Option(names = "--retries", defaultValue = "" + PushOptions.DEFAULT_RETRIES, paramLabel = "N", description = "Reconnect to a "
            + "target up to N times after a cut connection, a refused connection or a busy target; each attempt resumes where "
            + "the last stopped (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--retry-wait", defaultValue = "1", paramLabel = "SECONDS", description = "Wait before the first reconnection, "
            + "doubled for each further one (at most 60 s), with random jitter (default: ${DEFAULT-VALUE}).")
    double retryWaitSeconds;

    @Option(names = "--lifecycle", description = {"With --topology whose targets name environments (env=preprod, env=prod): push to "
            + "each environment in turn, in file order, and on to the next only when every target of the one before activated and "
            + "passed its smoke test; the targets of environments not reached are 'skipped'."})
    boolean lifecycle;

    @Option(names = "--notify-cmd", paramLabel = "CMD", description = {"When any target failed or was rolled back, run CMD "
            + "(through sh -c) with the push's JSON result on stdin (what --json prints) and SKIFF_CHANNEL, SKIFF_VERSION set; "
            + "it does not change the exit status."})
    String notifyCmd;

    @Option(names = "--min-success", paramLabel = "N|P%", description = "Exit 0 when at least N targets (or P percent of them, "
            + "rounded up) activated the release, counting every target of every region; failed targets are still reported "
            + "(default: all).")
    String minSuccess;

    @Option(names = "--bwlimit", paramLabel = "RATE", description = "Send at most RATE bytes per second from the sender, all "
            + "targets together: a number with an optional K, M or G suffix (powers of 1024), e.g. 50M (default: no limit). "
            + "Per target: bwlimit= in --topology.")
    String bandwidthLimit;

    @Option(names = "--streams", defaultValue = "1", paramLabel = "N", description = "TCP connections per target, 1.."
            + PushOptions.MAX_STREAMS + ": chunks are dealt over them, to fill a long fat link that one connection's window "
            + "cannot; a lost stream costs a retry, which resumes (default: ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--no-progress", description = "Do not draw the progress line on stderr.")
    boolean noProgress;

    @Option(names = "--manifest", paramLabel = "FILE", description = "Use a manifest saved by 'skiff manifest --out' instead of "
            + "chunking and hashing SRC_DIR again (its channel and version must match); FILE.signed, if there, is sent with it.")
    Path manifestFile;

    @Option(names = "--history", paramLabel = "DIR", description = {"Where the sender keeps the releases it published, "
            + "to encode changed chunks against the release a target holds (hard links, else copies; last "
            + PushOptions.DEFAULT_HISTORY_RETAIN + " per channel).",
            "Default: $SKIFF_HISTORY, else $XDG_STATE_HOME/skiff/published, else ~/.local/state/skiff/published."})
    Path history;

    @Option(names = "--no-history", description = "Keep no history: changed chunks are sent with plain zstd.")
    boolean noHistory;

    @Mixin
    SigningFlags signing;

    @Option(names = "--signature", paramLabel = "SIGNED", description = {"With --manifest: send the signed statement in "
            + "SIGNED (from 'skiff manifest --sign-key') instead of the one beside the manifest.",
            "Without --signature and --sign-key, --manifest FILE sends FILE.signed when it exists; with --sign-key the push "
                    + "signs anew and FILE.signed is not sent. A statement for another manifest, or an expired one, is "
                    + "refused before connecting."})
    Path signatureFile;

    @Option(names = "--rotation", paramLabel = "FILE", description = {"Send this key rotation statement (from 'skiff keys rotate',"
            + " signed by a threshold of the current keys and of the new ones) before the signature; repeat for a chain, in order.",
            "Receivers take it, keep it, and then trust the new keys instead of their current ones; one they hold already is ignored."})
    List<Path> rotations = new ArrayList<>();

    @Override
    public Integer call() {
        Topology topology = topology();
        int required = requiredSuccesses(minSuccess, topology.targets().size());
        if (zstdLevel < 0 || zstdLevel > 19) {
            throw new UsageException("--zstd-level must be 0..19, got " + zstdLevel);
        }
        if (retries < 0 || retryWaitSeconds < 0) {
            throw new UsageException("--retries and --retry-wait must not be negative");
        }
        if (noHistory && history != null) {
            throw new UsageException("--history and --no-history exclude each other");
        }
        if (streams < 1 || streams > PushOptions.MAX_STREAMS) {
            throw new UsageException("--streams must be 1.." + PushOptions.MAX_STREAMS + ", got " + streams);
        }
        if (lifecycle && topologyFile == null) {
            throw new UsageException("--lifecycle needs --topology: its targets name the environments (env=NAME)");
        }
        if (signatureFile != null && manifestFile == null) {
            throw new UsageException("--signature needs --manifest: the statement names a saved manifest");
        }
        if (signatureFile != null && signing.signing()) {
            throw new UsageException("--signature and --sign-key exclude each other: send the saved statement or sign anew");
        }
        if (!signing.signing() && !rotations.isEmpty()) {
            throw new UsageException("--rotation hands trust to the keys that sign the release: give --sign-key too");
        }
        SigningOptions signingOptions = signing.options(); // refuses its own mistakes (--allow-downgrade unsigned)
        PushOptions options = PushOptions.defaults().withZstdLevel(zstdLevel).withIdleTimeout(Duration.ofSeconds(idleTimeoutSeconds))
                .withHistory(noHistory ? null : history != null ? history : defaultHistory())
                .withRetries(retries, Duration.ofMillis((long) (retryWaitSeconds * 1000)))
                .withBandwidthLimit(bandwidthLimit == null ? 0 : Rate.parse(bandwidthLimit, "--bwlimit"))
                .withRelays(!noRelay)
                .withStreams(streams)
                .withTls(tls.files(topology.targets().stream().map(Topology.Target::address).toList()))
                .withSigning(signingOptions == null ? null : signingOptions.withRotations(rotations));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PushResult result;
        try (ProgressDisplay progress = new ProgressDisplay(err, !noProgress && System.console() != null, topology, !noRelay)) {
            if (lifecycle) {
                Manifest manifest = manifestFile == null ? Skiff.manifest(source, channel, version) : readManifest();
                result = Skiff.pushLifecycle(source, manifest, manifestFile == null ? null : savedSignature(manifest, err), topology, options, progress);
            } else if (manifestFile == null) {
                result = Skiff.push(source, channel, version, topology, options, progress);
            } else {
                Manifest manifest = readManifest();
                result = Skiff.push(source, manifest, savedSignature(manifest, err), topology, options, progress);
            }
        }
        if (json) {
            out.println(PushJson.of(result));
        } else {
            printHuman(out, result);
        }
        if (notifyCmd != null && !result.allActivated()) {
            PushNotify.run(notifyCmd, PushJson.of(result), channel, version, err);
        }
        long activated = result.targets().stream().filter(TargetResult::activated).count();
        for (TargetResult t : result.targets()) {
            if (!t.activated()) {
                if (json) {
                    err.println("skiff: error: " + t.target() + ": " + t.error());
                }
                if (activated < required) {
                    return ExitStatus.of(t.code());
                }
            }
        }
        return 0;
    }

    /** The --manifest file, if SRC_DIR still looks like what it describes and it is this channel and version. */
    private Manifest readManifest() {
        Manifest manifest;
        try {
            manifest = Skiff.readManifest(manifestFile, source);
        } catch (SourceException e) {
            throw new SourceException(e.path(), e.getMessage() + " (rebuild it with skiff manifest --out)", e);
        }
        if (!manifest.channel().equals(channel) || !manifest.version().equals(version)) {
            throw new UsageException("manifest " + manifestFile + " is " + manifest.channel() + " " + manifest.version() + ", not "
                    + channel + " " + version);
        }
        return manifest;
    }

    /**
     * The signed statement made with the manifest to send: --signature, else FILE.signed beside --manifest FILE
     * unless --sign-key signs anew (an explicit flag over a file found by name, as rsync and rclone take
     * command-line flags over defaults, and said in one line); null: none.
     */
    private SignedRelease savedSignature(Manifest manifest, PrintWriter err) {
        if (signatureFile != null) {
            return Skiff.readSignature(signatureFile, manifest);
        }
        Path beside = Skiff.signatureFile(manifestFile);
        if (!Files.exists(beside)) {
            return null;
        }
        if (signing.signing()) {
            err.println("skiff: signing anew with --sign-key; " + beside + " is not sent");
            return null;
        }
        return Skiff.readSignature(beside, manifest);
    }

    /** The targets of --to or --topology: exactly one of them. */
    private Topology topology() {
        if (to != null && topologyFile != null) {
            throw new UsageException("--to and --topology exclude each other");
        }
        if (to == null && topologyFile == null) {
            throw new UsageException("missing the targets: give --to or --topology");
        }
        return to != null ? Topology.parseTo(to) : Topology.read(topologyFile);
    }

    /** How many targets must activate: all by default, N, or P % of {@code targets} rounded up. */
    static int requiredSuccesses(String minSuccess, int targets) {
        if (minSuccess == null) {
            return targets;
        }
        try {
            int required = minSuccess.endsWith("%")
                    ? (int) Math.ceil(targets * Double.parseDouble(minSuccess.substring(0, minSuccess.length() - 1)) / 100.0)
                    : Integer.parseInt(minSuccess);
            if (required < 0 || required > targets || minSuccess.startsWith("-")) {
                throw new NumberFormatException();
            }
            return required;
        } catch (NumberFormatException e) {
            throw new UsageException("--min-success must be a count 0.." + targets + " or a percentage like 90%, got " + minSuccess);
        }
    }

    /** The sender history when --history is not given (the system property is for tests and embedders). */
    static Path defaultHistory() {
        String explicit = System.getProperty("skiff.history", System.getenv("SKIFF_HISTORY"));
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String state = System.getenv("XDG_STATE_HOME");
        Path base = state != null && !state.isBlank() ? Path.of(state) : Path.of(System.getProperty("user.home"), ".local", "state");
        return base.resolve("skiff").resolve("published");
    }

    /** E.g. "against 3f2a9c01: 120 zstd_ref, 3 raw; 96 copied locally". */
    static String deltaNote(TargetResult t) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, TargetResult.EncodingCount> e : t.delta().byEncodingName().entrySet()) {
            long n = e.getValue().chunks();
            if (n > 0) {
                parts.add(n + " " + e.getKey());
            }
        }
        String sent = String.join(", ", parts);
        String base = t.delta().base() == null ? "" : "against " + t.delta().base().shortHex() + (sent.isEmpty() ? "" : ": ");
        String copied = t.chunksCopiedLocally() > 0 ? (sent.isEmpty() && base.isEmpty() ? "" : "; ") + t.chunksCopiedLocally() + " copied locally" : "";
        return base + sent + copied;
    }

    /** E.g. "relay", "via h1:7070", "fallback: relay h1:7070 failed"; empty for a direct push. */
    static String routeNote(TargetResult t) {
        return switch (t.route()) {
            case DIRECT -> "";
            case RELAY -> "relay";
            case RELAYED -> "via " + t.via();
            case FALLBACK -> t.target().equals(t.via()) ? "fallback: was the relay, failed" : "fallback: relay " + t.via() + " failed";
        };
    }

    private static void printHuman(PrintWriter out, PushResult r) {
        out.printf(Locale.ROOT, "release %s  %s %s  (%d files, %s, %d chunks; manifest in %s)%n",
                r.manifest().releaseId().shortHex(), r.manifest().channel(), r.manifest().version(), r.manifest().fileCount(),
                HumanFormat.bytes(r.bytesLogical()), r.manifest().chunks().count(), HumanFormat.seconds(r.manifestSeconds()));
        // a REGION column only when the topology has named regions ("-" for a target in none)
        List<String> regionNames = r.targets().stream().map(TargetResult::region)
                .map(n -> n.isEmpty() ? Topology.NO_REGION_NAME : n).toList();
        boolean regions = regionNames.stream().anyMatch(n -> !n.equals(Topology.NO_REGION_NAME));
        int regionWidth = regionNames.stream().mapToInt(String::length).max().orElse(0);
        String regionColumn = regions ? "%-" + Math.max("REGION".length(), regionWidth) + "s " : "%.0s";
        out.printf(Locale.ROOT, regionColumn + "%-24s %-10s %12s %10s %14s  %s%n", "REGION", "TARGET", "STATUS", "WIRE", "SECONDS",
                "CHUNKS SENT", "NOTE");
        int activated = 0;
        for (int i = 0; i < r.targets().size(); i++) {
            TargetResult t = r.targets().get(i);
            if (t.activated()) {
                activated++;
            }
            String note = t.activated() ? (t.alreadyActive() ? "already current" : deltaNote(t)) : t.code().label() + ": " + t.error();
            if (t.attempts() > 1) {
                note = "after " + t.attempts() + " attempts; " + note;
            }
            String route = routeNote(t);
            if (!route.isEmpty()) {
                note = note.isEmpty() ? route : route + "; " + note;
            }
            out.printf(Locale.ROOT, regionColumn + "%-24s %-10s %12s %10.2f %14s  %s%n", regionNames.get(i), t.target(), t.status(),
                    HumanFormat.bytes(t.bytesWire()), t.seconds(), t.chunksSent() + "/" + t.chunksTotal(), note);
        }
        out.printf(Locale.ROOT, "%d of %d targets activated; %s on the wire for %s of release in %s%n", activated, r.targets().size(),
                HumanFormat.bytes(r.bytesWire()), HumanFormat.bytes(r.bytesLogical()), HumanFormat.seconds(r.seconds()));
    }
}
