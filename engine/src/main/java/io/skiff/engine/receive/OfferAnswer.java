package io.skiff.engine.receive;

import io.skiff.engine.store.ReleaseStore;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.ProtocolLimits;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SkiffException;
import io.skiff.protocol.StorageException;
import io.skiff.protocol.frame.BaseFrame;
import io.skiff.protocol.frame.OfferFrame;
import io.skiff.protocol.frame.OfferReplyFrame;

import java.net.InetAddress;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * What this receiver answers an OFFER: the release is already active here, or it is claimed for this
 * connection (BUSY when another one holds it) and the reply names the bases the sender may encode
 * against and whether the manifest is known (a staged one from an earlier connection).
 */
final class OfferAnswer {
    private final OfferReplyFrame reply;
    /** The claimed release's registry key; null when already active. */
    private final String busyKey;
    private final List<Sha256> bases;
    private final Manifest knownManifest;
    /** The manifest's share of the budget, held until the transfer ends; null when already active. */
    private final ManifestBudget.Reservation manifestMemory;

    private OfferAnswer(OfferReplyFrame reply, String busyKey, List<Sha256> bases, Manifest knownManifest,
                        ManifestBudget.Reservation manifestMemory) {
        this.reply = reply;
        this.busyKey = busyKey;
        this.bases = bases;
        this.knownManifest = knownManifest;
        this.manifestMemory = manifestMemory;
    }

    /**
     * Checks the offer (channel name: PATH_INVALID or the like) and answers it unless the release is already
     * active: reserves its manifest's memory in {@code budget} for {@code peer} (MANIFEST_INVALID when too
     * large, BUSY when the budget is in use), before the manifest is read from disk or received, and claims
     * the release in {@code transfers} (BUSY when another connection holds it).
     */
    static OfferAnswer to(OfferFrame o, ReleaseStore store, String tenant, TransferRegistry transfers, ManifestBudget budget, InetAddress peer) {
        store.channelDir(o.channel()); // validates the channel name
        if (o.releaseId().equals(store.current(o.channel()).orElse(null))) {
            return new OfferAnswer(new OfferReplyFrame(OfferReplyFrame.Decision.ALREADY_ACTIVE), null, List.of(), null, null);
        }
        ManifestBudget.Reservation memory = budget.reserve(peer, o.manifestLength());
        String key = TransferRegistry.key(tenant, o.channel(), o.releaseId());
        if (!transfers.tryBegin(key)) {
            memory.close();
            throw new SkiffException(ErrorCode.BUSY, "release " + o.releaseId().shortHex() + " of " + o.channel()
                    + " is being received on another connection");
        }
        try {
            List<Sha256> bases = basesOf(store, o.channel());
            Manifest known = store.loadManifest(o.channel(), o.releaseId()).orElse(null);
            return new OfferAnswer(new OfferReplyFrame(known != null ? OfferReplyFrame.Decision.MANIFEST_KNOWN
                    : OfferReplyFrame.Decision.SEND_MANIFEST, bases), key, bases, known, memory);
        } catch (RuntimeException e) {
            transfers.end(key);
            memory.close();
            throw e;
        }
    }

    /** The transfer is over: its manifest's memory goes back to the budget. */
    void end() {
        if (manifestMemory != null) {
            manifestMemory.close();
        }
    }

    /** Releases of the channel the sender may encode against: current first, then retained, newest first. */
    private static List<Sha256> basesOf(ReleaseStore store, String channel) {
        List<Sha256> bases = new ArrayList<>();
        store.current(channel).ifPresent(bases::add);
        for (Sha256 id : store.releases(channel)) {
            if (bases.size() < ProtocolLimits.MAX_BASES && !bases.contains(id) && Files.exists(store.manifestFile(channel, id))) {
                bases.add(id);
            }
        }
        return bases;
    }

    boolean alreadyActive() {
        return busyKey == null;
    }

    OfferReplyFrame reply() {
        return reply;
    }

    /** The registry key this connection now holds (released when its transfer is); null when already active. */
    String busyKey() {
        return busyKey;
    }

    List<Sha256> bases() {
        return bases;
    }

    /**
     * The manifest this receiver already has for the offered release, or null: the sender sends it as
     * {@code b} announced. UNEXPECTED_FRAME when {@code b} announces one this receiver knows.
     */
    Manifest knownManifest(BaseFrame b) {
        if (knownManifest != null && b.encodedManifestLength() != 0) {
            throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME, "manifest announced, but this receiver knows it");
        }
        return knownManifest;
    }

    /** The active release's manifest (a relay forwards it whole); STORAGE_FAILURE when it is missing. */
    static Manifest activeManifest(ReleaseStore store, OfferFrame o) {
        return store.loadManifest(o.channel(), o.releaseId()).orElseThrow(() -> new StorageException(
                store.manifestFile(o.channel(), o.releaseId()), "the manifest of current release " + o.releaseId().shortHex() + " is missing", null));
    }
}
