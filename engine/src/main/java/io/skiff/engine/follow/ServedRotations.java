package io.skiff.engine.follow;

import io.skiff.engine.security.RotationChain;
import io.skiff.engine.store.TrustedRotations;
import io.skiff.protocol.ProtocolLimits;
import io.skiff.protocol.SignedKeyRotation;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The key rotations an origin serves with a channel's release: those the receiver that filled its root
 * took and kept ({@code ROOT/trust}, {@link TrustedRotations}) of every scope covering the channel, each
 * scope's in sequence order. A follower takes the ones it has keys for and ignores those it holds already;
 * an origin over a root without kept rotations (a receiver without trusted keys, a sender's history) serves none.
 */
final class ServedRotations {
    private ServedRotations() {
    }

    /**
     * Read on every serve: a rotation taken meanwhile goes out with the next one. At most
     * {@link ProtocolLimits#MAX_ROTATIONS}, the newest of each scope first kept (a follower further behind
     * than that is refused with a gap, and needs its configured keys updated).
     */
    static List<SignedKeyRotation> of(Path root, String channel) {
        List<SignedKeyRotation> served = new ArrayList<>();
        for (List<SignedKeyRotation> chain : new TrustedRotations(root).loadAll()) {
            if (chain.isEmpty() || !RotationChain.covers(chain.get(0).rotation().scope(), channel)) {
                continue;
            }
            int room = ProtocolLimits.MAX_ROTATIONS - served.size();
            served.addAll(chain.subList(Math.max(0, chain.size() - room), chain.size()));
        }
        return served;
    }
}
