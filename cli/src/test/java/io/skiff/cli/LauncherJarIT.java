package io.skiff.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The shaded jar that {@code ./skiff} starts (cli/target/skiff.jar), run after package: what the
 * launcher and operators get, not the classes the unit tests see.
 */
class LauncherJarIT {
    private static final Path JAR = Path.of("target", "skiff.jar");
    /** The JDK the build runs on. */
    private static final Path BUILD_JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
    /** Java 17's class-file major version: older classes cannot go into a class-data archive. */
    private static final int JAVA_17 = 61;

    @Test
    void everyClassOfPicocliIsCompiledForJava17SoTheClassDataArchiveCanHoldIt() throws IOException {
        int picocliClasses = 0;
        try (JarFile jar = new JarFile(JAR.toFile())) {
            for (var entry : jar.stream().filter(e -> e.getName().startsWith("picocli/") && e.getName().endsWith(".class")).toList()) {
                try (InputStream in = jar.getInputStream(entry)) {
                    byte[] header = in.readNBytes(8);
                    int major = ((header[6] & 0xff) << 8) | (header[7] & 0xff);
                    assertEquals(JAVA_17, major, entry.getName());
                }
                picocliClasses++;
            }
        }
        assertTrue(picocliClasses > 100, "picocli's classes are in the jar: " + picocliClasses);
    }

    @Test
    void theJarRunsOnTheBuildJdkWithNothingOnStderr() throws Exception {
        Result version = run(BUILD_JAVA, "--version");
        assertEquals(0, version.exit, version.stderr);
        assertTrue(version.stdout.startsWith("skiff "), version.stdout);
        assertEquals("", version.stderr);
    }

    /**
     * What the jar carries for TLS and grants, run through it: BoringSSL's native libraries, a demo
     * whose connections are mutual TLS, and the TOML reader of a
     * receiver's grants file (a mistake in the file is a one-line usage error, not a missing class).
     */
    @Test
    void theJarCarriesBoringSslAndTheGrantsReader() throws Exception {
        Path work = Files.createTempDirectory("skiff-jar-it-tls");
        try (JarFile jar = new JarFile(JAR.toFile())) {
            assertTrue(jar.getEntry("META-INF/native/libnetty_tcnative_linux_x86_64.so") != null, "BoringSSL for x86-64 Linux");
            assertTrue(jar.getEntry("META-INF/native/libnetty_tcnative_linux_aarch_64.so") != null, "BoringSSL for ARM Linux");
        }
        Result demo = run(BUILD_JAVA, "demo", "--size=1");
        assertEquals(0, demo.exit, demo.stderr);
        assertTrue(demo.stderr.contains("connections: mutual TLS"), demo.stderr);
        assertEquals(0, run(BUILD_JAVA, "keys", "init", work.resolve("keys").toString()).exit);
        Files.writeString(work.resolve("grants.toml"), "[[grant]]\nidentity = \"x\"\nchanels = [\"a\"]\nactions = [\"push\"]\n");

        Result receive = run(BUILD_JAVA, "receive", "--tls-dir", work.resolve("keys").toString(), "--listen", "127.0.0.1:0",
                "--root", work.resolve("root").toString(), "--config", work.resolve("grants.toml").toString());

        assertEquals(2, receive.exit, receive.stderr);
        assertTrue(receive.stderr.startsWith("skiff: error: ") && receive.stderr.contains("chanels"), receive.stderr);
        assertFalse(receive.stderr.contains("Exception"), receive.stderr);
    }

