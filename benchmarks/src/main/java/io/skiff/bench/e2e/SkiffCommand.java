package io.skiff.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How to launch the skiff CLI: this JVM's own {@code java} binary (so sender, receiver and the runner
 * share one JDK), the user's JVM options, {@code -jar skiff.jar}. The same user options for sender and
 * receiver; before them, what the {@code ./skiff} launcher gives every command (the class-data archive
 * it made for this JDK and jar, if it did; {@link #LOG_OPTS}) and a short-lived one
 * ({@link #SHORT_LIVED_JVM_OPTS}), so the runner measures skiff as users start it.
 */
record SkiffCommand(Path javaBinary, List<String> javaOpts, Path jar, Optional<Path> cdsArchive, Optional<Path> daemonDirectives,
                    List<String> receiverTls, List<String> senderTls) {
    /** Plaintext, as the scenarios before issue 18 ran (and comparable with their figures): loopback only. */
    static final List<String> PLAINTEXT = List.of("--insecure");

    /** What {@code ./skiff} puts before the user's options for every command but receive and serve (SkiffCommandTest runs it). */
    static final List<String> SHORT_LIVED_JVM_OPTS = List.of("-XX:CompileThresholdScaling=4");
    /** What {@code ./skiff} puts there instead for a push with a saved manifest ({@code --manifest}): no C2 at all. */
    static final List<String> SAVED_MANIFEST_PUSH_JVM_OPTS = List.of("-XX:TieredStopAtLevel=1");
    /** What {@code ./skiff} gives every command: JVM warnings to stderr, so stdout carries skiff's output only. */
    static final List<String> LOG_OPTS = List.of("-Xlog:disable", "-Xlog:all=warning:stderr");

    /** Where the repository keeps the compiler directives of the daemons and a hashing push, relative to the {@code cli} module. */
    static final String DIRECTIVES = "jvm/compiler-directives.json";

    /** Skiff started as {@code ./skiff} starts it with this JDK and jar. */
    static SkiffCommand asLauncher(Path javaBinary, List<String> javaOpts, Path jar) {
        return new SkiffCommand(javaBinary, javaOpts, jar, cdsArchive(javaBinary, jar), daemonDirectives(jar), PLAINTEXT, PLAINTEXT);
    }

    /** The same skiff with mutual TLS: the receiver's key files in {@code receiverDir}, the sender's in {@code senderDir}. */
    SkiffCommand withTls(Path receiverDir, Path senderDir) {
        return new SkiffCommand(javaBinary, javaOpts, jar, cdsArchive, daemonDirectives, List.of("--tls-dir", receiverDir.toString()),
                List.of("--tls-dir", senderDir.toString()));
    }

    /** {@code skiff keys ARGS...} (keys init, keys issue): making the TLS scenario's keys. */
    List<String> keys(String... args) {
        List<String> cmd = shortLivedCommand();
        cmd.add("keys");
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * The compiler directives {@code ./skiff} gives receive, serve and a push that hashes (C2 for SHA-256
     * and the chunker only), if the jar sits in a checkout's {@code cli/target} and the file is there.
     */
    static Optional<Path> daemonDirectives(Path jar) {
        return Optional.ofNullable(jar.toAbsolutePath().normalize().getParent().getParent())
                .map(module -> module.resolve(DIRECTIVES))
                .filter(Files::isRegularFile);
    }

    /** What {@code ./skiff} puts before the user's options for receive and serve, given the directives file. */
    static List<String> daemonJvmOpts(Path directives) {
        return List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+DisplayVMOutputToStderr", "-XX:CompilerDirectivesFile=" + directives);
    }

    /**
     * The class-data archive {@code ./skiff} makes next to the jar for this java binary (named after its
     * real path), if it is there and not older than the jar.
     */
    static Optional<Path> cdsArchive(Path javaBinary, Path jar) {
        try {
            String key = javaBinary.toRealPath().toString().replaceAll("[^A-Za-z0-9._-]", "_");
            Path archive = jar.resolveSibling("skiff-cds-" + key + ".jsa");
            if (Files.isRegularFile(archive) && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) >= 0) {
                return Optional.of(archive);
            }
        } catch (IOException e) {
            // no such java or jar: no archive either
        }
        return Optional.empty();
    }

    static Path currentJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** A daemon's command line (receive), up to its subcommand. */
    List<String> daemonCommand() {
        return javaCommand(daemonLauncherOpts());
    }

    /** What ./skiff puts before the user's options for a daemon: the compiler directives, if this checkout has them. */
    List<String> daemonLauncherOpts() {
        return daemonDirectives.map(SkiffCommand::daemonJvmOpts).orElse(List.of());
    }

    /** What ./skiff adds for a push that builds its manifest, given the directives file: the JVM's own output silenced. */
    static List<String> hashingPushDirectiveOpts(Path directives) {
        return List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:-DisplayVMOutput", "-XX:CompilerDirectivesFile=" + directives);
    }

    /** What ./skiff puts before the user's options for a push that builds its manifest: the directives after the rest. */
    List<String> hashingPushLauncherOpts() {
        List<String> opts = new ArrayList<>(SHORT_LIVED_JVM_OPTS);
        daemonDirectives.ifPresent(d -> opts.addAll(hashingPushDirectiveOpts(d)));
        return opts;
    }

    /** A short-lived command's (manifest, keys), up to its subcommand. */
    private List<String> shortLivedCommand() {
        return javaCommand(SHORT_LIVED_JVM_OPTS);
    }

    private List<String> javaCommand(List<String> launcherOpts) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary.toString());
        cmd.addAll(launcherOpts);
        cdsArchive.ifPresent(archive -> cmd.add("-XX:SharedArchiveFile=" + archive));
        cmd.addAll(LOG_OPTS);
        cmd.addAll(javaOpts);
        cmd.add("-jar");
        cmd.add(jar.toString());
        return cmd;
    }

    /**
     * A push; with {@code manifest} present, one saved by {@link #manifest} is used instead of hashing again.
     * {@code history} is the sender's store of the releases it published ({@code --history}): the base
     * push of an update records v1 there, and the timed push of v2 can use v1 as a delta base.
     */
    List<String> push(Path source, String channel, String version, int port, Optional<Path> manifest, Path history) {
        return push(source, channel, version, List.of("--to", "127.0.0.1:" + port), manifest, history);
    }

    /**
     * A push to the targets {@code destination} names: {@code --to ...}, or {@code --topology FILE} with or
     * without {@code --no-relay}.
     */
    List<String> push(Path source, String channel, String version, List<String> destination, Optional<Path> manifest, Path history) {
        List<String> cmd = javaCommand(manifest.isPresent() ? SAVED_MANIFEST_PUSH_JVM_OPTS : hashingPushLauncherOpts());
        cmd.addAll(List.of("push", source.toString(), "--channel", channel, "--version", version));
        cmd.addAll(senderTls);
        cmd.addAll(destination);
        cmd.addAll(List.of("--json", "--no-progress", "--history", history.toString()));
        manifest.ifPresent(m -> cmd.addAll(List.of("--manifest", m.toString())));
        return cmd;
    }

    /** {@code skiff push --help}: what this skiff's push accepts (the fan-out scenario asks it about --topology). */
    List<String> pushHelp() {
        List<String> cmd = shortLivedCommand();
        cmd.addAll(List.of("push", "--help"));
        return cmd;
    }

    /**
     * A push that reconnects after a cut: {@code --retries} and {@code --retry-wait} (seconds, the first
     * wait; skiff doubles it for each further attempt and adds jitter). {@code retries} 0: the sender gives
     * up at the first cut, as if it had been killed there.
     */
    List<String> push(Path source, String channel, String version, int port, Optional<Path> manifest, Path history,
                      int retries, double retryWaitSeconds) {
        List<String> cmd = push(source, channel, version, port, manifest, history);
        cmd.addAll(List.of("--retries", Integer.toString(retries), "--retry-wait", seconds(retryWaitSeconds)));
        return cmd;
    }

    /** 0.2 as "0.2", 1 as "1": what a user would type. */
    static String seconds(double s) {
        return s == Math.rint(s) ? Long.toString((long) s) : String.format(Locale.ROOT, "%s", s);
    }

    /** Builds and saves a release's manifest ({@code skiff manifest --out}). */
    List<String> manifest(Path source, String channel, String version, Path out) {
        List<String> cmd = shortLivedCommand();
        cmd.addAll(List.of("manifest", source.toString(), "--channel", channel, "--version", version, "--out", out.toString()));
        return cmd;
    }
}
