package io.skiff.engine.security;

import io.skiff.protocol.ReleaseStatement;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SignedRelease;
import io.skiff.protocol.UsageException;

import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which releases a receiver may activate, by their publishers' signatures: per channel (or for all
 * channels) a set of trusted Ed25519 keys and a threshold, k of n. {@link #check} decides one offered
 * release, before anything of it is staged, against what the channel holds active; it does no I/O and
 * says why in one line. A channel without keys takes releases unsigned, as before signing existed.
 *
 * <p>This is TUF's defence for a file-distribution tool, with the receiver as the client: a relay or
 * origin can forward a signed release but not make one (arbitrary installation, malicious mirrors), the
 * statement names its channel and version (mix-and-match), its sequence only grows (rollback), and it
 * ends (indefinite freeze).
 */
public final class ReleaseTrust {
    /** The scope of the all-channel keys ({@code --trust-key}) in a key rotation. */
    public static final String ALL_CHANNELS = "*";
    private static final ReleaseTrust NONE = new ReleaseTrust(null, List.of());

    private final KeySet allChannels;
    private final List<ChannelKeys> byChannel; // first match decides

    private record ChannelKeys(Glob channels, KeySet keys) {
    }

    /** Keys by id and how many of them must have signed. */
    public record KeySet(Map<Sha256, PublicKey> keys, int threshold) {
        public KeySet {
            keys = Map.copyOf(keys);
            if (threshold < 1 || threshold > keys.size()) {
                throw new IllegalArgumentException("threshold " + threshold + " of " + keys.size() + " key(s): between 1 and the number of keys");
            }
        }

        public static KeySet of(List<PublicKey> keys, int threshold) {
            Map<Sha256, PublicKey> byId = new LinkedHashMap<>();
            for (PublicKey key : keys) {
                byId.put(SigningKeys.keyId(key), key);
            }
            return new KeySet(byId, threshold);
        }

        /** Which of {@code signatures} over {@code data} are valid ones by keys of this set, and what the others are. */
        Tally tally(byte[] data, List<SignedRelease.Signature> signatures) {
            List<String> valid = new ArrayList<>();
            int untrusted = 0;
            int bad = 0;
            for (SignedRelease.Signature signature : signatures) {
                PublicKey key = keys.get(signature.keyId());
                if (key == null) {
                    untrusted++;
                } else if (SigningKeys.verifies(key, data, signature.bytes())) {
                    valid.add(signature.keyId().shortHex());
                } else {
                    bad++;
                }
            }
            return new Tally(valid, untrusted, bad);
        }
    }

    /** Signatures counted against a key set: the short ids of the valid ones, the number by other keys and that do not verify. */
    record Tally(List<String> valid, int untrusted, int bad) {
        String validList() {
            return valid.isEmpty() ? "" : " (" + String.join(", ", valid) + ")";
        }
    }

    /** Why a release was refused: each a kind of attack the check defends against. */
    public enum Refusal {
        /** Keys are configured for the channel and the release carries no signature. */
        UNSIGNED,
        /** The signed statement is for another channel, version or release (mix-and-match). */
        NOT_THIS_RELEASE,
        /** Fewer valid signatures by distinct trusted keys than the threshold (bad, untrusted or missing). */
        BELOW_THRESHOLD,
        /** The statement's expiry has passed: a mirror may be holding newer releases back (freeze). */
        EXPIRED,
        /** A sequence lower than or equal to the active release's, other content, and no signed downgrade. */
        ROLLBACK,
        /** The active release's version label on other content. */
        VERSION_REUSED
    }

    /** The decision on one offered release: accepted, or refused with the kind and a one-line reason. */
    public record Verdict(Refusal refusal, String reason) {
        static final Verdict ACCEPTED = new Verdict(null, "accepted");

        public boolean accepted() {
            return refusal == null;
        }
    }

    private ReleaseTrust(KeySet allChannels, List<ChannelKeys> byChannel) {
        this.allChannels = allChannels;
        this.byChannel = List.copyOf(byChannel);
    }

    /** No keys anywhere: every release is taken unsigned. */
    public static ReleaseTrust none() {
        return NONE;
    }

    /** {@code keys} for every channel that has none of its own ({@code --trust-key}). */
    public static ReleaseTrust forAllChannels(KeySet keys) {
        return new ReleaseTrust(Objects.requireNonNull(keys, "keys"), List.of());
    }

    /** The public key files {@code keys} (signing-pub.pem) for every channel; a file that is not one: a one-line usage error. */
    public static ReleaseTrust fromKeyFiles(List<Path> keys, int threshold) {
        return forAllChannels(keySet(keys, threshold));
    }

    private static KeySet keySet(List<Path> files, int threshold) {
        List<PublicKey> keys = new ArrayList<>();
        for (Path file : files) {
            keys.add(SigningKeys.readPublic(file));
        }
        try {
            return KeySet.of(keys, threshold); // the same key twice counts once
        } catch (IllegalArgumentException e) {
            throw new UsageException("trust " + e.getMessage());
        }
    }

    /**
     * This trust with {@code keys} for the channels {@code channels} (a glob, e.g. "snomed-*") matches, in
     * place of the all-channel keys there; an earlier rule that matches a channel stays its rule.
     */
    public ReleaseTrust withChannel(String channels, KeySet keys) {
        Glob glob = Glob.parseOrNull(channels);
        if (glob == null) {
            throw new IllegalArgumentException("bad channel glob '" + channels + "' (" + Glob.syntax() + ")");
        }
        List<ChannelKeys> more = new ArrayList<>(byChannel);
        more.add(new ChannelKeys(glob, Objects.requireNonNull(keys, "keys")));
        return new ReleaseTrust(allChannels, more);
    }

    /**
     * A receiver's trust: {@code rules} (its config file's {@code [[trust]]} tables) for the channels they
     * name, {@code allChannels} ({@code --trust-key}, null: none) for the rest.
     */
    public static ReleaseTrust of(ReleaseTrust allChannels, List<AccessPolicy.TrustRule> rules) {
        ReleaseTrust trust = allChannels;
        for (AccessPolicy.TrustRule rule : rules) {
            KeySet keys = keySet(rule.keys(), rule.threshold());
            for (String channels : rule.channels()) {
                trust = trust.withChannel(channels, keys);
            }
        }
        return trust;
    }

    /**
     * The scopes a key rotation may name on this receiver, each with the keys it starts from: every trust
     * rule's channel glob as written (the first rule of a glob, the one that decides its channels), then
     * {@value #ALL_CHANNELS} for the all-channel keys ({@code --trust-key}) unless a rule is written so.
     */
    public Map<String, KeySet> scopes() {
        Map<String, KeySet> scopes = new LinkedHashMap<>();
        for (ChannelKeys rule : byChannel) {
            scopes.putIfAbsent(rule.channels().toString(), rule.keys());
        }
        if (allChannels != null) {
            scopes.putIfAbsent(ALL_CHANNELS, allChannels);
        }
        return scopes;
    }

    /** This trust with {@code keys} in place of the keys of {@code scope} (one of {@link #scopes()}): a rotation taken. */
    public ReleaseTrust withScopeKeys(String scope, KeySet keys) {
        Objects.requireNonNull(keys, "keys");
        List<ChannelKeys> rules = new ArrayList<>(byChannel);
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).channels().toString().equals(scope)) {
                rules.set(i, new ChannelKeys(rules.get(i).channels(), keys));
                return new ReleaseTrust(allChannels, rules);
            }
        }
        if (scope.equals(ALL_CHANNELS) && allChannels != null) {
            return new ReleaseTrust(keys, byChannel);
        }
        throw new IllegalArgumentException("no trusted keys for scope " + scope);
    }

    /** The keys {@code channel}'s releases must be signed with; empty if it takes them unsigned. */
    public Optional<KeySet> keysFor(String channel) {
        for (ChannelKeys rule : byChannel) {
            if (rule.channels().matches(channel)) {
                return Optional.of(rule.keys());
            }
        }
        return Optional.ofNullable(allChannels);
    }

    /**
     * Decides whether the release {@code releaseId}, offered as {@code channel} {@code version} with
     * {@code signed} (null: unsigned), may be activated now, given the channel's active release
     * ({@code activeId}, null if none), its version ({@code activeVersion}, from its manifest) and its
     * statement ({@code active}, null if none or unsigned). An active release that came unsigned still
     * holds its version label; it has no sequence, so the first signed release after it is taken on its
     * signatures and becomes the baseline.
     */
    public Verdict check(String channel, String version, Sha256 releaseId, SignedRelease signed, Sha256 activeId,
                         String activeVersion, ReleaseStatement active, Instant now) {
        Optional<KeySet> keys = keysFor(channel);
        if (keys.isEmpty()) {
            return Verdict.ACCEPTED;
        }
        String what = channel + " " + version + " (" + releaseId.shortHex() + ")";
        KeySet trusted = keys.get();
        if (signed == null) {
            return new Verdict(Refusal.UNSIGNED, what + " is unsigned; this receiver takes " + channel + " releases signed by "
                    + trusted.threshold() + " of its " + trusted.keys().size() + " publisher key(s) (push --sign-key)");
        }
        ReleaseStatement s = signed.statement();
        if (!s.names(channel, version, releaseId)) {
            return new Verdict(Refusal.NOT_THIS_RELEASE, what + " carries a signature for " + s.channel() + " " + s.version()
                    + " (" + s.releaseId().shortHex() + "), not for this release");
        }
        Verdict signatures = countSignatures(what, signed, trusted);
        if (!signatures.accepted()) {
            return signatures;
        }
        if (now.toEpochMilli() > s.expiresAtMillis()) {
            return new Verdict(Refusal.EXPIRED, what + ": its signature expired " + Instant.ofEpochMilli(s.expiresAtMillis())
                    + "; a mirror may be holding newer releases back (the publisher signs again to renew it)");
        }
        if (activeId != null && !releaseId.equals(activeId)) {
            if (version.equals(activeVersion)) {
                return new Verdict(Refusal.VERSION_REUSED, what + ": version " + version + " is already active with other content ("
                        + activeId.shortHex() + "); a release's label names one content only");
            }
            if (active != null && s.sequence() <= active.sequence() && !s.allowDowngrade()) {
                return new Verdict(Refusal.ROLLBACK, what + ": sequence " + s.sequence() + " is not after the active release's "
                        + active.sequence() + " (" + active.version() + "); an older release is activated only when its publisher signs"
                        + " it with --allow-downgrade");
            }
        }
        return Verdict.ACCEPTED;
    }

    private static Verdict countSignatures(String what, SignedRelease signed, KeySet trusted) {
        Tally tally = trusted.tally(signed.statement().canonicalBytes(), signed.signatures());
        if (tally.valid().size() >= trusted.threshold()) {
            return Verdict.ACCEPTED;
        }
        return new Verdict(Refusal.BELOW_THRESHOLD, what + ": " + tally.valid().size() + " valid signature(s) by trusted keys"
                + tally.validList() + ", " + trusted.threshold() + " needed; "
                + tally.untrusted() + " by untrusted keys, " + tally.bad() + " that do not verify");
    }

    /** Signs {@code statement} with every one of {@code publishers} (distinct keys). */
    public static SignedRelease sign(ReleaseStatement statement, List<SigningKeys.Publisher> publishers) {
        byte[] bytes = statement.canonicalBytes();
        List<SignedRelease.Signature> signatures = new ArrayList<>();
        for (SigningKeys.Publisher p : publishers) {
            signatures.add(new SignedRelease.Signature(p.keyId(), SigningKeys.sign(p.privateKey(), bytes)));
        }
        return new SignedRelease(statement, signatures);
    }
}
