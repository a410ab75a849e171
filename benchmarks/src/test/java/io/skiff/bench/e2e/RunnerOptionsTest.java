package io.skiff.bench.e2e;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunnerOptionsTest {
    private static final Path REPO = Path.of("/repo");

    private static RunnerOptions parse(String... args) throws RunnerOptions.UsageException {
        return RunnerOptions.parse(args, REPO).orElseThrow();
    }

    @Test
    void defaults() throws Exception {
        RunnerOptions o = parse();
        assertFalse(o.coldReceiver(), "a receiver daemon per scenario unless asked");
        assertTrue(parse("--cold-receiver", "--reps", "1").coldReceiver());
        assertFalse(o.savedManifest(), "the timed push builds its manifest unless asked");
        assertTrue(parse("--saved-manifest").savedManifest());
        assertEquals(1000, o.sizeMb());
        assertEquals(1536, o.randomMb());
        assertEquals(3, o.reps());
        assertEquals(Path.of("/repo/.corpus"), o.corpusDir());
        assertEquals(Path.of("/repo/cli/target/skiff.jar"), o.skiffJar());
        assertEquals(List.of("-Xmx256m"), o.javaOpts());
        assertEquals(EnumSet.of(Scenario.RANDOM, Scenario.CODESET, Scenario.UPDATE), o.scenarios(), "resume only when asked");
        assertTrue(o.json().isEmpty() && o.appendMd().isEmpty() && o.workDir().isEmpty());
        assertTrue(o.copyFloor(), "the full copies' local copy floor unless asked");
        assertFalse(parse("--no-copy-floor", "--reps", "1").copyFloor());
        assertFalse(o.rsyncFsync(), "rsync as it runs by default, without --fsync, unless asked");
        assertTrue(parse("--rsync-fsync", "--reps", "1").rsyncFsync());
        assertTrue(RunnerOptions.USAGE.contains("--no-copy-floor"));
        assertEquals(0, o.warmReceiver(), "a receiver daemon's first timed push is its first, unless asked");
    }

    @Test
    void warmReceiverOnlyForADaemonAndBounded() throws Exception {
        assertEquals(2, parse("--warm-receiver", "2").warmReceiver());
        assertEquals(1, parse("--warm-receiver=1", "--saved-manifest").warmReceiver());
        assertThrows(RunnerOptions.UsageException.class, () -> parse("--warm-receiver", "1", "--cold-receiver"));
        assertThrows(RunnerOptions.UsageException.class, () -> parse("--warm-receiver", "0"));
        assertThrows(RunnerOptions.UsageException.class, () -> parse("--warm-receiver", "11"));
        assertTrue(RunnerOptions.USAGE.contains("--warm-receiver N"));
    }

    @Test
    void valuesSeparateOrAfterEquals() throws Exception {
        RunnerOptions o = parse("--size-mb", "50", "--random-mb=200", "--reps", "1", "--scenarios", "update,random",
                "--java-opts", " -Xmx256m  -XX:+UseParallelGC ");
        assertEquals(50, o.sizeMb());
        assertEquals(200, o.randomMb());
        assertEquals(1, o.reps());
        assertEquals(EnumSet.of(Scenario.RANDOM, Scenario.UPDATE), o.scenarios());
        assertEquals(List.of("-Xmx256m", "-XX:+UseParallelGC"), o.javaOpts());
    }

    @Test
    void resumeWhenNamedOrAll() throws Exception {
        assertEquals(EnumSet.of(Scenario.RESUME), parse("--scenarios", "resume").scenarios());
        assertEquals(EnumSet.of(Scenario.CODESET, Scenario.RESUME), parse("--scenarios", "resume,codeset").scenarios());
        assertEquals(EnumSet.allOf(Scenario.class), parse("--scenarios", "all").scenarios());
        assertThrows(RunnerOptions.UsageException.class, () -> parse("--scenarios", "resume", "--size-mb", "0"));
        assertTrue(RunnerOptions.USAGE.contains("random,codeset,update,resume,fanout,tls, or all"));
    }

    @Test
    void tlsOnlyWhenNamed() throws Exception {
        assertEquals(EnumSet.of(Scenario.RANDOM, Scenario.TLS), parse("--scenarios", "tls,random").scenarios());
        assertFalse(Scenario.defaults().contains(Scenario.TLS), "the default scenarios stay plaintext, comparable with earlier runs");
        assertTrue(Scenario.TLS.fullCopy());
    }

    @Test
    void fanoutWhenNamedOrAllWithItsOptions() throws Exception {
        RunnerOptions o = parse("--scenarios", "fanout");
        assertEquals(EnumSet.of(Scenario.FANOUT), o.scenarios());
        assertTrue(parse("--scenarios", "all").scenarios().contains(Scenario.FANOUT));
        assertFalse(parse().scenarios().contains(Scenario.FANOUT), "not in the default run");
        assertEquals(500, o.fanoutMb());
        assertEquals(new FanoutLayout(2, 4), o.fanoutLayout());
        assertEquals(8, o.fanoutLayout().receivers());
        RunnerOptions small = parse("--scenarios", "fanout", "--fanout-mb", "30", "--fanout-regions=3", "--fanout-per-region", "2");
        assertEquals(30, small.fanoutMb());
        assertEquals(new FanoutLayout(3, 2), small.fanoutLayout());
        assertThrows(RunnerOptions.UsageException.class, () -> parse("--fanout-mb", "0"));
        assertTrue(o.fanoutUplink().isEmpty());
        assertEquals("50M", parse("--scenarios", "fanout", "--fanout-uplink", "50M").fanoutUplink().orElseThrow());
        assertThrows(RunnerOptions.UsageException.class, () -> parse("--fanout-uplink", "fast"));
        assertThrows(RunnerOptions.UsageException.class, () -> parse("--fanout-regions", "9"));
        assertThrows(RunnerOptions.UsageException.class, () -> parse("--fanout-per-region", "17"));
        assertThrows(RunnerOptions.UsageException.class, () -> parse("--fanout-regions", "1", "--fanout-per-region", "1"),
                "one receiver is no fan-out");
        assertTrue(RunnerOptions.USAGE.contains("--fanout-mb N"));
    }

    @Test
    void receiverHostHeapReplacesTheSendersUnlessGiven() throws Exception {
        assertEquals(List.of("-Xmx1g"), parse().fanoutHostJavaOpts());
        assertEquals(List.of("-XX:+UseParallelGC", "-Xmx1g"), parse("--java-opts", "-Xmx256m -XX:+UseParallelGC").fanoutHostJavaOpts());
        assertEquals(List.of("-Xmx2g", "-XX:+UseSerialGC"), parse("--fanout-host-opts", "-Xmx2g -XX:+UseSerialGC").fanoutHostJavaOpts());
        assertEquals(List.of(), parse("--fanout-host-opts", " ").fanoutHostJavaOpts());
    }

    @Test
    void helpAndBadInput() throws Exception {
        assertTrue(RunnerOptions.parse(new String[]{"--reps", "2", "--help"}, REPO).isEmpty());
        assertThrows(RunnerOptions.UsageException.class, () -> parse("--reps", "21"));
        assertThrows(RunnerOptions.UsageException.class, () -> parse("--reps", "0"));
        assertThrows(RunnerOptions.UsageException.class, () -> parse("--size-mb", "lots"));
        assertThrows(RunnerOptions.UsageException.class, () -> parse("--scenarios", "random,restart"));
        assertThrows(RunnerOptions.UsageException.class, () -> parse("--json"));
        assertThrows(RunnerOptions.UsageException.class, () -> parse("--fast"));
    }
}
