package io.skiff.protocol.frame;

/** The type byte of a frame. See {@link FrameDescriptor} for the layout of each. */
public enum FrameType {
    HELLO(1),
    OFFER(2),
    OFFER_REPLY(3),
    MANIFEST_PART(4),
    WANT(5),
    CHUNK(6),
    COMMIT(7),
    ACTIVATED(8),
    ERROR(9),
    BASE(10),
    REFETCH(11),
    FOLLOW(12),
    RELAY(13),
    RELAY_STATUS(14),
    FOLLOW_WAIT(15),
    JOIN(16),
    /** Raw chunks of consecutive ordinals in one frame; decoded into one CHUNK frame each (protocol 3). */
    RAW_RUN(17),
    /** The publisher's signatures on the release offered next (after HELLO, before OFFER). */
    SIGNED(18),
    /** One key rotation the offered release's signatures depend on (after HELLO, before OFFER). */
    ROTATION(19),
    /** Protocol 4. */
    AUDIT_HEAD(20);

    private static final FrameType[] BY_WIRE = new FrameType[32];

    static {
        for (FrameType t : values()) {
            BY_WIRE[t.wire] = t;
        }
    }

    private final int wire;

    FrameType(int wire) {
        this.wire = wire;
    }

    public int wire() {
        return wire;
    }

    /** The type for a wire byte, or null if unknown. */
    public static FrameType fromWire(int wire) {
        return wire >= 0 && wire < BY_WIRE.length ? BY_WIRE[wire] : null;
    }
}
