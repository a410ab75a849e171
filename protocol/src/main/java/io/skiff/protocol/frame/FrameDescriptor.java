package io.skiff.protocol.frame;

/**
 * Layout of every skiff frame. All integers are big-endian; {@code str16} is a u16 byte length then
 * UTF-8 bytes; {@code id} is a 32-byte SHA-256.
 *
 * <pre>
 * Frame:  +-------------+---------+----------------------+
 *         | length u32  | type u8 | body (length-1 B)    |
 *         +-------------+---------+----------------------+
 *         length counts the type byte and the body; 1 <= length <= ProtocolLimits.MAX_FRAME_BYTES
 *
 * HELLO          (S->R) magic u32 "SKIF" | protocol u16 | peer str16
 * OFFER          (S->R) release id | manifest length u32 | channel str16 | version str16
 * OFFER_REPLY    (R->S) decision u8 (1 already active, 2 send manifest, 3 manifest known)
 *                       | base count u8 (<= MAX_BASES) | base release id * count (newest first)
 * BASE           (S->R) base release id (all zero: none) | manifest encoding u8 (0 plain, 1 zstd,
 *                       2 zstd with the base's canonical manifest as dictionary) | encoded manifest length u32
 * MANIFEST_PART  (S->R) bytes of the encoded manifest (<= MANIFEST_PART_BYTES per frame)
 * WANT           (R->S) chunk count u32 | wanted count u32 | form u8, then
 *                       form 0: bitmap ceil(count/8) B, bit i = byte i/8, 1 &lt;&lt; (i%8)
 *                       form 1: runs, (gap varint, length varint) per run of wanted ordinals
 * CHUNK          (S->R) ordinal u32 | encoding u8 (0 raw, 1 zstd, 2 zstd+reference) | raw length u32 | payload
 *                       zstd+reference payload: base ordinal u32 | base chunk count u16 | zstd bytes
 * REFETCH        (R->S) count u32 | ordinal u32 * count: send these again, without a reference
 * FOLLOW         (F->O) channel str16: after its HELLO, a follower asks an origin for the channel's
 *                       current release; the origin then acts as the sender on this connection
 * FOLLOW_WAIT    (F->O) channel str16 | held release id (all zero: none) | max wait seconds u16
 *                       (<= MAX_FOLLOW_WAIT_SECONDS): FOLLOW as a long poll; the origin answers at once if its
 *                       current release differs from the held one, else when it changes or the wait is over
 * RELAY          (S->R) target count u16 (1..MAX_RELAY_TARGETS) | (address str16 "host:port" | bandwidth limit
 *                       u64 bytes/s, 0 none) * count: after HELLO, before OFFER; the receiver relays the release
 * RELAY_STATUS   (R->S) target index u16 | state u8 (0 sending, 1 activated, 2 already active, 3 failed)
 *                       | bytes wire u64 | bytes delivered u64 (raw) | bytes wanted u64 (raw)
 *                       | chunks sent u32 | copied locally u32 | refetched u32
 *                       | manifest bytes u32 | millis u32 | attempts u8 | base release id (all zero: none)
 *                       | encoding count u8 (= number of chunk encodings) | (chunks u32 | bytes u64) * count
 *                       | error code u16 (0 none) | message str16
 *                       [protocol 4, an outcome: 1 u8 | the target's audit trail id | record number u64 | record hash]
 * SIGNED         (S->R) a SignedRelease (release statement | signature count u8 | (key id | length u16 |
 *                       signature) * count): after HELLO (and RELAY), before OFFER; the publisher's signatures
 * ROTATION       (S->R) a SignedKeyRotation (magic "SKRT" | format u8 | scope str16 | sequence u32 | threshold u8
 *                       | key count u8 | (length u16 | SPKI DER) * count | signature count u8 | (key id | length u16
 *                       | signature) * count): after HELLO (and RELAY), before OFFER, before or after SIGNED; one per
 *                       rotation, in sequence order, at most MAX_ROTATIONS per connection
 * AUDIT_HEAD     (R->S, protocol 4) trail id (the hash of its first record) | record number u64 | record hash:
 *                       where the receiver's audit trail stands, right before ACTIVATED or a recorded refusal's ERROR
 * JOIN           (S->R) channel str16 | release id: after HELLO, an extra stream of a push with parallel
 *                       streams joins the receiver's transfer of that release; it then carries CHUNK frames only
 * RAW_RUN        (S->R, protocol 3) first ordinal u32 | count u16 (1..MAX_RUN_CHUNKS) | raw length u32 * count
 *                       | the chunks' bytes, back to back: count raw CHUNKs of ordinals first..first+count-1
 * COMMIT         (S->R) release id
 * ACTIVATED      (R->S) release id | chunks received u32 | chunks copied locally u32
 * ERROR          (both) code u16 | message str16
 * </pre>
 */
public final class FrameDescriptor {
    public static final int MAGIC = 0x534B4946; // "SKIF"
    /** The protocol this side speaks: 3 added RAW_RUN, 4 AUDIT_HEAD. */
    public static final int PROTOCOL_VERSION = 4;
    /** The oldest a receiver or origin still accepts in HELLO; a peer that said 2 is never sent RAW_RUN. */
    public static final int OLDEST_PROTOCOL_VERSION = 2;
    /** The first protocol whose receivers take RAW_RUN. */
    public static final int RAW_RUN_SINCE = 3;
    /** The first protocol whose senders take AUDIT_HEAD. */
    public static final int AUDIT_HEAD_SINCE = 4;
    public static final int LENGTH_FIELD_BYTES = 4;
    public static final int TYPE_BYTES = 1;
    public static final int HEADER_BYTES = LENGTH_FIELD_BYTES + TYPE_BYTES;
    /** ordinal u32 + encoding u8 + raw length u32. */
    public static final int CHUNK_HEADER_BYTES = 9;
    /** first ordinal u32 + count u16, before the raw lengths (u32 each) of a RAW_RUN frame. */
    public static final int RUN_HEADER_BYTES = 6;
    /** Manifests travel in parts of at most this many bytes so frames stay small. */
    public static final int MANIFEST_PART_BYTES = 1024 * 1024;
    /** base ordinal u32 + base chunk count u16 in front of a zstd+reference payload. */
    public static final int REFERENCE_HEADER_BYTES = 6;
    /** WANT body forms. */
    public static final int WANT_BITMAP = 0;
    public static final int WANT_RUNS = 1;

    private FrameDescriptor() {
    }
}
