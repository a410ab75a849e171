package io.skiff.engine.security;

import io.skiff.engine.security.AccessPolicy.Action;
import io.skiff.engine.security.AccessPolicy.Grant;
import io.skiff.protocol.AccessException;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccessPolicyTest {
    private static final String SOURCE = "grants.toml";
    /** One grant for everyone, on every channel, with only push: the minimum a valid file needs. */
    private static final String ANY_GRANT = """
            [[grant]]
            identity = "*"
            channels = ["*"]
            actions = ["push"]
            """;

    @TempDir
    Path tmp;

    private static AccessPolicy parse(String toml) {
        return AccessPolicy.parse(toml, SOURCE);
    }

    private static String refusal(AccessPolicy policy, String identity, String channel, Action action) {
        AccessException e = assertThrows(AccessException.class, () -> policy.authorize(identity, channel, action));
        assertEquals(ErrorCode.NOT_AUTHORIZED, e.code());
        return e.getMessage();
    }

    /** The one-line message the file gets, asserted to be one line and to name the file. */
    private static String problem(String toml) {
        UsageException e = assertThrows(UsageException.class, () -> parse(toml));
        assertEquals(ErrorCode.USAGE, e.code());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().startsWith(SOURCE + ": "), e.getMessage());
        return e.getMessage();
    }

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal); // a literal: no lookup
    }

    @Test
    void shouldLetTheFirstMatchingGrantDecideSoALaterBroaderGrantAddsNoAction() {
        AccessPolicy policy = parse("""
                [[grant]]
                identity = "pipeline-us"
                channels = ["icd10cm"]
                actions = ["follow"]

                [[grant]]
                identity = "*"
                channels = ["*"]
                actions = ["push", "relay", "follow"]
                tenant = "everyone"
                """);

        assertEquals("pipeline-us may not push icd10cm", refusal(policy, "pipeline-us", "icd10cm", Action.PUSH));
        Grant first = policy.authorize("pipeline-us", "icd10cm", Action.FOLLOW);
        assertEquals(List.of("icd10cm"), first.channels());
        assertNull(first.tenant());
        // on another channel the first grant does not match, so the broad one decides
        assertEquals("everyone", policy.authorize("pipeline-us", "snomed", Action.PUSH).tenant());
        assertEquals("everyone", policy.authorize("pipeline-eu", "icd10cm", Action.PUSH).tenant());
        assertFalse(policy.open());
        assertEquals(2, policy.grants().size());
    }

    @Test
    void shouldRefuseAnIdentityNoGrantNamesWithTheExactMessage() {
        AccessPolicy policy = parse("""
                [[grant]]
                identity = "pipeline-eu"
                channels = ["icd10cm"]
                actions = ["push", "relay"]
                """);

        assertEquals("pipeline-us may not push icd10cm", refusal(policy, "pipeline-us", "icd10cm", Action.PUSH));
        assertEquals("pipeline-eu may not follow icd10cm", refusal(policy, "pipeline-eu", "icd10cm", Action.FOLLOW));
        assertEquals("pipeline-eu may not relay snomed", refusal(policy, "pipeline-eu", "snomed", Action.RELAY));
        assertEquals(Set.of(Action.PUSH, Action.RELAY), policy.authorize("pipeline-eu", "icd10cm", Action.RELAY).actions());
    }

    @Test
    void shouldMatchIdentityGlobsWholeAndCaseSensitively() {
        AccessPolicy policy = parse("""
                [[grant]]
                identity = "pipeline-*"
                channels = ["icd10cm"]
                actions = ["push"]

                [[grant]]
                identity = "rx?.eu"
                channels = ["icd10cm"]
                actions = ["follow"]
                """);

        assertEquals("pipeline-*", policy.authorize("pipeline-eu", "icd10cm", Action.PUSH).identity());
        assertEquals("pipeline-*", policy.authorize("pipeline-", "icd10cm", Action.PUSH).identity());
        assertEquals("rx?.eu", policy.authorize("rx1.eu", "icd10cm", Action.FOLLOW).identity());
        assertEquals("Pipeline-eu may not push icd10cm", refusal(policy, "Pipeline-eu", "icd10cm", Action.PUSH));
        assertEquals("my-pipeline-eu may not push icd10cm", refusal(policy, "my-pipeline-eu", "icd10cm", Action.PUSH));
        assertEquals("rx12.eu may not follow icd10cm", refusal(policy, "rx12.eu", "icd10cm", Action.FOLLOW));
        assertEquals("rx1.eu.example may not follow icd10cm", refusal(policy, "rx1.eu.example", "icd10cm", Action.FOLLOW));
    }

    @Test
    void shouldMatchAnyOfAGrantsChannelGlobs() {
        AccessPolicy policy = parse("""
                [[grant]]
                identity = "pipeline-eu"
                channels = ["icd10cm", "snomed-*", "loinc-2?"]
                actions = ["push"]
                """);

        for (String channel : List.of("icd10cm", "snomed-", "snomed-ct.int", "loinc-25")) {
            assertEquals("pipeline-eu", policy.authorize("pipeline-eu", channel, Action.PUSH).identity(), channel);
        }
        for (String channel : List.of("icd10cm2", "ICD10CM", "snomed", "xsnomed-ct", "loinc-2", "loinc-250")) {
            assertEquals("pipeline-eu may not push " + channel, refusal(policy, "pipeline-eu", channel, Action.PUSH));
        }
    }

    @Test
    void shouldReturnTheDecidingGrantWithItsTenantAndTheTenantsQuota() {
        AccessPolicy policy = parse("""
                [[grant]]
                identity = "acme-*"
                channels = ["*"]
                actions = ["push"]
                tenant = "acme"

                [[grant]]
                identity = "globex"
                channels = ["*"]
                actions = ["push"]
                tenant = "globex"

                [tenant.acme]
                quota_bytes = 10_000_000_000

                [tenant.initech]
                """);

        Grant grant = policy.authorize("acme-1", "icd10cm", Action.PUSH);
        assertEquals(new Grant("acme-*", List.of("*"), Set.of(Action.PUSH), "acme"), grant);
        assertEquals("globex", policy.authorize("globex", "icd10cm", Action.PUSH).tenant());
        assertEquals(OptionalLong.of(10_000_000_000L), policy.quotaBytes("acme"));
        assertEquals(OptionalLong.empty(), policy.quotaBytes("globex"));
        assertEquals(OptionalLong.empty(), policy.quotaBytes("initech"));
        assertEquals(OptionalLong.empty(), policy.quotaBytes(null));
        assertEquals(List.of("acme", "globex", "initech"), List.copyOf(policy.tenants()));
    }

    @Test
    void shouldAllowAnythingToAnyoneUntenantedWhenOpen() throws Exception {
        AccessPolicy open = AccessPolicy.OPEN;

        assertTrue(open.open());
        for (Action action : Action.values()) {
            Grant grant = open.authorize("pipeline-us", "icd10cm", action);
            assertNull(grant.tenant());
            assertTrue(grant.actions().contains(action));
            assertNull(open.authorize(null, "any.channel", action).tenant(), "a peer without a certificate");
        }
        assertDoesNotThrow(() -> open.checkRelayTarget("anywhere.example", null, 7000));
        assertDoesNotThrow(() -> open.checkRelayTarget("10.1.2.3", ip("10.1.2.3"), 7000));
        assertEquals(List.of(), open.grants());
        assertEquals(Set.of(), open.tenants());
        assertEquals(OptionalLong.empty(), open.quotaBytes("acme"));
    }

    @Test
    void shouldRefuseAPeerWithoutACertificateUnderAGrantsFile() {
        AccessPolicy policy = parse(ANY_GRANT);

        assertEquals("an unauthenticated peer may not push icd10cm", refusal(policy, null, "icd10cm", Action.PUSH));
        assertEquals("*", policy.authorize("anyone", "icd10cm", Action.PUSH).identity(), "the same request with a certificate");
    }

    @Test
    void shouldAllowRelayTargetsByNameAddressAndBlockAndRefuseOthers() throws Exception {
        AccessPolicy policy = parse("""
                relay_targets = ["10.0.0.0/8", "127.0.0.1", "rx1.eu.example.org", "::1/128", "fd00:ab::/32", "192.168.7.0/23"]
                """ + ANY_GRANT);

        assertDoesNotThrow(() -> policy.checkRelayTarget("RX1.eu.Example.org", null, 7000), "by name, case-insensitive");
        assertDoesNotThrow(() -> policy.checkRelayTarget("rx1.eu.example.org", ip("203.0.113.9"), 7000));
        assertDoesNotThrow(() -> policy.checkRelayTarget("rx2.internal", ip("10.200.3.4"), 7000), "v4 block");
        assertDoesNotThrow(() -> policy.checkRelayTarget("rx3.internal", ip("192.168.6.1"), 7000), "v4 block /23");
        assertDoesNotThrow(() -> policy.checkRelayTarget("localhost", ip("127.0.0.1"), 7000), "exact v4 address");
        assertDoesNotThrow(() -> policy.checkRelayTarget("127.0.0.1", null, 7000), "the address as written, unresolved");
        assertDoesNotThrow(() -> policy.checkRelayTarget("localhost", ip("::1"), 7000), "v6 /128");
        assertDoesNotThrow(() -> policy.checkRelayTarget("rx4.internal", ip("fd00:ab:ffff::1"), 7000), "v6 block");

        assertEquals("relay target rx9.example.org:7000 is not in relay_targets",
                refusedRelay(policy, "rx9.example.org", ip("203.0.113.9"), 7000));
        assertEquals("relay target rx1.eu.example.org.evil:7000 is not in relay_targets",
                refusedRelay(policy, "rx1.eu.example.org.evil", null, 7000));
        assertEquals("relay target rx5:7001 is not in relay_targets", refusedRelay(policy, "rx5", ip("11.0.0.1"), 7001));
        assertEquals("relay target rx6:7000 is not in relay_targets", refusedRelay(policy, "rx6", ip("127.0.0.2"), 7000));
        assertEquals("relay target rx7:7000 is not in relay_targets", refusedRelay(policy, "rx7", ip("192.168.8.1"), 7000));
        assertEquals("relay target [::2]:7000 is not in relay_targets", refusedRelay(policy, "::2", ip("::2"), 7000));
        assertEquals("relay target rx8:7000 is not in relay_targets", refusedRelay(policy, "rx8", ip("fd00:ac::1"), 7000));
    }

    @Test
    void shouldNeverMatchAnAddressOfTheOtherFamily() throws Exception {
        AccessPolicy policy = parse("""
                relay_targets = ["0.0.0.0/0"]
                """ + ANY_GRANT);
        AccessPolicy v6 = parse("""
                relay_targets = ["::/0"]
                """ + ANY_GRANT);

        assertDoesNotThrow(() -> policy.checkRelayTarget("a", ip("198.51.100.1"), 7000));
        assertEquals("relay target b:7000 is not in relay_targets", refusedRelay(policy, "b", ip("2001:db8::1"), 7000));
        assertDoesNotThrow(() -> v6.checkRelayTarget("c", ip("2001:db8::1"), 7000));
        assertEquals("relay target d:7000 is not in relay_targets", refusedRelay(v6, "d", ip("198.51.100.1"), 7000));
    }

    @Test
    void shouldAllowEveryRelayTargetWithoutRelayTargetsAndNoneWithAnEmptyList() throws Exception {
        AccessPolicy any = parse(ANY_GRANT);
        AccessPolicy none = parse("relay_targets = []\n" + ANY_GRANT);

        assertDoesNotThrow(() -> any.checkRelayTarget("anywhere.example", null, 7000));
        assertDoesNotThrow(() -> any.checkRelayTarget("x", ip("2001:db8::1"), 1));
        assertEquals("relay target anywhere.example:7000 is not in relay_targets",
                refusedRelay(none, "anywhere.example", ip("10.0.0.1"), 7000));
    }

    private static String refusedRelay(AccessPolicy policy, String host, InetAddress address, int port) {
        AccessException e = assertThrows(AccessException.class, () -> policy.checkRelayTarget(host, address, port));
        assertEquals(ErrorCode.NOT_AUTHORIZED, e.code());
        return e.getMessage();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "4096                  | 4096",
            "'\"4096\"'            | 4096",
            "'\"512 B\"'           | 512",
            "'\"500MB\"'           | 500000000",
            "'\"3 kb\"'            | 3000",
            "'\"7 GB\"'            | 7000000000",
            "'\"2 TB\"'            | 2000000000000",
            "'\"3KiB\"'            | 3072",
            "'\"5 mib\"'           | 5242880",
            "'\"10 GiB\"'          | 10737418240",
            "'\"2TiB\"'            | 2199023255552",
            "'\"9223372036854775807\"' | 9223372036854775807",
            "999_999_999_999_999_999 | 999999999999999999",
    })
    void shouldReadQuotasAsIntegersOrWithAUnit(String written, long bytes) {
        AccessPolicy policy = parse(ANY_GRANT + "[tenant.acme]\nquota_bytes = " + written + "\n");

        assertEquals(OptionalLong.of(bytes), policy.quotaBytes("acme"));
        assertEquals(Set.of("acme"), policy.tenants());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // top level
            "relay_target = [\"10.0.0.0/8\"]                    | unknown key 'relay_target' (relay_targets, grant, tenant, trust, smoke)",
            // smoke tests
            "'[[grant]]\\nidentity = \"a\"\\nchannels = [\"x\"]\\nactions = [\"push\"]\\n[[smoke]]\\nchannels = [\"x\"]' | smoke 1: command is missing",
            "'[[grant]]\\nidentity = \"a\"\\nchannels = [\"x\"]\\nactions = [\"push\"]\\n[[smoke]]\\nchannels = [\"x\"]\\ncommand = \"true\"\\ntimeout_seconds = 0' | smoke 1: timeout_seconds must be a positive integer",
            "'[[grant]]\\nidentity = \"a\"\\nchannels = [\"x\"]\\nactions = [\"push\"]\\n[smoke]\\ncommand = \"true\"' | smoke must be an array of tables: write [[smoke]], not [smoke]",
            "''                                                  | no [[grant]]: without grants leave out --config",
            "relay_targets = [\"10.0.0.0/8\"]                    | no [[grant]]: without grants leave out --config",
            "grant = []                                          | no [[grant]]: without grants leave out --config",
            "'[grant]\\nidentity = \"a\"'                         | grant must be an array of tables: write [[grant]], not [grant]",
            // grants
            "'[[grant]]\\nidentity = \"a\"\\nchanels = [\"x\"]'     | grant 1: unknown key 'chanels' (identity, channels, actions, tenant)",
            "'[[grant]]\\nchannels = [\"x\"]\\nactions = [\"push\"]' | grant 1: identity is missing",
            "'[[grant]]\\nidentity = 7\\nchannels = [\"x\"]'       | grant 1: identity must be a string",
            "'[[grant]]\\nidentity = \"a\"\\nactions = [\"push\"]'  | grant 1: channels is missing",
            "'[[grant]]\\nidentity = \"a\"\\nchannels = []'        | grant 1: channels must be a non-empty array of strings",
            "'[[grant]]\\nidentity = \"a\"\\nchannels = \"x\"'      | grant 1: channels must be a non-empty array of strings",
            "'[[grant]]\\nidentity = \"a\"\\nchannels = [1]'       | grant 1: channels must be a non-empty array of strings",
            "'[[grant]]\\nidentity = \"a\"\\nchannels = [\"x\"]'    | grant 1: actions is missing",
            "'[[grant]]\\nidentity = \"a\"\\nchannels = [\"x\"]\\nactions = []' | grant 1: actions must be a non-empty array of strings",
            "'[[grant]]\\nidentity = \"a/b\"\\nchannels = [\"x\"]\\nactions = [\"push\"]' | grant 1: bad identity 'a/b' (letters, digits, '-', '_', '.', '*', '?'; starting with a letter, digit or wildcard)",
            "'[[grant]]\\nidentity = \"\"\\nchannels = [\"x\"]\\nactions = [\"push\"]' | grant 1: bad identity '' (letters, digits, '-', '_', '.', '*', '?'; starting with a letter, digit or wildcard)",
            "'[[grant]]\\nidentity = \"a\"\\nchannels = [\"x\", \"icd/10\"]\\nactions = [\"push\"]' | grant 1: bad channel 'icd/10' (letters, digits, '-', '_', '.', '*', '?'; starting with a letter, digit or wildcard)",
            "'[[grant]]\\nidentity = \"a\"\\nchannels = [\"..\"]\\nactions = [\"push\"]' | grant 1: bad channel '..' (letters, digits, '-', '_', '.', '*', '?'; starting with a letter, digit or wildcard)",
            "'[[grant]]\\nidentity = \"a\"\\nchannels = [\"[a-z]+\"]\\nactions = [\"push\"]' | grant 1: bad channel '[a-z]+' (letters, digits, '-', '_', '.', '*', '?'; starting with a letter, digit or wildcard)",
            "'[[grant]]\\nidentity = \"a\"\\nchannels = [\"x\"]\\nactions = [\"pusher\"]' | grant 1: unknown action 'pusher' (push, relay, follow)",
            "'[[grant]]\\nidentity = \"a\"\\nchannels = [\"x\"]\\nactions = [\"PUSH\"]' | grant 1: unknown action 'PUSH' (push, relay, follow)",
            "'[[grant]]\\nidentity = \"a\"\\nchannels = [\"x\"]\\nactions = [\"push\"]\\ntenant = \".\"' | grant 1: bad tenant name '.' (1 to 64 letters, digits, '.', '_', '-', starting with a letter or digit)",
            "'[[grant]]\\nidentity = \"a\"\\nchannels = [\"x\"]\\nactions = [\"push\"]\\ntenant = 3' | grant 1: tenant must be a string",
            // tenants
            "'[tenant.acme]\\nquota = 5'                         | [tenant.acme]: unknown key 'quota' (quota_bytes)",
            "'[tenant.acme]\\nquota_bytes = 0'                   | [tenant.acme]: quota_bytes must be positive, got 0",
            "'[tenant.acme]\\nquota_bytes = -5'                  | [tenant.acme]: quota_bytes must be positive, got -5",
            "'[tenant.acme]\\nquota_bytes = \"0 GiB\"'           | [tenant.acme]: quota_bytes must be positive, got 0 GiB",
            "'[tenant.acme]\\nquota_bytes = \"10 GiBs\"'         | [tenant.acme]: quota_bytes '10 GiBs': unknown unit 'GiBs' (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)",
            "'[tenant.acme]\\nquota_bytes = \"10 Gb/s\"'         | [tenant.acme]: quota_bytes '10 Gb/s': not a size like \"10 GiB\" or \"500MB\"",
            "'[tenant.acme]\\nquota_bytes = \"1.5 GiB\"'         | [tenant.acme]: quota_bytes '1.5 GiB': not a size like \"10 GiB\" or \"500MB\"",
            "'[tenant.acme]\\nquota_bytes = \"9000000 TiB\"'     | [tenant.acme]: quota_bytes '9000000 TiB': too large",
            "'[tenant.acme]\\nquota_bytes = 99999999999999999999' | [tenant.acme]: quota_bytes 99999999999999999999 is too large",
            "'[tenant.acme]\\nquota_bytes = 9_223_372_036_854_775_807' | quota_bytes 9_223_372_036_854_775_807: the TOML parser misreads 19-digit integers; write it as a string, e.g. quota_bytes = \"9223372036854775807\"",
            "'[tenant.acme]\\nquota_bytes = 1000000000000000000' | quota_bytes 1000000000000000000: the TOML parser misreads 19-digit integers; write it as a string, e.g. quota_bytes = \"1000000000000000000\"",
            "'[tenant.acme]\\nquota_bytes = 1.5'                 | [tenant.acme]: quota_bytes must be an integer or a string like \"10 GiB\"",
            "'tenant = 5'                                       | tenant must be tables like [tenant.acme]",
            "'tenant.acme = 5'                                  | [tenant.acme]: must be a table",
            "'[tenant.\"a b\"]'                                 | [tenant.a b]: bad tenant name 'a b' (1 to 64 letters, digits, '.', '_', '-', starting with a letter or digit)",
            // relay targets
            "'relay_targets = \"10.0.0.0/8\"'                    | relay_targets must be an array of strings",
            "'relay_targets = [\"10.0.0.0/33\"]'                 | relay_targets: '10.0.0.0/33': prefix length must be 0 to 32",
            "'relay_targets = [\"::/129\"]'                      | relay_targets: '::/129': prefix length must be 0 to 128",
            "'relay_targets = [\"10.0.0.0/\"]'                   | relay_targets: '10.0.0.0/': prefix length must be 0 to 32",
            "'relay_targets = [\"10.0.0.256\"]'                  | relay_targets: '10.0.0.256': not an IPv4 address",
            "'relay_targets = [\"10.1\"]'                        | relay_targets: '10.1': not an IPv4 address",
            "'relay_targets = [\"fd00::zz\"]'                    | relay_targets: 'fd00::zz': not an IPv6 address",
            "'relay_targets = [\"1:2:3:4:5:6:7:8:9\"]'           | relay_targets: '1:2:3:4:5:6:7:8:9': not an IPv6 address",
            "'relay_targets = [\"::ffff:10.0.0.1\"]'             | relay_targets: '::ffff:10.0.0.1': IPv4-mapped IPv6 addresses are not supported: write the IPv4 address",
            "'relay_targets = [\"rx1_eu.example\"]'              | relay_targets: 'rx1_eu.example' is neither an IP address, a CIDR block nor a host name",
            "'relay_targets = [\"-rx.example\"]'                 | relay_targets: '-rx.example' is neither an IP address, a CIDR block nor a host name",
            "'relay_targets = [\"rx.example/8\"]'                | relay_targets: 'rx.example/8' is neither an IP address, a CIDR block nor a host name",
            "'relay_targets = [\"\"]'                            | relay_targets: '' is neither an IP address, a CIDR block nor a host name",
    })
    void shouldNameTheFileAndTheProblemInOneLine(String toml, String expected) {
        // a problem past the grants sits in a file whose one grant is fine: top-level keys before it, tables after it
        String body = toml.replace("\\n", "\n");
        String file;
        if (expected.startsWith("no [[grant]]") || expected.startsWith("unknown key") || body.startsWith("[[grant]]")
                || body.startsWith("[grant]")) {
            file = body;
        } else if (body.startsWith("[")) {
            file = ANY_GRANT + body;
        } else {
            file = body + "\n" + ANY_GRANT;
        }
        assertEquals(SOURCE + ": " + expected, problem(file));
    }

    @Test
    void shouldNumberTheBadGrantInFileOrder() {
        assertEquals(SOURCE + ": grant 2: unknown action 'pusher' (push, relay, follow)", problem(ANY_GRANT + """
                [[grant]]
                identity = "pipeline-eu"
                channels = ["icd10cm"]
                actions = ["push", "pusher"]
                """));
    }

    @Test
    void shouldReportATomlSyntaxErrorWithItsLineAndNoLocationBlock() {
        assertEquals(SOURCE + ": line 3: not valid TOML: Unknown token", problem("""
                [[grant]]
                identity = "a"
                  channels actions
                """));
        String unterminated = problem("[[grant]]\nidentity = \"a\nchannels = [\"x\"]\n");
        assertTrue(unterminated.startsWith(SOURCE + ": line 2: not valid TOML: "), unterminated);
        assertFalse(unterminated.contains("Source:"), unterminated);
        // Jackson places a duplicate key where the next token starts: the line after it
        String duplicate = problem("[[grant]]\nidentity = \"a\"\nidentity = \"b\"\n");
        assertTrue(duplicate.matches("grants\\.toml: line [34]: not valid TOML: Duplicate key"), duplicate);
    }

    @Test
    void shouldNotMistakeACommentedOutQuotaForA19DigitOne() {
        AccessPolicy policy = parse(ANY_GRANT + "[tenant.acme]\n# quota_bytes = 1000000000000000000\nquota_bytes = 5\n");

        assertEquals(OptionalLong.of(5), policy.quotaBytes("acme"));
    }

    @Test
    void shouldLoadARealFileAndNameItsPathInProblems() throws Exception {
        Path file = tmp.resolve("grants.toml");
        Files.writeString(file, """
                relay_targets = ["rx1.eu.example.org"]

                [[grant]]
                identity = "pipeline-eu"
                channels = ["icd10cm", "snomed-*"]
                actions  = ["push", "relay", "follow"]
                tenant   = "acme"

                [tenant.acme]
                quota_bytes = "10 GiB"
                """);

        AccessPolicy policy = AccessPolicy.load(file);

        assertEquals(List.of(new Grant("pipeline-eu", List.of("icd10cm", "snomed-*"),
                Set.of(Action.PUSH, Action.RELAY, Action.FOLLOW), "acme")), policy.grants());
        assertEquals("acme", policy.authorize("pipeline-eu", "snomed-ct", Action.RELAY).tenant());
        assertEquals(OptionalLong.of(10L << 30), policy.quotaBytes("acme"));
        assertDoesNotThrow(() -> policy.checkRelayTarget("rx1.eu.example.org", null, 7000));

        Files.writeString(file, "[[grant]]\nidentity = \"a\"\nchannels = [\"x\"]\nactions = [\"pull\"]\n");
        UsageException bad = assertThrows(UsageException.class, () -> AccessPolicy.load(file));
        assertEquals(file + ": grant 1: unknown action 'pull' (push, relay, follow)", bad.getMessage());
    }

    @Test
    void shouldNameAMissingOrUnreadableFile() throws Exception {
        Path missing = tmp.resolve("nope.toml");
        assertEquals(missing + ": no such file", assertThrows(UsageException.class, () -> AccessPolicy.load(missing)).getMessage());

        Path dir = Files.createDirectory(tmp.resolve("a-dir.toml"));
        String isDir = assertThrows(UsageException.class, () -> AccessPolicy.load(dir)).getMessage();
        assertTrue(isDir.startsWith(dir + ": cannot read: "), isDir);
        assertFalse(isDir.contains("\n"), isDir);

        Path binary = tmp.resolve("binary.toml");
        Files.write(binary, new byte[] {(byte) 0xC3, (byte) 0x28, '\n'});
        assertEquals(binary + ": not UTF-8 text", assertThrows(UsageException.class, () -> AccessPolicy.load(binary)).getMessage());

        Path locked = tmp.resolve("locked.toml");
        Files.writeString(locked, ANY_GRANT, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        if (!Files.isReadable(locked)) { // root reads anything: nothing to refuse then
            assertEquals(locked + ": permission denied", assertThrows(UsageException.class, () -> AccessPolicy.load(locked)).getMessage());
        } else {
            assertEquals(1, AccessPolicy.load(locked).grants().size());
        }
    }

    @Test
    void shouldKeepTheGrantsValuesUnmodifiableAndLabelActionsAsWritten() {
        Grant grant = parse(ANY_GRANT).grants().get(0);

        assertThrows(UnsupportedOperationException.class, () -> grant.channels().add("more"));
        assertThrows(UnsupportedOperationException.class, () -> grant.actions().add(Action.FOLLOW));
        assertEquals(Set.of(Action.PUSH), grant.actions());
        assertEquals("push relay follow", String.join(" ", List.of(Action.values()).stream().map(Action::label).toList()));
    }
}
