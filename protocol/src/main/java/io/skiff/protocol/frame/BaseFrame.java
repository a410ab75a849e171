package io.skiff.protocol.frame;

import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.Sha256;

/**
 * The sender's choice after OFFER_REPLY: which of the receiver's releases it uses as delta base (null:
 * none; then no chunk comes with a reference) and how the manifest parts that follow are encoded.
 *
 * @param encodedManifestLength bytes of MANIFEST_PART that follow; 0 when the receiver knows the manifest
 */
public record BaseFrame(Sha256 baseId, ManifestEncoding manifestEncoding, int encodedManifestLength) implements Frame {
    public BaseFrame {
        if (encodedManifestLength < 0 || (manifestEncoding == ManifestEncoding.ZSTD_BASE && baseId == null)) {
            throw new IllegalArgumentException("encodedManifestLength=" + encodedManifestLength + " encoding=" + manifestEncoding
                    + " base=" + baseId);
        }
    }

    /** How MANIFEST_PART bytes encode the canonical manifest. */
    public enum ManifestEncoding {
        PLAIN(0),
        ZSTD(1),
        /** zstd with the base release's canonical manifest as a raw-content dictionary. */
        ZSTD_BASE(2);

        private final int wire;

        ManifestEncoding(int wire) {
            this.wire = wire;
        }

        public int wire() {
            return wire;
        }

        public static ManifestEncoding fromWire(int wire) {
            for (ManifestEncoding e : values()) {
                if (e.wire == wire) {
                    return e;
                }
            }
            throw new ProtocolException(ErrorCode.MALFORMED, "unknown manifest encoding=" + wire);
        }
    }

    @Override
    public FrameType type() {
        return FrameType.BASE;
    }
}
