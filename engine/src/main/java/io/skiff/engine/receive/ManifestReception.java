package io.skiff.engine.receive;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ManifestCodec;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.frame.BaseFrame;
import io.skiff.protocol.frame.FrameDescriptor;
import io.skiff.protocol.frame.ManifestPartFrame;
import io.skiff.protocol.frame.OfferFrame;

import java.io.ByteArrayOutputStream;

/**
 * MANIFEST_PART frames in, one validated {@link Manifest} out: the parts of the encoded manifest the BASE
 * frame announced (plain, zstd, or zstd with the base's manifest as dictionary), bounded by that length,
 * decoded to exactly the offered canonical length (no bombs), checked against the offer (release id,
 * channel, version) and by {@link ManifestCodec#decode} (paths, limits). Every failure is MANIFEST_INVALID,
 * or the codec's own code (e.g. PATH_INVALID).
 */
final class ManifestReception {
    private final OfferFrame offer;
    private final BaseFrame encoding;
    /** The dictionary of a ZSTD_BASE manifest; null when the sender chose no base. */
    private final ChosenBase base;
    private ByteArrayOutputStream received;

    private ManifestReception(OfferFrame offer, BaseFrame encoding, ChosenBase base) {
        this.offer = offer;
        this.encoding = encoding;
        this.base = base;
        this.received = new ByteArrayOutputStream(Math.min(encoding.encodedManifestLength(), FrameDescriptor.MANIFEST_PART_BYTES));
    }

    /** Expects the manifest {@code b} announced for {@code offer}; MANIFEST_INVALID when its length cannot be right. */
    static ManifestReception expect(OfferFrame offer, BaseFrame b, ChosenBase base) {
        long bound = b.manifestEncoding() == BaseFrame.ManifestEncoding.PLAIN ? offer.manifestLength() : Zstd.compressBound(offer.manifestLength());
        if (b.encodedManifestLength() < 1 || b.encodedManifestLength() > bound) {
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID, b.manifestEncoding() + " manifest of " + b.encodedManifestLength()
                    + " bytes for a " + offer.manifestLength() + "-byte manifest");
        }
        return new ManifestReception(offer, b, base);
    }

    /** Takes one part (the caller releases the frame); returns the manifest once the last part arrived, else null. */
    Manifest accept(ManifestPartFrame part) {
        int expected = encoding.encodedManifestLength();
        if (received.size() + part.bytes().length > expected) {
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "manifest parts exceed the announced " + expected + " bytes");
        }
        received.writeBytes(part.bytes());
        if (received.size() < expected) {
            return null;
        }
        Manifest manifest = ManifestCodec.decode(canonical(received.toByteArray()));
        received = null;
        if (!manifest.releaseId().equals(offer.releaseId())) {
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "manifest hashes to " + manifest.releaseId().shortHex()
                    + ", offer said " + offer.releaseId().shortHex());
        }
        if (!manifest.channel().equals(offer.channel()) || !manifest.version().equals(offer.version())) {
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "manifest channel/version differ from the offer");
        }
        return manifest;
    }

    /** The canonical manifest bytes; a compressed manifest must decode to exactly the offered length (no bombs). */
    private byte[] canonical(byte[] encoded) {
        if (encoding.manifestEncoding() == BaseFrame.ManifestEncoding.PLAIN) {
            return encoded;
        }
        byte[] canonical = new byte[offer.manifestLength()];
        try (ZstdDecompressCtx zstd = new ZstdDecompressCtx()) {
            if (encoding.manifestEncoding() == BaseFrame.ManifestEncoding.ZSTD_BASE) {
                zstd.loadDict(base.manifest().canonicalBytes());
            }
            int size = zstd.decompressByteArray(canonical, 0, canonical.length, encoded, 0, encoded.length);
            if (size != canonical.length) {
                throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "manifest decoded to " + size + " bytes, offer said " + canonical.length);
            }
        } catch (ZstdException e) {
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "compressed manifest does not decode: " + e.getMessage());
        }
        return canonical;
    }
}
