package io.skiff.engine.delta;

/**
 * A run of base-release chunks used as a reference (zstd raw-content dictionary) for one target
 * chunk: base ordinals {@code [start, start + count)}, all in one base file, so the receiver reads it
 * as one contiguous byte range of that file.
 *
 * @param bytes total length of the chunks: the size of the reference
 */
public record BaseRange(int start, int count, long bytes) {
    public BaseRange {
        if (start < 0 || count < 1 || bytes < 1) {
            throw new IllegalArgumentException("start=" + start + ", count=" + count + ", bytes=" + bytes);
        }
    }

    /** One past the last ordinal. */
    public int end() {
        return start + count;
    }
}
