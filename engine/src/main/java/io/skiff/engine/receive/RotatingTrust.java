package io.skiff.engine.receive;

import io.skiff.engine.security.ReleaseTrust;
import io.skiff.engine.security.RotationChain;
import io.skiff.engine.store.TrustedRotations;
import io.skiff.protocol.SignedKeyRotation;
import io.skiff.protocol.TrustException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A receiver's trust as key rotations change it: the configured trust with, per scope, the key set of the
 * last rotation taken. Shared by every session of the receiver: {@link #take} runs one at a time (a
 * rotation is checked against, kept after and applied on top of the one before it), {@link #current} is a
 * snapshot any thread reads without a lock.
 *
 * <p>A rotation is kept in {@code ROOT/trust} ({@link TrustedRotations}) before it is used, so a crash never
 * leaves a receiver trusting keys it would not trust after a restart; at start the kept chain of every
 * scope is checked again from the configured keys ({@link #restore}), and a receiver whose files do not
 * verify does not start.
 */
final class RotatingTrust {
    private static final Logger LOG = LoggerFactory.getLogger(RotatingTrust.class);

    private final TrustedRotations kept;
    /** By scope; guarded by this. */
    private final Map<String, RotationChain> chains;
    private volatile ReleaseTrust current;

    private RotatingTrust(TrustedRotations kept, Map<String, RotationChain> chains, ReleaseTrust current) {
        this.kept = kept;
        this.chains = chains;
        this.current = current;
    }

    /**
     * {@code configured} with the rotations kept in {@code kept}, each scope's chain verified from its configured keys.
     *
     * @throws TrustException   naming the file, when a kept rotation does not verify (start refused)
     * @throws io.skiff.protocol.StorageException naming the file, when one is missing, unreadable or not a rotation
     */
    static RotatingTrust restore(ReleaseTrust configured, TrustedRotations kept) {
        Map<String, RotationChain> chains = new LinkedHashMap<>();
        ReleaseTrust trust = configured;
        for (Map.Entry<String, ReleaseTrust.KeySet> scope : configured.scopes().entrySet()) {
            RotationChain chain = RotationChain.start(scope.getKey(), scope.getValue());
            for (TrustedRotations.Kept k : kept.load(scope.getKey())) {
                try {
                    chain = chain.next(k.rotation());
                } catch (TrustException e) {
                    throw new TrustException(e.code(), k.file() + " does not verify from the configured keys: " + e.getMessage()
                            + "; remove it and the later ones to trust the configured keys again");
                }
            }
            if (chain.sequence() > 0) {
                trust = trust.withScopeKeys(chain.scope(), chain.keys());
                LOG.info("trust scope {}: key set {} ({} of {} keys), by the rotations kept in {}", chain.scope(), chain.sequence(),
                        chain.keys().threshold(), chain.keys().keys().size(), kept.dir());
            }
            chains.put(scope.getKey(), chain);
        }
        return new RotatingTrust(kept, chains, trust);
    }

    /** The trust to check an offer with now. */
    ReleaseTrust current() {
        return current;
    }

    /**
     * Takes {@code rotations} in order: each one is kept, then trusted. One of a scope this receiver has no
     * keys for is not checked (nothing here to rotate: a relay still forwards it); one identical to a rotation
     * taken already is ignored.
     *
     * @throws TrustException for the first one refused (as {@link RotationChain#next}); those before it stay taken
     */
    synchronized void take(List<SignedKeyRotation> rotations) {
        for (SignedKeyRotation signed : rotations) {
            String scope = signed.rotation().scope();
            RotationChain chain = chains.get(scope);
            if (chain == null) {
                LOG.debug("key rotation {} of scope {}: no trusted keys of that scope here, not checked", signed.rotation().sequence(), scope);
                continue;
            }
            RotationChain next = chain.next(signed);
            if (next == chain) {
                continue;
            }
            kept.keep(signed); // before it is trusted: what is used was kept
            chains.put(scope, next);
            current = current.withScopeKeys(scope, next.keys());
            LOG.info("key rotation {} of scope {} taken: {} of {} keys now trusted, kept in {}", next.sequence(), scope,
                    next.keys().threshold(), next.keys().keys().size(), kept.file(scope, next.sequence()));
        }
    }
}
