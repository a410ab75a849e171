package io.skiff.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The fan-out scenario (issue 7): one {@link ReceiverHost} JVM with every receiver, and per push a
 * {@link LoopbackProxy#counting} in front of each target the sender is given, so that the bytes leaving the sender
 * are counted outside skiff. Every push goes to new, empty channels and names the scenario's sender
 * history, like the other scenarios' pushes; after each, every target's {@code current} is compared with
 * the source and the channel is removed from every receiver.
 *
 * <ul>
 * <li>{@link FanoutResult.Kind#SINGLE}: {@code --to} receiver 0 (through its proxy).</li>
 * <li>{@link FanoutResult.Kind#NO_RELAY}: {@code --topology FILE --no-relay}: the sender pushes to every target.</li>
 * <li>{@link FanoutResult.Kind#RELAY}: {@code --topology FILE}: the sender pushes each region once, to a relay,
 *     which forwards to the rest of its region at their {@code internal} (real) ports, past the proxies.</li>
 * </ul>
 *
 * A skiff whose push has no {@code --topology} (relays not built yet) gets the every-target push as a
 * plain {@code --to} list instead, and the relay run is not measured.
 */
final class FanoutBench implements AutoCloseable {
    static final String CHANNEL = SkiffBench.CHANNEL + "-fanout";
    /** After the sender exited, how long the proxies may take to see the last connection closed. */
    static final Duration PROXY_IDLE = Duration.ofSeconds(90);

    /** What this skiff's push accepts, from its --help. */
    record Support(boolean topology, boolean noRelay) {
        static Support of(String pushHelp) {
            return new Support(pushHelp.contains("--topology"), pushHelp.contains("--no-relay"));
        }

        boolean relays() {
            return topology && noRelay;
        }
    }

    private final SkiffCommand skiff;
    private final ProcessMeter meter;
    private final Path workDir;
    private final Path logs;
    private final Path history;
    private final long clockTicks;
    private final boolean savedManifest;
    private final FanoutLayout layout;
    /** --bwlimit of every push (the sender's uplink), if capped. */
    private final Optional<String> uplink;
    private final Support support;
    private final Path hostRoot;
    private final Path hostLog;
    private final ReceiverHostProcess host;

    FanoutBench(SkiffCommand skiff, ProcessMeter meter, Path workDir, LiveProcesses live, long clockTicks, boolean savedManifest,
                Path history, FanoutLayout layout, List<String> hostJavaOpts, String hostClassPath, Optional<String> uplink)
            throws IOException, InterruptedException, RunFailedException {
        this.skiff = skiff;
        this.meter = meter;
        this.workDir = workDir;
        this.clockTicks = clockTicks;
        this.savedManifest = savedManifest;
        this.layout = layout;
        this.uplink = uplink;
        this.logs = Files.createDirectories(workDir.resolve("logs"));
        FileTrees.deleteRecursively(history); // as SkiffBench: a kept --work-dir must not hand over an old history
        this.history = Files.createDirectories(history);
        this.support = probe();
        this.hostRoot = workDir.resolve("skiff-fanout-roots");
        FileTrees.deleteRecursively(hostRoot);
        this.hostLog = logs.resolve("fanout-receiver-host.log");
        this.host = ReceiverHostProcess.start(skiff.javaBinary(), hostJavaOpts, hostClassPath, hostRoot, layout.receivers(), hostLog, live);
    }

    Support support() {
        return support;
    }

    /** One line for the report: how the every-target pushes named their targets. */
    String targetsGivenAs() {
        String given = support.relays()
                ? "skiff push --topology FILE (REGION 127.0.0.1:PROXY internal=127.0.0.1:PORT per target; --no-relay for the run without relays)"
                : "a plain --to list (this skiff's push has no --topology/--no-relay, so no regions and no relays)";
        return given + uplink.map(rate -> "; every push (the single-target one too) with --bwlimit " + rate
                + ": the sender's uplink capped, as to remote regions").orElse("");
    }

    /** Why the relay run is skipped with this skiff; empty when it can run. */
    Optional<String> relaySkipReason() {
        return support.relays() ? Optional.empty()
                : Optional.of("this skiff's push has no " + (support.topology() ? "--no-relay" : "--topology")
                + "; relays need skiff push --topology and --no-relay");
    }

    private Support probe() throws IOException, InterruptedException, RunFailedException {
        ProcessMeter.MeteredRun help = meter.run(skiff.pushHelp(), logs.resolve("fanout-push-help"));
        if (help.exitCode() != 0) {
            throw new RunFailedException("skiff push --help exited with " + help.exitCode() + ":\n" + help.stderr().strip());
        }
        return Support.of(help.stdout() + help.stderr());
    }

    FanoutRun run(Workload w, int rep, FanoutResult.Kind kind)
            throws IOException, InterruptedException, RunFailedException, TreeComparator.TreeMismatchException {
        if (kind == FanoutResult.Kind.RELAY && !support.relays()) {
            throw new IllegalStateException("relays not supported by this skiff");
        }
        String prefix = "fanout-r" + rep + "-" + kind.key();
        String channel = CHANNEL + "-r" + rep + "-" + kind.key();
        List<Integer> receivers = kind == FanoutResult.Kind.SINGLE ? List.of(0) : allReceivers();
        List<LoopbackProxy> proxies = new ArrayList<>();
        try {
            for (int i : receivers) {
                proxies.add(LoopbackProxy.counting(host.port(i)));
            }
            List<String> destination = new ArrayList<>(destination(kind, proxies, prefix));
            uplink.ifPresent(rate -> destination.addAll(List.of("--bwlimit", rate)));
            Optional<Path> manifest = manifest(w, channel, prefix);

            ProcStat.CpuTicks before = ProcStat.cpuTicks(host.pid());
            boolean rssReset = ProcStat.resetPeakRss(host.pid());
            ProcessMeter.MeteredRun run = meter.run(skiff.push(w.source(), channel, "v1", destination, manifest, history),
                    logs.resolve(prefix));
            for (LoopbackProxy p : proxies) {
                if (!p.awaitIdle(PROXY_IDLE)) {
                    throw new RunFailedException("a proxy still forwards a connection " + PROXY_IDLE.toSeconds() + " s after skiff push "
                            + "exited" + where(prefix));
                }
            }
            ProcStat.CpuTicks after = ProcStat.cpuTicks(host.pid());
            double hostRss = rssReset ? ProcStat.peakRssKb(host.pid()).stream().asDoubleStream().findFirst().orElse(Double.NaN) : Double.NaN;

            FanoutPushResult result = activated(run, prefix, receivers.size());
            for (int i : receivers) {
                TreeComparator.verify(w.digest(), host.current(i, channel), "fanout rep " + rep + ", " + kind.shortLabel() + ", receiver "
                        + i + " (" + layout.regionOf(i) + ")");
            }
            List<FanoutRun.Proxied> counted = new ArrayList<>();
            for (LoopbackProxy p : proxies) {
                counted.add(new FanoutRun.Proxied("127.0.0.1:" + p.port(), p.connections().size(), p.clientToServer(), p.serverToClient()));
            }
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("skiff_seconds", result.seconds());
            d.put("skiff_manifest_seconds", result.manifestSeconds());
            d.put("release_id", result.releaseId());
            d.put("manifest", manifest.isPresent() ? "saved beforehand (untimed)" : "built by the timed push");
            d.put("command", String.join(" ", destination));
            d.put("per_target", result.targets().stream().map(FanoutPushResult.Target::toJson).toList());
            return new FanoutRun(kind, rep, run.wallSeconds(), counted, result.bytesWire(), result.targets().size(),
                    (int) result.activated(), result.routes(), run.cpuSeconds(), run.peakRssKb(),
                    (after.self() - before.self()) / (double) clockTicks, hostRss, d);
        } finally {
            for (LoopbackProxy p : proxies) {
                p.close();
            }
            for (int i = 0; i < layout.receivers(); i++) {
                FileTrees.deleteRecursively(host.root(i).resolve(channel));
            }
        }
    }

    private List<Integer> allReceivers() {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < layout.receivers(); i++) {
            all.add(i);
        }
        return all;
    }

    /** The push's target arguments; for the every-target kinds, writes the topology file first. */
    private List<String> destination(FanoutResult.Kind kind, List<LoopbackProxy> proxies, String prefix) throws IOException {
        if (kind == FanoutResult.Kind.SINGLE) {
            return List.of("--to", "127.0.0.1:" + proxies.get(0).port());
        }
        List<FanoutLayout.Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < proxies.size(); i++) {
            endpoints.add(new FanoutLayout.Endpoint(i, proxies.get(i).port(), proxies.get(i).targetPort()));
        }
        if (!support.relays()) {
            return List.of("--to", layout.plainTo(endpoints));
        }
        Path file = workDir.resolve(prefix + ".topology");
        Files.writeString(file, layout.topologyFile(endpoints));
        return kind == FanoutResult.Kind.NO_RELAY ? List.of("--topology", file.toString(), "--no-relay")
                : List.of("--topology", file.toString());
    }

    /** With --saved-manifest, the manifest built untimed beforehand, as in the other scenarios. */
    private Optional<Path> manifest(Workload w, String channel, String prefix) throws IOException, InterruptedException, RunFailedException {
        if (!savedManifest) {
            return Optional.empty();
        }
        return Optional.of(SavedManifest.build(meter, skiff, w.source(), channel, "v1", workDir.resolve(prefix + ".manifest"),
                logs.resolve(prefix + "-manifest")));
    }

    private String where(String prefix) {
        return " (logs " + logs.resolve(prefix) + ".out/.err, receiver host log " + hostLog + ")";
    }

    /** The push exited 0, its JSON lists every target once, and every one activated. */
    private FanoutPushResult activated(ProcessMeter.MeteredRun run, String prefix, int expected) throws RunFailedException {
        if (run.exitCode() != 0) {
            throw new RunFailedException("skiff push exited with " + run.exitCode() + where(prefix) + ":\n" + run.stdout().strip() + "\n"
                    + run.stderr().strip());
        }
        FanoutPushResult r;
        try {
            r = FanoutPushResult.parse(run.stdout());
        } catch (IllegalArgumentException e) {
            throw new RunFailedException("cannot read skiff push --json output: " + e.getMessage() + where(prefix), e);
        }
        Set<String> names = new HashSet<>();
        r.targets().forEach(t -> names.add(t.target()));
        if (r.targets().size() != expected || names.size() != expected) {
            throw new RunFailedException("skiff push --json lists " + r.targets().size() + " target(s) (" + names.size() + " distinct), "
                    + "expected " + expected + where(prefix));
        }
        if (r.activated() != expected) {
            throw new RunFailedException("skiff push: " + r.activated() + " of " + expected + " targets activated: "
                    + String.join("; ", r.failures()) + where(prefix));
        }
        return r;
    }

    @Override
    public void close() throws InterruptedException, IOException {
        host.close();
        FileTrees.deleteRecursively(hostRoot);
        FileTrees.deleteRecursively(history);
    }
}
