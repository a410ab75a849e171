package io.skiff.engine;

import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.PushListener;
import io.skiff.engine.api.PushOptions;
import io.skiff.engine.api.PushResult;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.api.Topology;
import io.skiff.engine.follow.Follower;
import io.skiff.engine.receive.Receiver;
import io.skiff.engine.relay.Relay;
import io.skiff.engine.send.Pusher;
import io.skiff.protocol.Manifest;

import java.nio.file.Path;
import java.util.List;

/**
 * The engine's public entry points. The CLI, the demo, the benchmarks and the tests all go through
 * here.
 *
 * <pre>{@code
 * try (Receiver r = Skiff.receiver(ReceiverConfig.defaults(HostPort.parse("127.0.0.1:0"), root))) {
 *     PushResult result = Skiff.push(src, "icd10cm", "2027", List.of(new HostPort("127.0.0.1", r.port())),
 *             PushOptions.defaults(), PushListener.NONE);
 * }
 * }</pre>
 */
public final class Skiff {
    private Skiff() {
    }

    /** Starts a receiver; it serves until closed. */
    public static Receiver receiver(ReceiverConfig config) {
        Receiver receiver = Receiver.start(config, Relay::start);
        if (config.follow() != null) {
            Follower.start(receiver, config.follow());
        }
        return receiver;
    }

    /** Pushes {@code source}, described by an already built manifest, to every target in parallel. */
    public static PushResult push(Path source, Manifest manifest, List<HostPort> targets, PushOptions options,
                                  PushListener listener) {
        return Pusher.push(source, manifest, targets, options, listener);
    }

    /** Builds the manifest of {@code source} and pushes it to every target in parallel. */
    public static PushResult push(Path source, String channel, String version, List<HostPort> targets,
                                  PushOptions options, PushListener listener) {
        return Pusher.push(source, channel, version, targets, options, listener);
    }

    /** Builds the manifest of {@code source} and pushes it along {@code topology}: relays per named region. */
    public static PushResult push(Path source, String channel, String version, Topology topology,
                                  PushOptions options, PushListener listener) {
        return Pusher.push(source, channel, version, topology, options, listener);
    }

    /** Pushes {@code source}, described by an already built manifest, along {@code topology}. */
    public static PushResult push(Path source, Manifest manifest, Topology topology, PushOptions options,
                                  PushListener listener) {
        return Pusher.push(source, manifest, topology, options, listener);
    }
}
