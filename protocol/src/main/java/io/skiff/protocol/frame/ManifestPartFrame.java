package io.skiff.protocol.frame;

/** A slice of the canonical manifest bytes; parts arrive in order until the offered length is reached. */
public record ManifestPartFrame(byte[] bytes) implements Frame {
    @Override
    public FrameType type() {
        return FrameType.MANIFEST_PART;
    }
}
