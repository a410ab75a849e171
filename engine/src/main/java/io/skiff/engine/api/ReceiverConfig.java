package io.skiff.engine.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything a receiver is configured with; defaults live in {@link #defaults}.
 *
 * @param listen           address to bind; port 0 picks a free port (the receiver reports the port it bound)
 * @param root             receiver root holding one directory per channel
 * @param retain           releases kept per channel, current included
 * @param ioThreads        Netty event loop threads (socket reads and writes)
 * @param diskThreads      threads running receive sessions: decode, verify, write, commit
 * @param limits           what peers get at most: manifest memory, connections ({@link ReceiverLimits#DEFAULTS})
 * @param rehashOnCommit   read every chunk back from disk and hash it again before activation
 *                         (chunks are always verified before they are written; this also catches
 *                         corruption between write and commit, at the cost of one more pass)
 * @param seeds            directories indexed at start as extra sources of local chunks
 * @param journalSync      how often received chunks are forced to disk and recorded in the resume
 *                         journal (also every 1024 chunks and when a connection ends): a crash loses
 *                         at most this much progress
 * @param idleTimeout      a connection silent this long (nothing read) is closed; the handshake (HELLO
 *                         and OFFER) must arrive within it too
 * @param follow           an origin to pull a channel's current release from, or null
 * @param relay            act as a region's relay when a sender asks (RELAY): connect to the targets it
 *                         names and forward the release; false answers ERROR refused, and the sender falls back
 * @param directWrites     write large staging files with O_DIRECT in 4 MiB segments, bypassing the page
 *                         cache (falls back by itself where the file system refuses it)
 * @param tls              this node's key material: every connection, accepted or made (relaying, following),
 *                         is mutual TLS with the deployment's CA; null: plaintext (loopback only, the CLI's --insecure)
 * @param grants           the grants file (TOML, {@code io.skiff.engine.security.AccessPolicy}): who may push,
 *                         relay or follow which channel, under which tenant; null: any identity of the CA may do anything
 * @param trust            the publisher keys every channel's releases must be signed with; null: releases are taken unsigned
 * @param smoke            run after every activation; a failure switches the channel back to its previous release; null: none
 */
public record ReceiverConfig(HostPort listen, Path root, int retain, int ioThreads, int diskThreads,
                             ReceiverLimits limits, boolean rehashOnCommit, List<Path> seeds, Duration journalSync,
                             Duration idleTimeout, FollowConfig follow, boolean relay, boolean directWrites,
                             TlsFiles tls, Path grants, TrustKeys trust, SmokeTest smoke) {
    public static final int DEFAULT_PORT = 7070;
    /** Releases kept per channel for rollback and as delta bases. */
    public static final int DEFAULT_RETAIN = 3;

    public ReceiverConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(root, "root");
        seeds = List.copyOf(seeds);
        Objects.requireNonNull(journalSync, "journalSync");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(limits, "limits");
        if (retain < 1 || ioThreads < 1 || diskThreads < 1) {
            throw new IllegalArgumentException("retain=" + retain + " ioThreads=" + ioThreads + " diskThreads=" + diskThreads);
        }
        if (smoke != null && retain < 2) {
            throw new IllegalArgumentException("a smoke test switches back to the previous release: retain must be 2 or more, is " + retain);
        }
    }

    public static ReceiverConfig defaults(HostPort listen, Path root) {
        int cores = Runtime.getRuntime().availableProcessors();
        return new ReceiverConfig(listen, root, DEFAULT_RETAIN, Math.max(1, cores / 2),
                Math.max(2, cores), ReceiverLimits.DEFAULTS, false, List.of(), Duration.ofSeconds(1), Duration.ofSeconds(120), null, true, true, null, null, null, null);
    }

    /** Runs {@code test} after every activation (null: none); {@link #retain} must keep the previous release (2 or more). */
    public ReceiverConfig withSmoke(SmokeTest test) {
        return new ReceiverConfig(listen, root, retain, ioThreads, diskThreads, limits, rehashOnCommit, seeds, journalSync, idleTimeout, follow, relay, directWrites, tls, grants, trust, test);
    }

    public ReceiverConfig withLimits(ReceiverLimits l) {
        return new ReceiverConfig(listen, root, retain, ioThreads, diskThreads, l, rehashOnCommit, seeds, journalSync, idleTimeout, follow, relay, directWrites, tls, grants, trust, smoke);
    }

    public ReceiverConfig withRetain(int retain) {
        return new ReceiverConfig(listen, root, retain, ioThreads, diskThreads, limits, rehashOnCommit, seeds, journalSync, idleTimeout, follow, relay, directWrites, tls, grants, trust, smoke);
    }

    public ReceiverConfig withRehashOnCommit(boolean rehash) {
        return new ReceiverConfig(listen, root, retain, ioThreads, diskThreads, limits, rehash, seeds, journalSync, idleTimeout, follow, relay, directWrites, tls, grants, trust, smoke);
    }

    public ReceiverConfig withJournalSync(Duration interval) {
        return new ReceiverConfig(listen, root, retain, ioThreads, diskThreads, limits, rehashOnCommit, seeds, interval, idleTimeout, follow, relay, directWrites, tls, grants, trust, smoke);
    }

    public ReceiverConfig withIdleTimeout(Duration timeout) {
        return new ReceiverConfig(listen, root, retain, ioThreads, diskThreads, limits, rehashOnCommit, seeds, journalSync, timeout, follow, relay, directWrites, tls, grants, trust, smoke);
    }

    /**
     * Pull {@code channel}'s current release from {@code origin} at start and whenever the origin gets a
     * new one; {@code interval} is the wait after a failed visit and the longest one visit waits.
     */
    public ReceiverConfig withFollow(HostPort origin, String channel, Duration interval) {
        return new ReceiverConfig(listen, root, retain, ioThreads, diskThreads, limits, rehashOnCommit, seeds, journalSync,
                idleTimeout, new FollowConfig(origin, channel, interval), relay, directWrites, tls, grants, trust, smoke);
    }

    public ReceiverConfig withSeeds(List<Path> dirs) {
        return new ReceiverConfig(listen, root, retain, ioThreads, diskThreads, limits, rehashOnCommit, dirs, journalSync, idleTimeout, follow, relay, directWrites, tls, grants, trust, smoke);
    }

    /** Whether this receiver relays for a sender that asks it to (see {@code relay}). */
    public ReceiverConfig withRelay(boolean allowed) {
        return new ReceiverConfig(listen, root, retain, ioThreads, diskThreads, limits, rehashOnCommit, seeds, journalSync,
                idleTimeout, follow, allowed, directWrites, tls, grants, trust, smoke);
    }

    /** Whether large staging files are written with O_DIRECT (see {@code directWrites}). */
    public ReceiverConfig withDirectWrites(boolean on) {
        return new ReceiverConfig(listen, root, retain, ioThreads, diskThreads, limits, rehashOnCommit, seeds, journalSync,
                idleTimeout, follow, relay, on, tls, grants, trust, smoke);
    }

    /** Mutual TLS with {@code files} on every connection (null: plaintext). */
    public ReceiverConfig withTls(TlsFiles files) {
        return new ReceiverConfig(listen, root, retain, ioThreads, diskThreads, limits, rehashOnCommit, seeds, journalSync,
                idleTimeout, follow, relay, directWrites, files, grants, trust, smoke);
    }

    /** Activate only releases signed by {@code keys} (null: take releases unsigned). */
    public ReceiverConfig withTrust(TrustKeys keys) {
        return new ReceiverConfig(listen, root, retain, ioThreads, diskThreads, limits, rehashOnCommit, seeds, journalSync,
                idleTimeout, follow, relay, directWrites, tls, grants, keys, smoke);
    }

    /** Authorize pushes, relays and follows by the grants in {@code file} (null: any identity of the CA may do anything). */
    public ReceiverConfig withGrants(Path file) {
        return new ReceiverConfig(listen, root, retain, ioThreads, diskThreads, limits, rehashOnCommit, seeds, journalSync,
                idleTimeout, follow, relay, directWrites, tls, file, trust, smoke);
    }
}
