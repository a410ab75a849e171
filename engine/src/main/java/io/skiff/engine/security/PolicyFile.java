package io.skiff.engine.security;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.skiff.engine.security.AccessPolicy.Action;
import io.skiff.engine.security.AccessPolicy.Grant;
import io.skiff.protocol.UsageException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a grants file (the format {@link AccessPolicy} documents) through Jackson's TOML parser into a tree,
 * and checks every key and value; the first problem becomes a one-line {@link UsageException}
 * "SOURCE: where: what".
 */
final class PolicyFile {
    private static final TomlMapper TOML = new TomlMapper();
    private static final List<String> TOP_KEYS = List.of("relay_targets", "grant", "tenant", "trust", "smoke");
    private static final List<String> SMOKE_KEYS = List.of("channels", "command", "timeout_seconds");
    private static final List<String> TRUST_KEYS = List.of("channels", "keys", "threshold");
    private static final List<String> GRANT_KEYS = List.of("identity", "channels", "actions", "tenant");
    private static final List<String> TENANT_KEYS = List.of("quota_bytes");
    /** A tenant is named like a channel: it becomes a directory name and a label in logs and metrics. */
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /**
     * jackson-dataformat-toml 2.21 reads a 19-digit decimal integer wrong without a word (9223372036854775807
     * becomes 6854775807; FasterXML/jackson-dataformats-text#663, fixed upstream by #672): such a quota is
     * refused rather than misread. Drop this once the BOM brings the fix.
     */
    private static final Pattern MISREAD_QUOTA = Pattern.compile("(?m)^[^#\\r\\n]*\\bquota_bytes\\s*=\\s*[+-]?((?:[0-9]_?){19})(?![0-9_])");

    private final String source;
    private final Path baseDir;

    private PolicyFile(String source, Path baseDir) {
        this.source = source;
        this.baseDir = baseDir;
    }

    /** {@code baseDir}: what relative key paths in {@code [[trust]]} are resolved against (the file's directory). */
    static AccessPolicy parse(String toml, String source, Path baseDir) {
        return new PolicyFile(source, baseDir).read(toml);
    }

    private AccessPolicy read(String toml) {
        JsonNode root;
        try {
            root = TOML.readTree(toml);
        } catch (JacksonException e) {
            throw new UsageException(source + ": " + syntaxError(e), e);
        }
        Matcher misread = MISREAD_QUOTA.matcher(toml);
        if (misread.find()) {
            throw fail("quota_bytes " + misread.group(1) + ": the TOML parser misreads 19-digit integers; write it as a string, e.g. quota_bytes = \"" + misread.group(1).replace("_", "") + "\"");
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            root = TOML.createObjectNode();
        }
        requireKnownKeys(root, TOP_KEYS, "");
        RelayTargets relayTargets = root.has("relay_targets") ? relayTargets(root.get("relay_targets")) : null;
        List<Grant> grants = grants(root.get("grant"));
        Map<String, Long> quotas = new LinkedHashMap<>();
        Set<String> tenants = new TreeSet<>();
        for (Grant g : grants) {
            if (g.tenant() != null) {
                tenants.add(g.tenant());
            }
        }
        JsonNode tenantTables = root.get("tenant");
        if (tenantTables != null) {
            if (!tenantTables.isObject()) {
                throw fail("tenant must be tables like [tenant.acme]");
            }
            for (Map.Entry<String, JsonNode> e : tenantTables.properties()) {
                String name = tenantName(e.getKey(), "[tenant." + e.getKey() + "]");
                tenants.add(name);
                Long quota = tenantQuota(name, e.getValue());
                if (quota != null) {
                    quotas.put(name, quota);
                }
            }
        }
        return new AccessPolicy(false, grants, relayTargets, quotas, tenants, trustRules(root.get("trust")), smokeRules(root.get("smoke")));
    }

