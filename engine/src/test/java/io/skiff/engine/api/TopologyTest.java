package io.skiff.engine.api;

import io.skiff.engine.api.Topology.Region;
import io.skiff.engine.api.Topology.Target;
import io.skiff.engine.relay.Relay;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.SkiffException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopologyTest {
    @TempDir
    Path tmp;

    private static HostPort hp(String text) {
        return HostPort.parse(text);
    }

    private static List<String> names(Region region) {
        return region.targets().stream().map(Target::toString).toList();
    }

    /** Asserts a USAGE error with a one-line message containing every fragment; returns the message. */
    private static String assertUsage(Executable parse, String... fragments) {
        SkiffException e = assertThrows(SkiffException.class, parse);
        assertEquals(ErrorCode.USAGE, e.code(), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "'" + e.getMessage() + "' lacks '" + fragment + "'");
        }
        return e.getMessage();
    }

    private Path file(String... lines) throws IOException {
        return Files.write(tmp.resolve("topology"), List.of(lines));
    }

    @Test
    void shouldPutACommaSeparatedListInNoRegion() {
        Topology t = Topology.parseTo(" h1:7070 , h2:7070,[::1]:7071 ");

        assertEquals(1, t.regions().size());
        Region r = t.regions().get(0);
        assertEquals(Topology.NO_REGION, r.name());
        assertFalse(r.named());
        assertEquals(List.of("h1:7070", "h2:7070", "[::1]:7071"), names(r));
        assertEquals(new HostPort("::1", 7071), r.targets().get(2).address());
        Target first = r.targets().get(0);
        assertNull(first.internalAddress());
        assertEquals(0, first.bandwidthLimit());
        assertFalse(first.preferredRelay());
        assertEquals(Topology.direct(List.of(hp("h1:7070"), hp("h2:7070"), hp("[::1]:7071"))), t);
    }

    @Test
    void shouldGroupNamedRegionsInTheOrderGiven() {
        Topology t = Topology.parseTo("eu=h1:7070,h2:7070; us = h3:7070 ,h4:7070");

        assertEquals(List.of("eu", "us"), t.regions().stream().map(Region::name).toList());
        assertEquals(List.of("h1:7070", "h2:7070"), names(t.regions().get(0)));
        assertEquals(List.of("h3:7070", "h4:7070"), names(t.regions().get(1)));
        assertEquals(List.of("h1:7070", "h2:7070", "h3:7070", "h4:7070"), t.targets().stream().map(Target::toString).toList());
    }

    @Test
    void shouldPutSegmentsWithoutANameInNoRegion() {
        Topology t = Topology.parseTo("h0:7070;eu=h1:7070;h2:7070;-=h3:7070;Eu.west_2-b=h4:7070");

        assertEquals(List.of("", "eu", "Eu.west_2-b"), t.regions().stream().map(Region::name).toList());
        assertEquals(List.of("h0:7070", "h2:7070", "h3:7070"), names(t.regions().get(0)));
    }

    @Test
    void shouldRefuseABadToSpec() {
        assertUsage(() -> Topology.parseTo(null), "--to is empty");
        assertUsage(() -> Topology.parseTo("  "), "--to is empty");
        assertUsage(() -> Topology.parseTo("eu=h1:7070;us="), "--to", "empty region 'us'");
        assertUsage(() -> Topology.parseTo("eu=h1:7070;"), "--to", "empty region");
        assertUsage(() -> Topology.parseTo("h1:7070;;h2:7070"), "--to", "empty region");
        assertUsage(() -> Topology.parseTo("h1:7070,,h2:7070"), "--to", "empty target");
        assertUsage(() -> Topology.parseTo("eu=h1:7070,"), "--to", "empty target");
        assertUsage(() -> Topology.parseTo("e u=h1:7070"), "--to", "bad region name 'e u'");
        assertUsage(() -> Topology.parseTo("=h1:7070"), "--to", "bad region name ''");
        assertUsage(() -> Topology.parseTo("eu/1=h1:7070"), "bad region name 'eu/1'");
        assertUsage(() -> Topology.parseTo("r".repeat(65) + "=h1:7070"), "bad region name");
        Topology.parseTo("r".repeat(64) + "=h1:7070");
        assertUsage(() -> Topology.parseTo("eu=h1:7070;us=h2:7070;eu=h3:7070"), "--to", "region 'eu' is named twice");
        assertUsage(() -> Topology.parseTo("h1:7070,h1:7070"), "--to", "target h1:7070 is given twice");
        assertUsage(() -> Topology.parseTo("eu=h1:7070;us=H1:7070"), "target H1:7070 is given twice");
        assertUsage(() -> Topology.parseTo("h1:7070;eu=h1:7070"), "target h1:7070 is given twice");
        assertUsage(() -> Topology.parseTo("eu=h1"), "--to", "expected HOST:PORT, got 'h1'");
    }

    @Test
    void shouldReadTheFileFormatPuttingPreferredRelaysFirst() throws IOException {
        Path f = file(
                "# regions of the fleet",
                "",
                "eu   eu1:7070   internal=10.0.0.1:7070",
                "us   us1:7070   bwlimit=50M         # slow link",
                "eu   eu2:7070   internal=10.0.0.2:7070 relay",
                "  -  lab:7070",
                "eu   eu3:7070",
                "us   us2:7070   relay   bwlimit=500K",
                "\t",
                "eu   [fd00::4]:7070   relay");

        Topology t = Topology.read(f);

        assertEquals(List.of("eu", "us", ""), t.regions().stream().map(Region::name).toList());
        assertEquals(List.of("eu2:7070", "[fd00::4]:7070", "eu1:7070", "eu3:7070"), names(t.regions().get(0)));
        assertEquals(List.of("us2:7070", "us1:7070"), names(t.regions().get(1)));
        assertEquals(List.of("lab:7070"), names(t.regions().get(2)));
        Target eu2 = t.regions().get(0).targets().get(0);
        assertTrue(eu2.preferredRelay());
        assertEquals(hp("10.0.0.2:7070"), eu2.internalAddress());
        assertEquals(hp("10.0.0.2:7070"), eu2.regionAddress());
        Target eu3 = t.regions().get(0).targets().get(3);
        assertFalse(eu3.preferredRelay());
        assertEquals(hp("eu3:7070"), eu3.regionAddress());
        assertEquals(50L << 20, t.regions().get(1).targets().get(1).bandwidthLimit());
        assertEquals(500L << 10, t.regions().get(1).targets().get(0).bandwidthLimit());
        assertEquals(0, eu2.bandwidthLimit());
    }

    @Test
    void shouldNameTheFileAndLineOfEachError() throws IOException {
        String at = tmp.resolve("topology") + ":2: ";
        assertUsage(() -> Topology.read(file("eu h1:7070", "eu h2:7070 speed=fast")), at + "unknown option 'speed=fast'");
        assertUsage(() -> Topology.read(file("eu h1:7070", "eu h2:7070 Relay")), at + "unknown option 'Relay'");
        assertUsage(() -> Topology.read(file("eu h1:7070", "eu h2:7070 bwlimit=fast")), at + "bwlimit must be a rate like 500K");
        assertUsage(() -> Topology.read(file("eu h1:7070", "eu h2:7070 bwlimit=0")), at + "bwlimit must be at least 1 byte");
        assertUsage(() -> Topology.read(file("eu h1:7070", "eu h2:7070 bwlimit=1M bwlimit=2M")), at + "bwlimit is given twice");
        assertUsage(() -> Topology.read(file("eu h1:7070", "eu h2:7070 relay relay")), at + "relay is given twice");
        assertUsage(() -> Topology.read(file("eu h1:7070", "eu h2:7070 internal=10.0.0.2")), at + "internal: expected HOST:PORT");
        assertUsage(() -> Topology.read(file("eu h1:7070", "- h2:7070 relay")), at + "relay and internal= apply only to targets in a named region");
        assertUsage(() -> Topology.read(file("eu h1:7070", "- h2:7070 internal=10.0.0.2:7070")), at + "relay and internal= apply only to targets in a named region");
        assertUsage(() -> Topology.read(file("eu h1:7070", "e*u h2:7070")), at + "bad region name 'e*u'");
        assertUsage(() -> Topology.read(file("eu h1:7070", "eu")), at + "expected REGION HOST:PORT");
        assertUsage(() -> Topology.read(file("eu h1:7070", "eu h2")), at + "expected HOST:PORT, got 'h2'");
        assertUsage(() -> Topology.read(file("# fleet", "eu h1:7070", "us h2:7070", "- h1:7070")),
                tmp.resolve("topology") + ":4: target h1:7070 is already listed at " + tmp.resolve("topology") + ":2");
        assertUsage(() -> Topology.read(file("# nothing yet", "")), "topology file", "lists no targets");
    }

    @Test
    void shouldRefuseAMissingOrUnreadableFile() throws IOException {
        Path missing = tmp.resolve("missing.topology");
        assertUsage(() -> Topology.read(missing), "topology file " + missing + " does not exist");
        Path dir = Files.createDirectories(tmp.resolve("a-directory"));
        assertUsage(() -> Topology.read(dir), "cannot read topology file " + dir);
        Path binary = Files.write(tmp.resolve("binary"), new byte[]{'e', 'u', ' ', (byte) 0xff, (byte) 0xfe});
        assertUsage(() -> Topology.read(binary), "cannot read topology file " + binary, "not UTF-8");
    }
}
