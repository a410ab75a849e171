package io.skiff.protocol;

/** What a manifest entry is. Symbolic links and special files are not part of a release. */
public enum EntryKind {
    FILE(1),
    DIRECTORY(2);

    private final int wire;

    EntryKind(int wire) {
        this.wire = wire;
    }

    public int wire() {
        return wire;
    }

    public static EntryKind fromWire(int wire) {
        for (EntryKind kind : values()) {
            if (kind.wire == wire) {
                return kind;
            }
        }
        throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "unknown entry kind=" + wire);
    }
}
