package io.skiff.protocol.frame;

/**
 * Chunks the receiver could not decode with their reference (its copy of the base did not verify):
 * the sender sends them again without one. Ordinals ascending, each wanted earlier.
 */
public record RefetchFrame(int[] ordinals) implements Frame {
    @Override
    public boolean equals(Object o) {
        return o instanceof RefetchFrame r && java.util.Arrays.equals(ordinals, r.ordinals);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(ordinals);
    }

    @Override
    public String toString() {
        return "RefetchFrame" + java.util.Arrays.toString(ordinals);
    }

    @Override
    public FrameType type() {
        return FrameType.REFETCH;
    }
}
