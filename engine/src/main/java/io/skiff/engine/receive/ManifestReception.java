package io.skiff.engine.receive;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ManifestCodec;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.frame.BaseFrame;
import io.skiff.protocol.frame.ManifestPartFrame;
import io.skiff.protocol.frame.OfferFrame;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * MANIFEST_PART frames in, one validated {@link Manifest} out: the parts of the encoded manifest the BASE
 * frame announced (plain, zstd, or zstd with the base's manifest as dictionary), bounded by that length,
 * decoded to exactly the offered canonical length (no bombs), checked against the offer (release id,
 * channel, version) and by {@link ManifestCodec#decode} (paths, limits). Every failure is MANIFEST_INVALID,
 * or the codec's own code (e.g. PATH_INVALID).
 *
 * <p>One copy of the manifest at a time: a plain one is written into its canonical array as it arrives;
 * a compressed one is kept as its parts and decompressed from them into the canonical array, which the
 * decoded manifest then keeps. The memory this takes is reserved in the {@link ManifestBudget} at OFFER.
 */
final class ManifestReception {
    private final OfferFrame offer;
    private final BaseFrame encoding;
    /** The dictionary of a ZSTD_BASE manifest; null when the sender chose no base. */
    private final ChosenBase base;
    /** PLAIN: the canonical bytes so far; null for a compressed manifest. */
    private byte[] plain;
    /** A compressed manifest's parts as they arrived; null for a plain one. */
    private List<byte[]> parts;
    private int received;

    private ManifestReception(OfferFrame offer, BaseFrame encoding, ChosenBase base) {
        this.offer = offer;
        this.encoding = encoding;
        this.base = base;
        if (encoding.manifestEncoding() == BaseFrame.ManifestEncoding.PLAIN) {
            plain = new byte[encoding.encodedManifestLength()];
        } else {
            parts = new ArrayList<>();
        }
    }

    /** Expects the manifest {@code b} announced for {@code offer}; MANIFEST_INVALID when its length cannot be right. */
    static ManifestReception expect(OfferFrame offer, BaseFrame b, ChosenBase base) {
        boolean plain = b.manifestEncoding() == BaseFrame.ManifestEncoding.PLAIN;
        long bound = plain ? offer.manifestLength() : Zstd.compressBound(offer.manifestLength());
        if (b.encodedManifestLength() < 1 || b.encodedManifestLength() > bound || plain && b.encodedManifestLength() != offer.manifestLength()) {
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID, b.manifestEncoding() + " manifest of " + b.encodedManifestLength()
                    + " bytes for a " + offer.manifestLength() + "-byte manifest");
        }
        return new ManifestReception(offer, b, base);
    }

    /** Takes one part (the caller releases the frame); returns the manifest once the last part arrived, else null. */
    Manifest accept(ManifestPartFrame part) {
        int expected = encoding.encodedManifestLength();
        byte[] bytes = part.bytes();
        if (bytes.length > expected - received) {
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "manifest parts exceed the announced " + expected + " bytes");
        }
        if (plain != null) {
            System.arraycopy(bytes, 0, plain, received, bytes.length);
        } else {
            parts.add(bytes);
        }
        received += bytes.length;
        if (received < expected) {
            return null;
        }
        byte[] canonical = plain != null ? plain : decompress();
        plain = null;
        parts = null;
        Manifest manifest = ManifestCodec.decode(canonical);
        if (!manifest.releaseId().equals(offer.releaseId())) {
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "manifest hashes to " + manifest.releaseId().shortHex()
                    + ", offer said " + offer.releaseId().shortHex());
        }
        if (!manifest.channel().equals(offer.channel()) || !manifest.version().equals(offer.version())) {
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "manifest channel/version differ from the offer");
        }
        return manifest;
    }

    /** The canonical bytes of a compressed manifest: exactly the offered length (no bombs), and nothing after it. */
    private byte[] decompress() {
        byte[] canonical = new byte[offer.manifestLength()];
        InputStream encoded = new SequenceInputStream(Collections.enumeration(parts.stream().map(ByteArrayInputStream::new).toList()));
        try (ZstdInputStreamNoFinalizer zstd = new ZstdInputStreamNoFinalizer(encoded)) {
            if (encoding.manifestEncoding() == BaseFrame.ManifestEncoding.ZSTD_BASE) {
                zstd.setDict(base.manifest().canonicalBytes());
            }
            int size = zstd.readNBytes(canonical, 0, canonical.length);
            if (size != canonical.length || zstd.read() != -1) {
                throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "manifest decoded to " + (size == canonical.length ? "more than " : "")
                        + size + " bytes, offer said " + canonical.length);
            }
        } catch (IOException e) { // zstd-jni reports a corrupt stream as an IOException
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "compressed manifest does not decode: " + e.getMessage());
        }
        return canonical;
    }
}