    /**
     * The compiler directives ./skiff gives the daemons and a hashing push, read by the real JVM: a typo
     * in the file would stop every receiver and push from starting.
     */
    @Test
    void theCompilerDirectivesAreWhatTheJvmAccepts(@TempDir Path tmp) throws Exception {
        Path directives = Path.of("jvm", "compiler-directives.json");
        assertTrue(Files.isRegularFile(directives), directives.toAbsolutePath().toString());
        Result version = run(BUILD_JAVA, List.of("-XX:+UnlockDiagnosticVMOptions",
                "-XX:+DisplayVMOutputToStderr", "-XX:CompilerDirectivesFile=" + directives), "--version");
        assertEquals(0, version.exit, version.stderr);
        assertTrue(version.stdout.startsWith("skiff "), version.stdout);
        assertEquals("2 compiler directives added", version.stderr.strip(), "the C2 list and the rest, and nothing on stdout");

        List<String> pushOpts = List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:-DisplayVMOutput");
        Result push = run(BUILD_JAVA, concat(pushOpts, "-XX:CompilerDirectivesFile=" + directives), "--version");
        assertEquals(0, push.exit, push.stderr);
        assertEquals("", push.stderr, "a push's stderr: not even the directives' line");
        Path typo = Files.writeString(tmp.resolve("typo.json"), "[ { match: \"*.*\", c2: { Exclude: tru } } ]");
        Result refused = run(BUILD_JAVA, concat(pushOpts, "-XX:CompilerDirectivesFile=" + typo), "--version");
        assertEquals(1, refused.exit, "a file the JVM cannot parse: it does not start, output silenced or not");
        assertTrue(refused.stderr.contains("Could not create the Java Virtual Machine"), refused.stderr);
    }

    private static List<String> concat(List<String> first, String last) {
        List<String> all = new ArrayList<>(first);
        all.add(last);
        return all;
    }

    /**
     * JDK 24 and later print a four-line warning on stderr the first time a library loads native code
     * (Netty's epoll, zstd-jni), unless the jar's manifest allows it. Runs on every newer JDK installed
     * next to the build's.
     */
    @Test
    void newerJdksPrintNoNativeAccessWarning() throws Exception {
        List<Path> newer = newerJdks();
        assumeFalse(newer.isEmpty(), "no JDK 24 or later installed next to " + System.getProperty("java.home"));
        for (Path java : newer) {
            // demo loads both native libraries: epoll for its loopback transfers, zstd for the manifests
            Result demo = run(java, "demo", "--size=1");
            assertEquals(0, demo.exit, java + ": " + demo.stderr);
            assertFalse(demo.stderr.contains("WARNING"), java + " warned:\n" + demo.stderr);
            assertTrue(demo.stderr.contains("byte-identical"), demo.stderr);
            assertTrue(demo.stdout.contains("v2 (update)"), demo.stdout);
        }
    }

    private static List<Path> newerJdks() throws IOException {
        Path jvms = Path.of(System.getProperty("java.home")).toRealPath().getParent();
        List<Path> found = new ArrayList<>();
        try (Stream<Path> homes = Files.list(jvms)) {
            for (Path home : homes.sorted().toList()) {
                Path release = home.resolve("release");
                Path java = home.resolve("bin/java");
                if (Files.isRegularFile(release) && Files.isExecutable(java) && featureVersion(release) >= 24) {
                    found.add(java);
                }
            }
        }
        return found;
    }

    /** JAVA_VERSION="25.0.3" in a JDK's release file: 25. */
    private static int featureVersion(Path release) throws IOException {
        for (String line : Files.readAllLines(release)) {
            if (line.startsWith("JAVA_VERSION=")) {
                String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                int end = 0;
                while (end < v.length() && Character.isDigit(v.charAt(end))) {
                    end++;
                }
                return end == 0 ? 0 : Integer.parseInt(v.substring(0, end));
            }
        }
        return 0;
    }

    private record Result(int exit, String stdout, String stderr) {
    }

    private static Result run(Path java, String... args) throws Exception {
        return run(java, List.of(), args);
    }

    private static Result run(Path java, List<String> jvmOptions, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx256m"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", JAR.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("skiff-jar-it", ".out");
        Path err = Files.createTempFile("skiff-jar-it", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
