package io.skiff.bench.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SkiffCommandTest {
    private final SkiffCommand skiff = new SkiffCommand(Path.of("/jdk/bin/java"), List.of("-Xmx256m"), Path.of("/repo/skiff.jar"), Optional.empty(), Optional.empty(),
            SkiffCommand.PLAINTEXT, SkiffCommand.PLAINTEXT);

    @Test
    void pushNamesTheSenderHistory() {
        assertEquals(List.of("/jdk/bin/java", "-XX:CompileThresholdScaling=4", "-Xlog:disable", "-Xlog:all=warning:stderr", "-Xmx256m", "-jar", "/repo/skiff.jar", "push", "/corpus/v2", "--channel", "bench-x",
                        "--version", "v2", "--insecure", "--to", "127.0.0.1:7398", "--json", "--no-progress", "--history", "/work/skiff-history-update"),
                skiff.push(Path.of("/corpus/v2"), "bench-x", "v2", 7398, Optional.empty(), Path.of("/work/skiff-history-update")));
    }

    @Test
    void pushWithASavedManifest() {
        List<String> cmd = skiff.push(Path.of("/corpus/v1"), "c", "v1", 1, Optional.of(Path.of("/work/m")), Path.of("/work/h"));
        assertEquals(List.of("--history", "/work/h", "--manifest", "/work/m"), cmd.subList(cmd.size() - 4, cmd.size()));
        assertEquals(List.of("/jdk/bin/java", "-XX:TieredStopAtLevel=1"), cmd.subList(0, 2), "no C2 for a push that hashes nothing");
    }

    @Test
    void pushToATopologyOrAList() {
        assertEquals(List.of("/jdk/bin/java", "-XX:CompileThresholdScaling=4", "-Xlog:disable", "-Xlog:all=warning:stderr", "-Xmx256m", "-jar", "/repo/skiff.jar", "push", "/corpus/v1", "--channel", "c", "--version", "v1",
                        "--insecure", "--topology", "/work/t", "--no-relay", "--json", "--no-progress", "--history", "/work/h"),
                skiff.push(Path.of("/corpus/v1"), "c", "v1", List.of("--topology", "/work/t", "--no-relay"), Optional.empty(), Path.of("/work/h")));
        assertEquals(skiff.push(Path.of("/corpus/v1"), "c", "v1", 7001, Optional.empty(), Path.of("/work/h")),
                skiff.push(Path.of("/corpus/v1"), "c", "v1", List.of("--to", "127.0.0.1:7001"), Optional.empty(), Path.of("/work/h")));
        assertEquals(List.of("/jdk/bin/java", "-XX:CompileThresholdScaling=4", "-Xlog:disable", "-Xlog:all=warning:stderr", "-Xmx256m", "-jar", "/repo/skiff.jar", "push", "--help"), skiff.pushHelp());
    }

    @Test
    void pushWithRetries() {
        List<String> cmd = skiff.push(Path.of("/corpus/v1"), "c", "v1", 1, Optional.empty(), Path.of("/work/h"), 3, 0.2);
        assertEquals(List.of("--history", "/work/h", "--retries", "3", "--retry-wait", "0.2"), cmd.subList(cmd.size() - 6, cmd.size()));
        List<String> once = skiff.push(Path.of("/corpus/v1"), "c", "v1", 1, Optional.empty(), Path.of("/work/h"), 0, 1);
        assertEquals(List.of("--retries", "0", "--retry-wait", "1"), once.subList(once.size() - 4, once.size()));
    }

    @Test
    void aReceiverStartsWithTheUsersOptionsOnlyWithoutTheDirectivesFile() {
        assertEquals(List.of("/jdk/bin/java", "-Xlog:disable", "-Xlog:all=warning:stderr", "-Xmx256m", "-jar", "/repo/skiff.jar"), skiff.daemonCommand());
    }

    @Test
    void aReceiverGetsTheCheckoutsCompilerDirectives() {
        Path jar = Path.of("..", "cli", "target", "skiff.jar");
        Path directives = SkiffCommand.daemonDirectives(jar).orElseThrow(() -> new AssertionError("cli/jvm has the daemons' directives"));
        assertEquals(Path.of("..", "cli", SkiffCommand.DIRECTIVES).toAbsolutePath().normalize(), directives);
        SkiffCommand fromCheckout = SkiffCommand.asLauncher(Path.of("/jdk/bin/java"), List.of("-Xmx256m"), jar);
        List<String> daemon = fromCheckout.daemonCommand();
        assertEquals(SkiffCommand.daemonJvmOpts(directives), daemon.subList(1, 4));
        assertEquals(SkiffCommand.daemonJvmOpts(directives), fromCheckout.daemonLauncherOpts(), "the fan-out's receiver host too");
        assertEquals(List.of(), skiff.daemonLauncherOpts());
        assertEquals(Optional.empty(), SkiffCommand.daemonDirectives(Path.of("/elsewhere/skiff.jar")));
    }

    /**
     * The repository's ./skiff launcher, run with a java that prints its arguments: the runner starts a
     * sender with the options the launcher gives it, and a receiver without them.
     */
    @Test
    void theLauncherGivesShortLivedCommandsTheRunnersOptions(@TempDir Path tmp) throws Exception {
        Sandbox box = Sandbox.in(tmp, "#!/bin/sh\necho \"$@\"\n");
        Path launcher = box.launcher();
        Path jar = box.jar();
        Path bin = box.bin();

        Map<String, String> noCds = Map.of("SKIFF_CDS", "0");
        List<String> push = new ArrayList<>(SkiffCommand.SHORT_LIVED_JVM_OPTS);
        push.addAll(SkiffCommand.LOG_OPTS);
        push.addAll(List.of("-jar", jar.toString(), "push", "src", "--to", "h:1"));
        assertEquals(push, run(launcher, bin, noCds, "push", "src", "--to", "h:1"));
        for (String[] saved : new String[][]{{"push", "src", "--manifest", "m"}, {"push", "--manifest=m", "src"}}) {
            List<String> savedPush = new ArrayList<>(SkiffCommand.SAVED_MANIFEST_PUSH_JVM_OPTS);
            savedPush.addAll(SkiffCommand.LOG_OPTS);
            savedPush.add("-jar");
            savedPush.add(jar.toString());
            savedPush.addAll(List.of(saved));
            assertEquals(savedPush, run(launcher, bin, noCds, saved), String.join(" ", saved));
        }
        List<String> manifest = new ArrayList<>(SkiffCommand.SHORT_LIVED_JVM_OPTS);
        manifest.addAll(SkiffCommand.LOG_OPTS);
        manifest.addAll(List.of("-Xmx1g", "-jar", jar.toString(), "manifest", "src"));
        assertEquals(manifest, run(launcher, bin, Map.of("SKIFF_JAVA_OPTS", "-Xmx1g", "SKIFF_CDS", "0"), "manifest", "src"),
                "SKIFF_JAVA_OPTS after the launcher's, so a user can override them");
        List<String> receive = new ArrayList<>(SkiffCommand.LOG_OPTS);
        receive.addAll(List.of("-jar", jar.toString(), "receive", "--root", "r"));
        assertEquals(receive, run(launcher, bin, noCds, "receive", "--root", "r"), "no directives file: the JVM's defaults");

        Path directives = Files.createDirectories(jar.getParent().resolveSibling("jvm")).resolve("compiler-directives.json");
        Files.writeString(directives, "[]");
        for (String[] daemon : new String[][]{{"receive", "--root", "r"}, {"serve"}}) {
            List<String> withDirectives = new ArrayList<>(SkiffCommand.daemonJvmOpts(directives));
            withDirectives.addAll(SkiffCommand.LOG_OPTS);
            withDirectives.add("-jar");
            withDirectives.add(jar.toString());
            withDirectives.addAll(List.of(daemon));
            assertEquals(withDirectives, run(launcher, bin, noCds, daemon), String.join(" ", daemon));
            assertEquals(SkiffCommand.daemonDirectives(jar), Optional.of(directives), "the runner finds the launcher's file");
        }
        List<String> hashingPush = new ArrayList<>(SkiffCommand.SHORT_LIVED_JVM_OPTS);
        hashingPush.addAll(SkiffCommand.hashingPushDirectiveOpts(directives));
        hashingPush.addAll(SkiffCommand.LOG_OPTS);
        hashingPush.addAll(List.of("-jar", jar.toString(), "push", "src", "--to", "h:1"));
        assertEquals(hashingPush, run(launcher, bin, noCds, "push", "src", "--to", "h:1"), "a push that hashes: after the rest");
        assertEquals(hashingPush.subList(0, 4), SkiffCommand.asLauncher(bin.resolve("java"), List.of(), jar).hashingPushLauncherOpts(),
                "the runner's sender as the launcher's");
        List<String> savedPush = new ArrayList<>(SkiffCommand.SAVED_MANIFEST_PUSH_JVM_OPTS);
        savedPush.addAll(SkiffCommand.LOG_OPTS);
        savedPush.addAll(List.of("-jar", jar.toString(), "push", "src", "--manifest", "m"));
        assertEquals(savedPush, run(launcher, bin, noCds, "push", "src", "--manifest", "m"), "not for a push with a saved manifest");
        List<String> manifestWithDirectives = new ArrayList<>(SkiffCommand.SHORT_LIVED_JVM_OPTS);
        manifestWithDirectives.addAll(SkiffCommand.LOG_OPTS);
        manifestWithDirectives.addAll(List.of("-jar", jar.toString(), "manifest", "src"));
        assertEquals(manifestWithDirectives, run(launcher, bin, noCds, "manifest", "src"), "nor for other commands");
    }

    /**
     * The launcher makes a class-data archive once (a java that "dumps" one when asked), then starts every
     * command with it; the runner finds the same file for the same java and jar, and none for another java.
     */
    @Test
    void theLauncherMakesTheClassDataArchiveOnceWhereTheRunnerLooksForIt(@TempDir Path tmp) throws Exception {
        Path dumps = tmp.resolve("dumps.log");
        Sandbox box = Sandbox.in(tmp, "#!/bin/sh\nfor a in \"$@\"; do case \"$a\" in -XX:ArchiveClassesAtExit=*) "
                + "echo archive > \"${a#-XX:ArchiveClassesAtExit=}\"; echo dumped >> " + dumps + ";; esac; done\necho \"$@\"\n");
        Path launcher = box.launcher();
        Path jar = box.jar();
        Path bin = box.bin();
        Path fakeJava = box.java();

        List<String> first = run(launcher, bin, Map.of(), "push", "src");
        List<String> second = run(launcher, bin, Map.of(), "status");
        Path archive = SkiffCommand.cdsArchive(fakeJava, jar).orElseThrow(() -> new AssertionError("no archive where the runner looks"));
        assertTrue(first.contains("-XX:SharedArchiveFile=" + archive), first.toString());
        assertTrue(second.contains("-XX:SharedArchiveFile=" + archive), second.toString());
        assertEquals(1, Files.readAllLines(dumps).size(), "made once, by the first command after the build");
        assertEquals(Optional.empty(), SkiffCommand.cdsArchive(Path.of("/usr/bin/env"), jar), "another java has none");
    }

    /** A copy of the repository's ./skiff next to a jar it takes as built, and a bin dir whose java is {@code javaScript}. */
    private record Sandbox(Path launcher, Path jar, Path bin, Path java) {
        static Sandbox in(Path tmp, String javaScript) throws IOException {
            Path launcher = tmp.resolve("skiff");
            Files.copy(Path.of("..", "skiff"), launcher);
            assertTrue(launcher.toFile().setExecutable(true));
            Path jar = Files.createDirectories(tmp.resolve("cli/target")).resolve("skiff.jar");
            Files.writeString(jar, "not built: no pom or source next to it is newer, so the launcher runs it as it is");
            Path bin = Files.createDirectories(tmp.resolve("bin"));
            Path java = Files.writeString(bin.resolve("java"), javaScript);
            assertTrue(java.toFile().setExecutable(true));
            return new Sandbox(launcher, jar, bin, java);
        }
    }

    private static List<String> run(Path launcher, Path bin, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":/usr/bin:/bin");
        pb.environment().remove("SKIFF_JAVA_OPTS");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "launcher did not exit");
        assertEquals(0, p.exitValue(), out);
        return List.of(out.split(" "));
    }

    @Test
    void aTlsSkiffPushesWithTheSendersKeysAndPlaintextOnlyWithInsecure() {
        SkiffCommand tls = skiff.withTls(Path.of("/work/tls-rx"), Path.of("/work/tls-tx"));

        List<String> push = tls.push(Path.of("/corpus/r"), "c", "v1", 7001, Optional.empty(), Path.of("/work/h"));

        assertEquals(List.of("--version", "v1", "--tls-dir", "/work/tls-tx", "--to"), push.subList(push.indexOf("--version"), push.indexOf("--to") + 1));
        assertEquals(List.of("--tls-dir", "/work/tls-rx"), tls.receiverTls());
        assertTrue(skiff.push(Path.of("/corpus/r"), "c", "v1", 7001, Optional.empty(), Path.of("/work/h")).contains("--insecure"));
        assertEquals(List.of("keys", "issue", "/work/ca", "--name", "e2e-sender", "--out", "/work/tls-tx"),
                tls.keys("issue", "/work/ca", "--name", "e2e-sender", "--out", "/work/tls-tx").subList(7, 14));
    }
}
