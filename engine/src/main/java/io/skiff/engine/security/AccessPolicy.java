package io.skiff.engine.security;

import io.skiff.engine.api.SmokeTest;
import io.skiff.protocol.AccessException;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.UsageException;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which identity may do what on which channel: the grants file a receiver or an origin reads with
 * {@code --config FILE}. An identity is the common name of the peer's certificate, signed by the
 * deployment's CA (mutual TLS). Without a file the policy is {@link #OPEN}: every identity the CA signed may
 * push, relay and follow every channel, untenanted, and relay to any target.
 *
 * <h2>The file</h2>
 * TOML, UTF-8:
 * <pre>{@code
 * relay_targets = ["10.0.0.0/8", "127.0.0.1", "rx1.eu.example.org", "::1/128"]   # optional
 *
 * [[grant]]
 * identity = "pipeline-eu"            # certificate CN; may be a glob like "pipeline-*"
 * channels = ["icd10cm", "snomed-*"]  # globs
 * actions  = ["push", "relay", "follow"]
 * tenant   = "acme"                   # optional
 *
 * [tenant.acme]
 * quota_bytes = 10_000_000_000        # an integer, or a string with a unit: "10 GiB", "500MB", "2TiB"
 *
 * [[trust]]                           # optional: releases of these channels must be signed
 * channels  = ["icd10cm", "snomed-*"]
 * keys      = ["trust/publisher-a.pem", "trust/publisher-b.pem"]   # relative to this file's directory
 * threshold = 2                       # optional, default 1
 * }</pre>
 *
 * <dl>
 * <dt>{@code [[grant]]} (at least one)</dt>
 * <dd>{@code identity}: a glob of the peer's identity. {@code channels}: a non-empty array of channel globs.
 * {@code actions}: a non-empty array of {@code push} (send releases to this node), {@code relay} (ask this
 * node to forward a push to a further target) and {@code follow} (subscribe to this node's releases).
 * {@code tenant} (optional): the tenant whose quota what the grant lets in counts against.</dd>
 * <dt>{@code [tenant.NAME]} (optional)</dt>
 * <dd>{@code quota_bytes} (optional): a positive integer, or a string of digits, an optional space and a unit,
 * case-insensitive: {@code B}; {@code KB MB GB TB} (powers of 1000); {@code KiB MiB GiB TiB} (powers of 1024).
 * A tenant named by a grant needs no table; it then has no quota.</dd>
 * <dt>{@code [[trust]]} (optional)</dt>
 * <dd>{@code channels}: channel globs; {@code keys}: publisher public key files; {@code threshold}: how many
 * distinct keys must have signed (1 to the number of keys). The first table whose channels match a channel
 * decides its keys; channels no table names take {@code --trust-key}'s keys, or releases unsigned
 * ({@link ReleaseTrust}).</dd>
 * <dt>{@code relay_targets} (optional)</dt>
 * <dd>Where this node may relay to. Each entry an IPv4 or IPv6 address ({@code "127.0.0.1"},
 * {@code "::1"}), a CIDR block ({@code "10.0.0.0/8"}, {@code "fd00::/8"}) or a host name (letters, digits,
 * {@code -}, dots). A target is allowed when the host named in the relay request equals an entry,
 * case-insensitively, or its resolved address lies in an address or block of the same family. Left out,
 * every target is allowed; an empty array allows none.</dd>
 * </dl>
 *
 * <h2>Globs and names</h2>
 * In identity and channel globs {@code *} matches any run of characters (also none) and {@code ?} exactly
 * one; a glob matches the whole name, case-sensitively. Globs are written with letters, digits, {@code -},
 * {@code _}, {@code .}, {@code *} and {@code ?}, and start with a letter, a digit or a wildcard (so a channel
 * glob without wildcards is a channel name; never a {@code /}). A tenant name is 1 to 64 letters, digits,
 * {@code .}, {@code _} and {@code -}, starting with a letter or digit.
 *
 * <h2>Decisions</h2>
 * Grants are read in file order, and the <em>first</em> grant whose identity glob and one of whose channel
 * globs match decides alone: its actions, its tenant. A later, broader grant adds nothing, so write specific
 * grants before general ones. No matching grant, or a deciding grant without the action, refuses with
 * {@link ErrorCode#NOT_AUTHORIZED}, e.g. "pipeline-us may not push icd10cm". A peer without a certificate
 * (a plaintext connection) is refused by any grants file, and allowed only by {@link #OPEN}.
 *
 * <h2>Mistakes</h2>
 * A file that cannot be used stops the node at start with one line naming the file and the problem: a TOML
 * syntax error (with its line), an unknown key anywhere (a typo like {@code chanels} is not ignored), a
 * missing or empty {@code identity}, {@code channels} or {@code actions}, an unknown action, a bad glob,
 * tenant name, quota or relay target, and a file without any {@code [[grant]]} (an empty grants file would
 * refuse everything; to allow everything, leave out {@code --config}).
 */
public final class AccessPolicy {
    /** What a peer asks of this node. */
    public enum Action {
        /** Send releases of the channel to this node. */
        PUSH,
        /** Ask this node to forward a push of the channel to a further target. */
        RELAY,
        /** Subscribe to this node's releases of the channel. */
        FOLLOW;

        /** As written in the grants file and in refusals: "push", "relay", "follow". */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One {@code [[grant]]} table, as written. {@code tenant} is null when absent.
     *
     * @param identity a glob of the identity
     * @param channels channel globs, at least one
     * @param actions what the grant allows
     * @param tenant the tenant whose quota applies, or null
     */
    public record Grant(String identity, List<String> channels, Set<Action> actions, String tenant) {
        public Grant {
            Objects.requireNonNull(identity, "identity");
            channels = List.copyOf(channels);
            actions = actions.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(actions));
        }
    }

    private static final Grant ANYTHING = new Grant("*", List.of("*"), EnumSet.allOf(Action.class), null);

    /** No file: any identity may do any action on any channel, untenanted, relaying to any target. */
    public static final AccessPolicy OPEN = new AccessPolicy(true, List.of(), null, Map.of(), Set.of(), List.of());

    /**
     * A {@code [[trust]]} table: releases of {@code channels} (globs) are activated only when signed by
     * {@code threshold} of {@code keys} (public key files, resolved against the config file's directory).
     */
    public record TrustRule(List<String> channels, List<Path> keys, int threshold) {
        public TrustRule {
            channels = List.copyOf(channels);
            keys = List.copyOf(keys);
        }
    }

    private final boolean open;
    private final List<Grant> grants;
    private final List<Glob[]> globs; // per grant: the identity glob, then its channel globs
    private final RelayTargets relayTargets; // null: any target
    private final Map<String, Long> quotas;
    private final Set<String> tenants;
    private final List<TrustRule> trustRules;
    private final List<SmokeRule> smokeRules;

    /** A {@code [[smoke]]} table: after activating a release of {@code channels} (globs), run {@code test}. */
    public record SmokeRule(List<String> channels, SmokeTest test) {
        public SmokeRule {
            channels = List.copyOf(channels);
            Objects.requireNonNull(test, "test");
        }
    }

    AccessPolicy(boolean open, List<Grant> grants, RelayTargets relayTargets, Map<String, Long> quotas, Set<String> tenants,
                 List<TrustRule> trustRules) {
        this(open, grants, relayTargets, quotas, tenants, trustRules, List.of());
    }

    AccessPolicy(boolean open, List<Grant> grants, RelayTargets relayTargets, Map<String, Long> quotas, Set<String> tenants,
                 List<TrustRule> trustRules, List<SmokeRule> smokeRules) {
        this.open = open;
        this.grants = List.copyOf(grants);
        this.globs = this.grants.stream().map(AccessPolicy::globsOf).toList();
        this.relayTargets = relayTargets;
        this.quotas = Map.copyOf(quotas);
        this.tenants = Collections.unmodifiableSet(new TreeSet<>(tenants));
        this.trustRules = List.copyOf(trustRules);
        this.smokeRules = List.copyOf(smokeRules);
    }

    /** Whether any {@code [[smoke]]} table is configured. */
    public boolean hasSmokeRules() {
        return !smokeRules.isEmpty();
    }

    /** The smoke test of the first {@code [[smoke]]} table whose channels match {@code channel}; null when none does. */
    public SmokeTest smokeTestFor(String channel) {
        for (SmokeRule rule : smokeRules) {
            for (String glob : rule.channels()) {
                if (Glob.parseOrNull(glob).matches(channel)) {
                    return rule.test();
                }
            }
        }
        return null;
    }

    /** The {@code [[trust]]} tables in file order: the first whose channels match a channel decides its keys. */
    public List<TrustRule> trustRules() {
        return trustRules;
    }

    private static Glob[] globsOf(Grant g) {
        Glob[] out = new Glob[1 + g.channels().size()];
        out[0] = Objects.requireNonNull(Glob.parseOrNull(g.identity()), g.identity());
        for (int i = 0; i < g.channels().size(); i++) {
            out[i + 1] = Objects.requireNonNull(Glob.parseOrNull(g.channels().get(i)), g.channels().get(i));
        }
        return out;
    }

    /**
     * Reads a grants file.
     *
     * @throws UsageException one line naming the file and the problem: unreadable, not TOML, or not a valid
     *     grants file (see the class description)
     */
    public static AccessPolicy load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new UsageException(file + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new UsageException(file + ": permission denied", e);
        } catch (CharacterCodingException e) {
            throw new UsageException(file + ": not UTF-8 text", e);
        } catch (IOException e) {
            String reason = e.getMessage() == null || e.getMessage().equals(file.toString())
                    ? e.getClass().getSimpleName() : e.getMessage();
            throw new UsageException(file + ": cannot read: " + reason.replaceAll("\\s+", " "), e);
        }
        return PolicyFile.parse(text, file.toString(), file.toAbsolutePath().getParent());
    }

    /**
     * The policy of a node started with grants file {@code file} (null: {@link #OPEN}). Grants name TLS
     * identities, so a node with a grants file and no TLS is refused at start.
     *
     * @param node what the refusal calls the node: "a receiver", "an origin"
     */
    public static AccessPolicy forNode(Path file, boolean tls, String node) {
        AccessPolicy policy = file == null ? OPEN : load(file);
        if (!policy.open() && !tls) {
            throw new UsageException("grants name TLS identities: " + node + " with --config needs TLS (--tls-dir), not --insecure");
        }
        return policy;
    }

    /**
     * Parses the text of a grants file; what {@link #load} uses.
     *
     * @param sourceName what messages name, e.g. the file's path
     * @throws UsageException "SOURCE: problem", one line
     */
    public static AccessPolicy parse(String toml, String sourceName) {
        return PolicyFile.parse(toml, sourceName, Path.of("").toAbsolutePath());
    }

    /** True for {@link #OPEN}: no grants file. */
    public boolean open() {
        return open;
    }

    /** The grants in file order; empty for {@link #OPEN}. */
    public List<Grant> grants() {
        return grants;
    }

    /**
     * The grant that lets {@code identity} do {@code action} on {@code channel}. Grants are read in file
     * order; the first one whose identity glob matches {@code identity} and one of whose channel globs
     * matches {@code channel} decides, with its actions and its tenant; grants after it are not consulted.
     * {@link #OPEN} returns a grant with tenant null for anything, also for a null identity.
     *
     * @param identity the peer's certificate common name, or null for a peer without a certificate
     * @throws AccessException {@link ErrorCode#NOT_AUTHORIZED} "IDENTITY may not ACTION CHANNEL" (e.g.
     *     "pipeline-us may not push icd10cm") when no grant matches or the deciding one lacks the action;
     *     "an unauthenticated peer may not ACTION CHANNEL" for a null identity under a grants file
     */
    public Grant authorize(String identity, String channel, Action action) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(action, "action");
        if (open) {
            return ANYTHING;
        }
        if (identity == null) {
            throw refused("an unauthenticated peer", channel, action);
        }
        for (int i = 0; i < grants.size(); i++) {
            Glob[] g = globs.get(i);
            if (g[0].matches(identity) && anyChannelMatches(g, channel)) {
                Grant grant = grants.get(i);
                if (grant.actions().contains(action)) {
                    return grant;
                }
                break;
            }
        }
        throw refused(identity, channel, action);
    }

    private static boolean anyChannelMatches(Glob[] g, String channel) {
        for (int c = 1; c < g.length; c++) {
            if (g[c].matches(channel)) {
                return true;
            }
        }
        return false;
    }

    private static AccessException refused(String who, String channel, Action action) {
        return new AccessException(ErrorCode.NOT_AUTHORIZED, who + " may not " + action.label() + " " + channel);
    }

    /**
     * Whether a relay may connect to {@code host} (as named in the RELAY frame) at {@code port}. Without
     * {@code relay_targets} every target is allowed; otherwise one whose host equals an entry
     * (case-insensitively), or whose address lies in an entry that is an address or CIDR block.
     *
     * @param address what {@code host} resolved to, or null when it was not resolved
     * @throws AccessException {@link ErrorCode#NOT_AUTHORIZED} "relay target HOST:PORT is not in
     *     relay_targets" (an IPv6 literal host in brackets: "[::1]:7000")
     */
    public void checkRelayTarget(String host, InetAddress address, int port) {
        Objects.requireNonNull(host, "host");
        if (relayTargets == null || relayTargets.allows(host, address)) {
            return;
        }
        String shown = host.contains(":") ? "[" + host + "]" : host;
        throw new AccessException(ErrorCode.NOT_AUTHORIZED, "relay target " + shown + ":" + port + " is not in relay_targets");
    }

    /** The tenant's quota, if {@code [tenant.NAME]} sets {@code quota_bytes}; empty for a null tenant. */
    public OptionalLong quotaBytes(String tenant) {
        Long quota = tenant == null ? null : quotas.get(tenant);
        return quota == null ? OptionalLong.empty() : OptionalLong.of(quota);
    }

    /** Tenants named by grants or {@code [tenant.*]} tables, sorted; empty for {@link #OPEN}. */
    public Set<String> tenants() {
        return tenants;
    }
}
