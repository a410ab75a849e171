package io.skiff.cli;

import io.skiff.engine.Skiff;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.OriginConfig;
import io.skiff.engine.api.TlsFiles;
import java.util.List;
import io.skiff.engine.api.RunningServer;
import io.skiff.protocol.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code skiff serve}: an origin that followers ({@code skiff receive --follow}) pull releases from. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve the current releases of a root (a receiver root, or a sender's --history) to followers:",
                "a receiver started with --follow HOST:PORT --channel NAME pulls the channel's current release, as a delta",
                "against what it holds. A follower that holds the current release is kept waiting until the channel's",
                "current link changes (checked every 250 ms), then served at once. Runs until SIGTERM/SIGINT."})
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TlsOptions tls;

    @Option(names = "--config", paramLabel = "FILE", description = "Grants (TOML, as for 'skiff receive --config'): which "
            + "identity may follow which channels, under which tenant. Without it any certificate of the deployment's CA may follow.")
    Path grants;

    @Option(names = "--listen", defaultValue = "0.0.0.0:7071", paramLabel = "HOST:PORT", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--root", required = true, paramLabel = "DIR", description = "Root to serve: ROOT/<channel>/current, releases/, manifests/.")
    Path root;

    @Option(names = "--idle-timeout", defaultValue = "120", paramLabel = "SECONDS", description = "Drop a follower silent this long; "
            + "a waiting follower is answered after at most this long (default: ${DEFAULT-VALUE}).")
    long idleTimeoutSeconds;

    @Option(names = "--max-waiting", defaultValue = "" + OriginConfig.DEFAULT_MAX_WAITING_FOLLOWERS, paramLabel = "N", description = "Followers "
            + "kept waiting for a new release at once; one more is answered busy and retries after its --follow-interval "
            + "(default: ${DEFAULT-VALUE}).")
    int maxWaiting;

    @Override
    public Integer call() throws Exception {
        if (idleTimeoutSeconds < 1) {
            throw new UsageException("--idle-timeout must be positive");
        }
        if (maxWaiting < 0) {
            throw new UsageException("--max-waiting must be >= 0, got " + maxWaiting);
        }
        TlsFiles tlsFiles = tls.files(List.of(HostPort.parse(listen)));
        RunningServer origin = Skiff.serve(new OriginConfig(HostPort.parse(listen), root, Duration.ofSeconds(idleTimeoutSeconds),
                "skiff-origin@" + InetAddress.getLocalHost().getHostName(), maxWaiting, tlsFiles, grants));
        ReloadSignal.install(origin);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            origin.close();
            stopped.countDown();
        }, "skiff-shutdown"));
        spec.commandLine().getErr().printf("skiff origin listening on %s:%d, serving %s, %s%n", HostPort.parse(listen).host(),
                origin.port(), root.toAbsolutePath().normalize(), tlsFiles == null ? "plaintext (--insecure)" : "mutual TLS");
        spec.commandLine().getErr().flush();
        origin.awaitClose();
        stopped.await();
        return 0;
    }
}
