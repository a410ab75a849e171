package io.skiff.engine.receive;

import io.skiff.engine.security.ReleaseTrust;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.engine.store.SignedReleases;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ReleaseStatement;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SignedRelease;
import io.skiff.protocol.StorageException;
import io.skiff.protocol.TrustException;
import io.skiff.protocol.frame.OfferFrame;

import java.time.Instant;

/**
 * An OFFER against the publishers' signatures (the SIGNED frame before it, if any), before anything of
 * the release is asked for or staged: the key rotations sent with it (ROTATION frames) are taken first,
 * so the offer is checked against the keys they hand trust to; the channel's active release and its kept
 * statement are what a rollback is judged against (an active release without one, by its manifest's
 * version label only). An accepted statement is kept with the release it names, for the next offer's comparison.
 */
final class OfferTrust {
    private OfferTrust() {
    }

    /**
     * A receiver without keys for the channel checks nothing, but still keeps signatures that name the
     * offered release: an origin serving its root, or a relay, forwards them to receivers that check.
     *
     * @throws TrustException RELEASE_UNTRUSTED or ROLLBACK_REFUSED, in one line (for the offer or one of its rotations)
     */
    static void check(RotatingTrust rotating, ReleaseStore store, OfferFrame offer, ReceivedTrust received) {
        rotating.take(received.list());
        SignedRelease signed = received.signed();
        ReleaseTrust trust = rotating.current();
        if (trust.keysFor(offer.channel()).isEmpty()) {
            if (signed != null && signed.statement().names(offer.channel(), offer.version(), offer.releaseId())) {
                SignedReleases.save(store, signed);
            }
            return;
        }
        Sha256 activeId = store.current(offer.channel()).orElse(null);
        ReleaseStatement active = activeId == null ? null
                : SignedReleases.load(store, offer.channel(), activeId).map(SignedRelease::statement).orElse(null);
        ReleaseTrust.Verdict verdict = trust.check(offer.channel(), offer.version(), offer.releaseId(), signed, activeId,
                activeVersion(store, offer.channel(), activeId, active), active, Instant.now());
        if (!verdict.accepted()) {
            ErrorCode code = switch (verdict.refusal()) {
                case ROLLBACK, VERSION_REUSED -> ErrorCode.ROLLBACK_REFUSED;
                case UNSIGNED, NOT_THIS_RELEASE, BELOW_THRESHOLD, EXPIRED -> ErrorCode.RELEASE_UNTRUSTED;
            };
            throw new TrustException(code, verdict.reason());
        }
        SignedReleases.save(store, signed);
    }

    /**
     * The active release's version label: from its kept statement, else (it came unsigned) from its
     * manifest, which every activation saves; a missing manifest is a broken store, and the check fails closed.
     */
    private static String activeVersion(ReleaseStore store, String channel, Sha256 activeId, ReleaseStatement active) {
        if (activeId == null || active != null) {
            return active == null ? null : active.version();
        }
        return store.loadManifest(channel, activeId).map(Manifest::version).orElseThrow(() -> new StorageException(
                store.manifestFile(channel, activeId), "active release " + activeId.shortHex() + " of " + channel + " has no manifest", null));
    }
}
