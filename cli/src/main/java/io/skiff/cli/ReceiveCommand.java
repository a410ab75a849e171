package io.skiff.cli;

import io.skiff.engine.Skiff;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.api.ReceiverLimits;
import io.skiff.engine.api.SmokeTest;
import io.skiff.engine.api.RunningReceiver;
import io.skiff.engine.api.TlsFiles;
import io.skiff.engine.api.TrustKeys;
import io.skiff.protocol.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code skiff receive}: the receiver daemon. Runs until SIGTERM or SIGINT, then shuts down cleanly. */
@Command(name = "receive", mixinStandardHelpOptions = true,
        description = {"Run a receiver: accept pushes into ROOT/<channel>/releases, switch ROOT/<channel>/current atomically.",
                "Runs until SIGTERM/SIGINT. Lifecycle events are logged to stderr (SKIFF_LOG_LEVEL=debug|info|warn).",
                "Every connection is mutual TLS (--tls-dir); key files replaced while it runs are used from the next "
                        + "connection on (at once on SIGHUP); bad new files are logged and the current ones kept."})
final class ReceiveCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TlsOptions tls;

    @Option(names = "--config", paramLabel = "FILE", description = {"Grants (TOML): which identity may push, relay or follow "
            + "which channels, under which tenant, tenants' quotas, allowed relay targets (docs/operations.md, \"Grants\"). "
            + "Without it any certificate of the deployment's CA may push any channel."})
    Path grants;

    @Option(names = "--trust-key", paramLabel = "FILE", description = {"Activate only releases signed by this publisher key "
            + "(signing-pub.pem); repeat for several keys. Unsigned, expired, rolled-back or otherwise signed releases are refused "
            + "before anything is staged.",
            "These keys start the chain of key rotation scope '*': a rotation they signed ('skiff keys rotate', sent with push --rotation) "
            + "hands trust to new keys, kept in ROOT/trust and checked from these keys again at every start."})
    List<Path> trustKeys = new ArrayList<>();

    @Option(names = "--trust-threshold", paramLabel = "N", defaultValue = "1",
            description = "How many of the --trust-key keys must have signed a release (default: ${DEFAULT-VALUE}).")
    int trustThreshold;

    @Option(names = "--listen", defaultValue = "0.0.0.0:" + ReceiverConfig.DEFAULT_PORT, paramLabel = "HOST:PORT",
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--root", required = true, paramLabel = "DIR", description = "Receiver root directory.")
    Path root;

    @Option(names = "--retain", defaultValue = "3", paramLabel = "N", description = "Releases kept per channel, current included (default: ${DEFAULT-VALUE}).")
    int retain;

    @Option(names = "--rehash-on-commit", description = "Read every chunk back from disk and hash it again before activating "
            + "(chunks are always verified before they are written).")
    boolean rehashOnCommit;

    @Option(names = "--journal-sync", defaultValue = "1000", paramLabel = "MS", description = "How often received chunks are "
            + "forced to disk and recorded in the resume journal; a crash loses at most this much progress (default: ${DEFAULT-VALUE}).")
    long journalSyncMillis;

    @Option(names = "--idle-timeout", defaultValue = "120", paramLabel = "SECONDS", description = "Drop a connection that sends "
            + "nothing for this long, keeping its partial transfer for a resume (default: ${DEFAULT-VALUE}).")
    long idleTimeoutSeconds;

    @Option(names = "--smoke-cmd", paramLabel = "CMD", description = {"Run CMD (through sh -c) after every activation, with "
            + "SKIFF_RELEASE_DIR, SKIFF_CHANNEL, SKIFF_VERSION and SKIFF_PREVIOUS_DIR set. A non-zero exit or a timeout switches the "
            + "channel back to its previous release at once; the sender gets smoke_failed with the command's last output (push exits 21). "
            + "Needs --retain 2 or more."})
    String smokeCmd;

    @Option(names = "--smoke-timeout", defaultValue = "60", paramLabel = "SECONDS", description = "How long the smoke command may run "
            + "(default: ${DEFAULT-VALUE}); keep it below the senders' --idle-timeout, which waits for the answer.")
    long smokeTimeoutSeconds;

    @Option(names = "--manifest-budget", defaultValue = "64", paramLabel = "MIB", description = {"Heap for the manifests of "
            + "transfers in progress, all senders together: a manifest of N bytes holds 3N from its offer until its transfer "
            + "ends, one sender address at most half, so the largest manifest is a sixth of it (default: ${DEFAULT-VALUE} MiB, "
            + "manifests up to ~10 MiB, releases of ~19 GiB at the default chunk size). An offer that does not fit now is "
            + "answered busy and the sender retries."})
    long manifestBudgetMib;

    @Option(names = "--disk-reserve", defaultValue = "64", paramLabel = "MIB", description = {"Disk space staging never takes "
            + "(default: ${DEFAULT-VALUE} MiB). A transfer starts only when the root's file system has what the release still needs, "
            + "plus what transfers in progress still need, plus this; abandoned partial transfers of other channels are removed, "
            + "oldest first, to make room; else it is refused before anything is written."})
    long diskReserveMib;

    @Option(names = "--max-connections", defaultValue = "" + ReceiverLimits.DEFAULT_MAX_CONNECTIONS, paramLabel = "N",
            description = "Connections accepted at once; more are closed right after accept (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--max-connections-per-address", defaultValue = "" + ReceiverLimits.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
            paramLabel = "N", description = "Connections accepted at once from one address (default: ${DEFAULT-VALUE}).")
    int maxConnectionsPerAddress;

    @Option(names = "--seed", paramLabel = "DIR", description = {"A directory to take chunks from (e.g. an older code set "
            + "unpacked by hand); indexed at start, every chunk re-verified when used. Repeatable."})
    List<Path> seeds = new ArrayList<>();

    @Option(names = "--no-relay", description = "Refuse to act as a region's relay: a sender asking it to forward a release "
            + "to other receivers gets ERROR refused and falls back to another relay or to pushing directly. Relaying makes "
            + "this receiver connect to the addresses a sender names.")
    boolean noRelay;

    @Option(names = "--no-direct-io", description = "Write staging files through the page cache instead of with O_DIRECT "
            + "in 4 MiB segments. Direct writes are the default for files of 1 MiB and more: they cost a fraction of "
            + "the CPU of page-cache writes (docs/operations.md), and they leave the page cache to what is being served. Needed only "
            + "where a file system accepts O_DIRECT but handles it badly; one that refuses it gets ordinary writes anyway.")
    boolean noDirectIo;

    @Option(names = "--follow", paramLabel = "HOST:PORT", description = {"Pull the current release of --channel from an "
            + "origin ('skiff serve') at start and whenever the origin gets a new one: a new server gets its code sets by itself. "
            + "The follower keeps a connection open and the origin answers on it when a new release arrives (long poll)."})
    String follow;

    @Option(names = "--channel", paramLabel = "NAME", description = "The channel to follow (with --follow).")
    String followChannel;

    @Option(names = "--follow-interval", defaultValue = "30", paramLabel = "SECONDS", description = "With --follow: the wait "
            + "before asking the origin again after a failure (unreachable, no such channel, busy, cut), and the longest one "
            + "request waits for a new release before asking again, an unchanged release costing only a handshake (capped "
            + "at 3/4 of --idle-timeout and at 3600; below 1 the follower simply polls at this interval) "
            + "(default: ${DEFAULT-VALUE}).")
    double followIntervalSeconds;

    @Override
    public Integer call() throws InterruptedException {
        if ((follow == null) != (followChannel == null)) {
            throw new UsageException("--follow and --channel go together");
        }
        if (followIntervalSeconds <= 0) {
            throw new UsageException("--follow-interval must be positive");
        }
        if (journalSyncMillis < 1 || idleTimeoutSeconds < 1) {
            throw new UsageException("--journal-sync and --idle-timeout must be positive");
        }
        if (retain < 1) {
            throw new UsageException("--retain must be >= 1, got " + retain);
        }
        if (manifestBudgetMib < 1 || manifestBudgetMib > 1024 * 1024 || maxConnections < 1 || maxConnectionsPerAddress < 1) {
            throw new UsageException("--manifest-budget (MiB), --max-connections and --max-connections-per-address must be positive");
        }
        if (smokeCmd != null && (smokeCmd.isBlank() || smokeTimeoutSeconds < 1 || retain < 2)) {
            throw new UsageException("--smoke-cmd needs a command, --smoke-timeout of 1 s or more, and --retain 2 or more "
                    + "(the previous release is what a failure switches back to)");
        }
        if (diskReserveMib < 0 || diskReserveMib > 1L << 30) {
            throw new UsageException("--disk-reserve must be 0 or more MiB, got " + diskReserveMib);
        }
        if (trustKeys.isEmpty() ? trustThreshold != 1 : trustThreshold < 1 || trustThreshold > trustKeys.size()) {
            throw new UsageException("--trust-threshold must be 1.." + Math.max(1, trustKeys.size()) + " (the number of --trust-key), got " + trustThreshold);
        }
        HostPort listenAddress = HostPort.parse(listen);
        List<HostPort> addresses = new ArrayList<>(List.of(listenAddress));
        if (follow != null) {
            addresses.add(HostPort.parse(follow));
        }
        TlsFiles tlsFiles = tls.files(addresses);
        ReceiverConfig config = ReceiverConfig.defaults(listenAddress, root).withRetain(retain)
                .withTls(tlsFiles).withGrants(grants).withTrust(trust())
                .withRehashOnCommit(rehashOnCommit).withSeeds(seeds)
                .withJournalSync(java.time.Duration.ofMillis(journalSyncMillis)).withIdleTimeout(java.time.Duration.ofSeconds(idleTimeoutSeconds))
                .withRelay(!noRelay).withDirectWrites(!noDirectIo)
                .withLimits(ReceiverLimits.DEFAULTS.withManifestBudget(manifestBudgetMib * 1024 * 1024)
                        .withConnections(maxConnections, maxConnectionsPerAddress).withDiskReserve(diskReserveMib * 1024 * 1024))
                .withSmoke(smokeCmd == null ? null : new SmokeTest(smokeCmd, java.time.Duration.ofSeconds(smokeTimeoutSeconds)));
        if (follow != null) {
            config = config.withFollow(HostPort.parse(follow), followChannel,
                    java.time.Duration.ofMillis((long) (followIntervalSeconds * 1000)));
        }
        RunningReceiver receiver = Skiff.startReceiver(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            receiver.close();
            stopped.countDown();
        }, "skiff-shutdown"));
        ReloadSignal.install(receiver);
        spec.commandLine().getErr().printf("skiff receiver listening on %s:%d, root %s, %s%n", config.listen().host(),
                receiver.port(), receiver.root(), tlsFiles == null ? "plaintext (--insecure)" : "mutual TLS");
        spec.commandLine().getErr().flush();
        receiver.awaitClose();
        stopped.await();
        return 0;
    }

    private TrustKeys trust() {
        return trustKeys.isEmpty() ? null : new TrustKeys(trustKeys, trustThreshold);
    }
}
