package io.skiff.protocol;

/** Hard limits of the wire and manifest formats. Every length read from a peer is checked against these before allocation. */
public final class ProtocolLimits {
    /** Largest chunk any chunking configuration may produce. */
    public static final int MAX_CHUNK_BYTES = 4 * 1024 * 1024;
    /** Largest frame body (type byte plus payload); a chunk frame carries at most one chunk plus its header. */
    public static final int MAX_FRAME_BYTES = MAX_CHUNK_BYTES + 1024;
    /** Largest UTF-8 encoded path in a manifest. */
    public static final int MAX_PATH_BYTES = 4096;
    /** Largest UTF-8 encoded channel name, version label, peer name or error message. */
    public static final int MAX_LABEL_BYTES = 1024;
    /** Most entries (files and directories) in one manifest. */
    public static final int MAX_ENTRIES = 1_000_000;
    /** Most chunks in one manifest (about 1 TiB at the default 64 KiB average). */
    public static final int MAX_CHUNKS = 16 * 1024 * 1024;
    /** Largest canonical manifest: MAX_CHUNKS chunk references plus generous room for entries. */
    public static final long MAX_MANIFEST_BYTES = 36L * MAX_CHUNKS + 256L * MAX_ENTRIES;
    /** Most base releases a receiver lists in OFFER_REPLY. */
    public static final int MAX_BASES = 16;
    /** Largest reference (dictionary) a zstd+reference chunk may name. */
    public static final int MAX_REFERENCE_BYTES = 1 << 20;
    /** Most ordinals in one REFETCH frame. */
    public static final int MAX_REFETCH = 65536;
    /** Most targets one relay forwards to. */
    public static final int MAX_RELAY_TARGETS = 1024;
    /** Longest a follower may ask an origin to hold a FOLLOW_WAIT before answering. */
    public static final int MAX_FOLLOW_WAIT_SECONDS = 3600;
    /** Most chunks in one RAW_RUN frame (whose whole body is still at most MAX_FRAME_BYTES). */
    public static final int MAX_RUN_CHUNKS = 1024;
    /** Largest file a manifest may describe. */
    public static final long MAX_FILE_BYTES = 1L << 44;

    private ProtocolLimits() {
    }

    /** Most signatures on one release: a threshold of keys, not an unbounded list (TUF's roots hold a few). */
    public static final int MAX_SIGNATURES = 16;
    /** Longest signature accepted: Ed25519's is 64 bytes; room for larger schemes, not for data. */
    public static final int MAX_SIGNATURE_BYTES = 512;
    /** Longest encoded {@link SignedRelease}: two labels, a fixed part and every signature at its longest. */
    public static final int MAX_SIGNED_RELEASE_BYTES = 64 + 2 * (2 + MAX_LABEL_BYTES) + 1 + MAX_SIGNATURES * (32 + 2 + MAX_SIGNATURE_BYTES);
    /** Most keys a {@link KeyRotation} hands trust to (as many as a release may be signed by). */
    public static final int MAX_ROTATION_KEYS = MAX_SIGNATURES;
    /** Longest public key encoding in a rotation: Ed25519's X.509 SubjectPublicKeyInfo is 44 bytes; room for larger schemes. */
    public static final int MAX_ROTATION_KEY_BYTES = 1024;
    /** Most signatures on one rotation: every key of the set it replaces and every key of its own. */
    public static final int MAX_ROTATION_SIGNATURES = 2 * MAX_SIGNATURES;
    /** Longest encoded {@link SignedKeyRotation}: a scope label, a fixed part, every key and signature at its longest. */
    public static final int MAX_KEY_ROTATION_BYTES = 16 + (2 + MAX_LABEL_BYTES) + MAX_ROTATION_KEYS * (2 + MAX_ROTATION_KEY_BYTES)
            + 1 + MAX_ROTATION_SIGNATURES * (32 + 2 + MAX_SIGNATURE_BYTES);
    /** Most ROTATION frames before one OFFER: a chain of key sets, taken in order; rotations are rare, a chain is short. */
    public static final int MAX_ROTATIONS = 16;
}
