package io.skiff.protocol;

/**
 * FastCDC parameters. They are part of the manifest: two releases chunked with different parameters
 * share few chunks, so the receiver learns them from the manifest, not from its own configuration.
 */
public record ChunkingParams(int minBytes, int avgBytes, int maxBytes) {
    public static final ChunkingParams DEFAULT = new ChunkingParams(16 * 1024, 64 * 1024, 256 * 1024);

    public ChunkingParams {
        if (minBytes < 64) {
            throw new IllegalArgumentException("minBytes=" + minBytes + " must be >= 64");
        }
        if (avgBytes <= minBytes || Integer.bitCount(avgBytes) != 1) {
            throw new IllegalArgumentException("avgBytes=" + avgBytes + " must be a power of two > minBytes=" + minBytes);
        }
        if (maxBytes <= avgBytes || maxBytes > ProtocolLimits.MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException("maxBytes=" + maxBytes + " must be in (avgBytes=" + avgBytes
                    + ", " + ProtocolLimits.MAX_CHUNK_BYTES + "]");
        }
    }
}