    private List<AccessPolicy.TrustRule> trustRules(JsonNode node) {
        if (node == null) {
            return List.of();
        }
        if (!node.isArray()) {
            throw fail("trust must be an array of tables: write [[trust]], not [trust]");
        }
        List<AccessPolicy.TrustRule> rules = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String where = "trust " + (i + 1) + ": ";
            JsonNode table = node.get(i);
            if (!table.isObject()) {
                throw fail(where + "must be a table ([[trust]])");
            }
            requireKnownKeys(table, TRUST_KEYS, where);
            List<String> channels = new ArrayList<>();
            for (String channel : strings(required(table, "channels", where), where + "channels must be a non-empty array of strings", true)) {
                channels.add(glob(channel, where + "bad channel"));
            }
            List<Path> keys = new ArrayList<>();
            for (String key : strings(required(table, "keys", where), where + "keys must be a non-empty array of public key files", true)) {
                Path file = baseDir.resolve(key);
                if (!Files.isRegularFile(file)) {
                    throw fail(where + "key " + file + ": no such file (skiff keys gen-signing writes signing-pub.pem)");
                }
                keys.add(file);
            }
            JsonNode thresholdNode = table.get("threshold");
            if (thresholdNode != null && !thresholdNode.canConvertToInt()) {
                throw fail(where + "threshold must be an integer");
            }
            int threshold = thresholdNode == null ? 1 : thresholdNode.intValue();
            if (threshold < 1 || threshold > keys.size()) {
                throw fail(where + "threshold " + threshold + " of " + keys.size() + " key(s): between 1 and the number of keys");
            }
            rules.add(new AccessPolicy.TrustRule(channels, keys, threshold));
        }
        return rules;
    }

    /** {@code [[smoke]]} tables: channels (globs), command (run through sh -c), timeout_seconds (default 60). */
    private List<AccessPolicy.SmokeRule> smokeRules(JsonNode node) {
        if (node == null) {
            return List.of();
        }
        if (!node.isArray()) {
            throw fail("smoke must be an array of tables: write [[smoke]], not [smoke]");
        }
        List<AccessPolicy.SmokeRule> rules = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String where = "smoke " + (i + 1) + ": ";
            JsonNode table = node.get(i);
            if (!table.isObject()) {
                throw fail(where + "must be a table ([[smoke]])");
            }
            requireKnownKeys(table, SMOKE_KEYS, where);
            List<String> channels = new ArrayList<>();
            for (String channel : strings(required(table, "channels", where), where + "channels must be a non-empty array of strings", true)) {
                channels.add(glob(channel, where + "bad channel"));
            }
            JsonNode command = required(table, "command", where);
            if (!command.isTextual() || command.asText().isBlank()) {
                throw fail(where + "command must be a non-empty string (run through sh -c)");
            }
            JsonNode timeout = table.get("timeout_seconds");
            if (timeout != null && (!timeout.canConvertToInt() || timeout.intValue() < 1)) {
                throw fail(where + "timeout_seconds must be a positive integer");
            }
            rules.add(new AccessPolicy.SmokeRule(channels, new io.skiff.engine.api.SmokeTest(command.asText(),
                    timeout == null ? io.skiff.engine.api.SmokeTest.DEFAULT_TIMEOUT : java.time.Duration.ofSeconds(timeout.intValue()))));
        }
        return rules;
    }

    /** Jackson's own short reason, without the "at [Source: ...]" lines it appends, and the line it points at. */
    private static String syntaxError(JacksonException e) {
        String reason = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        reason = reason.strip().replaceAll("\\s+", " ");
        JsonLocation at = e.getLocation();
        String where = at != null && at.getLineNr() > 0 ? "line " + at.getLineNr() + ": " : "";
        return where + "not valid TOML: " + reason;
    }

    private RelayTargets relayTargets(JsonNode node) {
        List<String> entries = strings(node, "relay_targets must be an array of strings", false);
        try {
            return RelayTargets.parse(entries);
        } catch (IllegalArgumentException e) {
            throw fail("relay_targets: " + e.getMessage());
        }
    }

    private List<Grant> grants(JsonNode node) {
        if (node == null || (node.isArray() && node.isEmpty())) {
            throw fail("no [[grant]]: without grants leave out --config");
        }
        if (!node.isArray()) {
            throw fail("grant must be an array of tables: write [[grant]], not [grant]");
        }
        List<Grant> grants = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            grants.add(grant(node.get(i), "grant " + (i + 1) + ": "));
        }
        return grants;
    }

    private Grant grant(JsonNode table, String where) {
        if (!table.isObject()) {
            throw fail(where + "must be a table ([[grant]])");
        }
        requireKnownKeys(table, GRANT_KEYS, where);
        JsonNode identityNode = table.get("identity");
        if (identityNode == null) {
            throw fail(where + "identity is missing");
        }
        if (!identityNode.isTextual()) {
            throw fail(where + "identity must be a string");
        }
        String identity = glob(identityNode.asText(), where + "bad identity");
        List<String> channels = new ArrayList<>();
        for (String channel : strings(required(table, "channels", where), where + "channels must be a non-empty array of strings", true)) {
            channels.add(glob(channel, where + "bad channel"));
        }
        Set<Action> actions = EnumSet.noneOf(Action.class);
        for (String label : strings(required(table, "actions", where), where + "actions must be a non-empty array of strings", true)) {
            actions.add(action(label, where));
        }
        String tenant = null;
        JsonNode tenantNode = table.get("tenant");
        if (tenantNode != null) {
            if (!tenantNode.isTextual()) {
                throw fail(where + "tenant must be a string");
            }
            tenant = tenantName(tenantNode.asText(), where.substring(0, where.length() - 2));
        }
        return new Grant(identity, channels, actions, tenant);
    }

    private JsonNode required(JsonNode table, String key, String where) {
        JsonNode value = table.get(key);
        if (value == null) {
            throw fail(where + key + " is missing");
        }
        return value;
    }

    private String glob(String text, String what) {
        if (Glob.parseOrNull(text) == null) {
            throw fail(what + " '" + text + "' (" + Glob.syntax() + ")");
        }
        return text;
    }

    private Action action(String label, String where) {
        for (Action a : Action.values()) {
            if (a.label().equals(label)) {
                return a;
            }
        }
        throw fail(where + "unknown action '" + label + "' (push, relay, follow)");
    }

    private String tenantName(String name, String where) {
        if (!TENANT.matcher(name).matches()) {
            throw fail(where + ": bad tenant name '" + name + "' (1 to 64 letters, digits, '.', '_', '-', starting with a letter or digit)");
        }
        return name;
    }

    private Long tenantQuota(String name, JsonNode table) {
        String where = "[tenant." + name + "]: ";
        if (!table.isObject()) {
            throw fail(where + "must be a table");
        }
        requireKnownKeys(table, TENANT_KEYS, where);
        JsonNode quota = table.get("quota_bytes");
        if (quota == null) {
            return null;
        }
        long bytes;
        if (quota.isIntegralNumber()) {
            if (!quota.canConvertToLong()) {
                throw fail(where + "quota_bytes " + quota.asText() + " is too large");
            }
            bytes = quota.longValue();
        } else if (quota.isTextual()) {
            try {
                bytes = ByteSize.parse(quota.asText());
            } catch (IllegalArgumentException e) {
                throw fail(where + "quota_bytes '" + quota.asText() + "': " + e.getMessage());
            }
        } else {
            throw fail(where + "quota_bytes must be an integer or a string like \"10 GiB\"");
        }
        if (bytes <= 0) {
            throw fail(where + "quota_bytes must be positive, got " + quota.asText());
        }
        return bytes;
    }

    private List<String> strings(JsonNode node, String problem, boolean nonEmpty) {
        if (!node.isArray() || (nonEmpty && node.isEmpty())) {
            throw fail(problem);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                throw fail(problem);
            }
            out.add(item.asText());
        }
        return out;
    }

    private void requireKnownKeys(JsonNode table, List<String> known, String where) {
        for (Map.Entry<String, JsonNode> e : table.properties()) {
            if (!known.contains(e.getKey())) {
                throw fail(where + "unknown key '" + e.getKey() + "' (" + String.join(", ", known) + ")");
            }
        }
    }

    private UsageException fail(String problem) {
        return new UsageException(source + ": " + problem.replaceAll("\\s+", " "));
    }
}
