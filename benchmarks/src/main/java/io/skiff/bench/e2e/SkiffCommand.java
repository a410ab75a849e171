package io.skiff.bench.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How to launch the skiff CLI: this JVM's own {@code java} binary (so sender, receiver and the runner
 * share one JDK), the user's JVM options, {@code -jar skiff.jar}. The same options for sender and receiver.
 */
record SkiffCommand(Path javaBinary, List<String> javaOpts, Path jar) {

    static Path currentJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    List<String> javaCommand() {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary.toString());
        cmd.addAll(javaOpts);
        cmd.add("-jar");
        cmd.add(jar.toString());
        return cmd;
    }

    List<String> push(Path source, String channel, String version, int port) {
        List<String> cmd = javaCommand();
        cmd.addAll(List.of("push", source.toString(), "--channel", channel, "--version", version,
                "--to", "127.0.0.1:" + port, "--json", "--no-progress"));
        return cmd;
    }
}
