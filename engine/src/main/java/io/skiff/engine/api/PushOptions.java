package io.skiff.engine.api;

import io.skiff.protocol.ChunkingParams;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How a push runs; defaults in {@link #defaults()}.
 *
 * @param chunking        FastCDC parameters for building the manifest
 * @param zstdLevel       compression level for chunks; 0 sends everything raw. Default 1: on code-set
 *                        text it compresses to 17.0 % against 16.9 % at level 3, 30 % faster (ZstdBenchmark)
 * @param encoderThreads  threads reading and compressing chunks, shared by all targets
 * @param maxInFlight     chunks being prepared per target beyond what the socket accepts
 * @param connectTimeout  TCP connect timeout per target
 * @param idleTimeout     a target silent for this long (nothing read, nothing written) fails
 * @param senderName      name sent in HELLO, shown in the receiver's log and audit trail
 * @param history         the sender's published releases ({@code io.skiff.engine.history.PublishedReleases}):
 *                        delta bases for zstd+reference chunks, and where this push is recorded; null for none
 * @param historyRetain   published releases kept per channel
 * @param retries         reconnections per target after a cut, a refused connection or BUSY
 * @param retryWait       wait before the first reconnection; doubled each time (at most 60 s), with jitter
 * @param bandwidthLimit  bytes per second leaving the sender, all targets together; 0 for no limit
 * @param relays          send each named region of the {@link Topology} once, to a relay that forwards it;
 *                        false: the sender pushes to every target itself
 * @param streams         TCP connections per target (1 to {@value #MAX_STREAMS}); chunks are spread over them
 *                        to fill a long fat link that one connection's window cannot
 * @param tls             this sender's key material: every connection is mutual TLS with the deployment's CA;
 *                        null: plaintext (loopback only, the CLI's --insecure)
 * @param signing         how the offered release is signed; null: unsigned
 */
public record PushOptions(ChunkingParams chunking, int zstdLevel, int encoderThreads, int maxInFlight,
                          Duration connectTimeout, Duration idleTimeout, String senderName, Path history, int historyRetain,
                          int retries, Duration retryWait, long bandwidthLimit, boolean relays, int streams,
                          TlsFiles tls, SigningOptions signing) {
    public static final int MAX_STREAMS = 16;
    public static final int DEFAULT_ZSTD_LEVEL = 1;
    public static final int DEFAULT_HISTORY_RETAIN = 3;
    public static final int DEFAULT_RETRIES = 3;

    public PushOptions {
        Objects.requireNonNull(chunking, "chunking");
        Objects.requireNonNull(retryWait, "retryWait");
        if (zstdLevel < 0 || zstdLevel > 19 || encoderThreads < 1 || maxInFlight < 1 || historyRetain < 1 || retries < 0 || bandwidthLimit < 0
                || streams < 1 || streams > MAX_STREAMS) {
            throw new IllegalArgumentException("zstdLevel=" + zstdLevel + " encoderThreads=" + encoderThreads + " maxInFlight=" + maxInFlight);
        }
    }

    public static PushOptions defaults() {
        return new PushOptions(ChunkingParams.DEFAULT, DEFAULT_ZSTD_LEVEL, Runtime.getRuntime().availableProcessors(), 16,
                Duration.ofSeconds(10), Duration.ofSeconds(120), "skiff@" + hostName(), null, DEFAULT_HISTORY_RETAIN,
                DEFAULT_RETRIES, Duration.ofSeconds(1), 0, true, 1, null, null);
    }

    public PushOptions withZstdLevel(int level) {
        return new PushOptions(chunking, level, encoderThreads, maxInFlight, connectTimeout, idleTimeout, senderName, history, historyRetain, retries, retryWait, bandwidthLimit, relays, streams, tls, signing);
    }

    public PushOptions withIdleTimeout(Duration timeout) {
        return new PushOptions(chunking, zstdLevel, encoderThreads, maxInFlight, connectTimeout, timeout, senderName, history, historyRetain, retries, retryWait, bandwidthLimit, relays, streams, tls, signing);
    }

    /** Reconnect up to {@code count} times per target, waiting {@code firstWait}, then doubling. */
    public PushOptions withRetries(int count, Duration firstWait) {
        return new PushOptions(chunking, zstdLevel, encoderThreads, maxInFlight, connectTimeout, idleTimeout, senderName, history,
                historyRetain, count, firstWait, bandwidthLimit, relays, streams, tls, signing);
    }

    /** At most {@code bytesPerSecond} leave the sender, all targets together (0: unlimited). */
    public PushOptions withBandwidthLimit(long bytesPerSecond) {
        return new PushOptions(chunking, zstdLevel, encoderThreads, maxInFlight, connectTimeout, idleTimeout, senderName, history,
                historyRetain, retries, retryWait, bytesPerSecond, relays, streams, tls, signing);
    }

    /** Keep published releases under {@code dir} (null: keep none, send without references). */
    public PushOptions withHistory(Path dir) {
        return new PushOptions(chunking, zstdLevel, encoderThreads, maxInFlight, connectTimeout, idleTimeout, senderName, dir, historyRetain, retries, retryWait, bandwidthLimit, relays, streams, tls, signing);
    }

    /** Whether named regions go through a relay (true) or get a push per target from the sender (false). */
    public PushOptions withRelays(boolean useRelays) {
        return new PushOptions(chunking, zstdLevel, encoderThreads, maxInFlight, connectTimeout, idleTimeout, senderName, history,
                historyRetain, retries, retryWait, bandwidthLimit, useRelays, streams, tls, signing);
    }

    /** Spread each target's chunks over {@code count} TCP connections. */
    public PushOptions withStreams(int count) {
        return new PushOptions(chunking, zstdLevel, encoderThreads, maxInFlight, connectTimeout, idleTimeout, senderName, history,
                historyRetain, retries, retryWait, bandwidthLimit, relays, count, tls, signing);
    }

    /** Mutual TLS with {@code files} on every connection (null: plaintext). */
    public PushOptions withTls(TlsFiles files) {
        return new PushOptions(chunking, zstdLevel, encoderThreads, maxInFlight, connectTimeout, idleTimeout, senderName, history,
                historyRetain, retries, retryWait, bandwidthLimit, relays, streams, files, signing);
    }

    /** Sign the offered release as {@code signing} says (null: unsigned). */
    public PushOptions withSigning(SigningOptions signing) {
        return new PushOptions(chunking, zstdLevel, encoderThreads, maxInFlight, connectTimeout, idleTimeout, senderName, history,
                historyRetain, retries, retryWait, bandwidthLimit, relays, streams, tls, signing);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
