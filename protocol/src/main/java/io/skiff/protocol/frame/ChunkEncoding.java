package io.skiff.protocol.frame;

/** How a CHUNK frame's payload encodes the chunk's bytes. */
public enum ChunkEncoding {
    RAW(0),
    ZSTD(1),
    /** zstd with bytes of the receiver's base release as a raw-content dictionary; see {@link ChunkReference}. */
    ZSTD_REF(2);

    private final int wire;

    ChunkEncoding(int wire) {
        this.wire = wire;
    }

    public int wire() {
        return wire;
    }

    /** The encoding for a wire byte, or null if unknown. */
    public static ChunkEncoding fromWire(int wire) {
        for (ChunkEncoding e : values()) {
            if (e.wire == wire) {
                return e;
            }
        }
        return null;
    }
}
