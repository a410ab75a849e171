package io.skiff.engine.security;

import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.KeyRotation;
import io.skiff.protocol.SignedKeyRotation;
import io.skiff.protocol.TrustException;

import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The key sets of one trust scope on a receiver, chained as TUF chains its roots: set 0 is the configured
 * keys ({@code --trust-key}, or a {@code [[trust]]} table's), set N the keys of rotation N. {@link #next}
 * decides the rotation offered next: rotation N is taken when signed by a threshold of set N-1 (the keys
 * trusted now hand trust on; a mirror cannot make a rotation) and by a threshold of its own keys (their
 * holders exist: nobody rotates to keys no one holds). Immutable; no I/O.
 *
 * <p>A scope is a channel glob as the receiver's trust writes it ({@link ReleaseTrust#scopes()}); a rotation
 * names its scope, so keys handed on for one channel family never become trusted for another.
 */
public final class RotationChain {
    private final String scope;
    private final ReleaseTrust.KeySet keys;
    private final List<SignedKeyRotation> taken;

    private RotationChain(String scope, ReleaseTrust.KeySet keys, List<SignedKeyRotation> taken) {
        this.scope = scope;
        this.keys = keys;
        this.taken = List.copyOf(taken);
    }

    /** The chain of {@code scope} before any rotation: its configured keys. */
    public static RotationChain start(String scope, ReleaseTrust.KeySet configured) {
        return new RotationChain(Objects.requireNonNull(scope, "scope"), Objects.requireNonNull(configured, "configured"), List.of());
    }

    public String scope() {
        return scope;
    }

    /** The sequence of the key set trusted now: 0 for the configured keys. */
    public long sequence() {
        return taken.size();
    }

    /** The key set trusted now. */
    public ReleaseTrust.KeySet keys() {
        return keys;
    }

    /** The rotations taken, in sequence order from 1. */
    public List<SignedKeyRotation> rotations() {
        return taken;
    }

    /** Whether rotations of {@code scope} are about {@code channel}'s keys (the scope is a channel glob; "*": any). */
    public static boolean covers(String scope, String channel) {
        Glob glob = Glob.parseOrNull(scope);
        return glob != null && glob.matches(channel);
    }

    /**
     * The chain after {@code signed} (a rotation of this scope): this chain itself for one identical to the
     * rotation of its sequence taken already (sent again, ignored), a longer one for the next one if it verifies.
     *
     * @throws TrustException ROLLBACK_REFUSED for one that differs from the one taken at its sequence;
     *                        RELEASE_UNTRUSTED for a gap, new keys that are no Ed25519 keys, or a missing threshold
     */
    public RotationChain next(SignedKeyRotation signed) {
        KeyRotation rotation = signed.rotation();
        if (!rotation.scope().equals(scope)) {
            throw new IllegalArgumentException("rotation of scope " + rotation.scope() + " offered to the chain of " + scope);
        }
        String what = "key rotation " + rotation.sequence() + " of scope " + scope;
        if (rotation.sequence() <= sequence()) {
            KeyRotation held = taken.get((int) rotation.sequence() - 1).rotation();
            if (held.equals(rotation)) {
                return this;
            }
            throw new TrustException(ErrorCode.ROLLBACK_REFUSED, what + " differs from the one this receiver took (" + held.threshold()
                    + " of " + shortIds(held) + "); a taken rotation is never replaced, the next one is " + (sequence() + 1));
        }
        if (rotation.sequence() > sequence() + 1) {
            throw new TrustException(ErrorCode.RELEASE_UNTRUSTED, what + ": this receiver holds key set " + sequence()
                    + " of that scope and takes rotation " + (sequence() + 1) + " first (push every rotation since, in order)");
        }
        ReleaseTrust.KeySet next = keySet(rotation, what);
        byte[] data = rotation.canonicalBytes();
        ReleaseTrust.Tally byCurrent = keys.tally(data, signed.signatures());
        if (byCurrent.valid().size() < keys.threshold()) {
            throw new TrustException(ErrorCode.RELEASE_UNTRUSTED, what + ": " + byCurrent.valid().size() + " valid signature(s) by the"
                    + " current key set " + sequence() + byCurrent.validList() + ", " + keys.threshold() + " needed; " + byCurrent.untrusted()
                    + " by keys outside it, " + byCurrent.bad() + " that do not verify");
        }
        ReleaseTrust.Tally byOwn = next.tally(data, signed.signatures());
        if (byOwn.valid().size() < next.threshold()) {
            throw new TrustException(ErrorCode.RELEASE_UNTRUSTED, what + ": " + byOwn.valid().size() + " valid signature(s) by its new keys"
                    + byOwn.validList() + ", " + next.threshold() + " needed (their holders sign it too: skiff keys sign-rotation)");
        }
        List<SignedKeyRotation> longer = new ArrayList<>(taken);
        longer.add(signed);
        return new RotationChain(scope, next, longer);
    }

    /** The rotation's keys as a key set; each must be an Ed25519 key in its canonical encoding (its id is the hash of these bytes). */
    private static ReleaseTrust.KeySet keySet(KeyRotation rotation, String what) {
        List<PublicKey> keys = new ArrayList<>();
        List<byte[]> encoded = rotation.keys();
        for (int i = 0; i < encoded.size(); i++) {
            PublicKey key = SigningKeys.publicKey(encoded.get(i));
            if (key == null || !Arrays.equals(key.getEncoded(), encoded.get(i))) {
                throw new TrustException(ErrorCode.RELEASE_UNTRUSTED, what + ": its key " + (i + 1) + " is not an Ed25519 public key"
                        + " (X.509 SubjectPublicKeyInfo, as signing-pub.pem holds)");
            }
            keys.add(key);
        }
        return ReleaseTrust.KeySet.of(keys, rotation.threshold());
    }

    private static List<String> shortIds(KeyRotation rotation) {
        return rotation.keyIds().stream().map(id -> id.shortHex()).toList();
    }
}
