package io.skiff.engine.encode;

import io.skiff.protocol.Manifest;

import java.nio.file.Path;
import java.util.BitSet;

/**
 * Estimates the bytes a push of {@code next} would put on the wire to a target holding {@code base}:
 * the wanted chunks encoded by the sender's own code (zstd against the base's bytes, as with a sender
 * history that holds the base), frame headers, the manifest compressed against the base manifest, and
 * a constant for the handshake. Reads only the wanted chunks and the base bytes they refer to.
 */
public final class WireEstimate {
    /** HELLO, OFFER, OFFER_REPLY's base list, BASE, WANT headers, COMMIT: a generous constant for the handshake. */
    private static final int HANDSHAKE_BYTES = 256;

    private WireEstimate() {
    }

    public static long of(Path baseRoot, Manifest base, Path nextRoot, Manifest next, BitSet wanted, int zstdLevel) {
        return ReleaseEncodings.estimate(baseRoot, base, nextRoot, next, wanted, zstdLevel, HANDSHAKE_BYTES);
    }
}
