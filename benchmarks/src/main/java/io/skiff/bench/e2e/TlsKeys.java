package io.skiff.bench.e2e;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The tls scenario's keys: a CA and two identities, made with skiff keys in the run's work directory. */
final class TlsKeys {
    private TlsKeys() {
    }

    /**
     * Issue 18: keys for the tls scenario, made as an operator makes them (skiff keys init, then one
     * identity each for the receiver and the sender), in the work directory.
     */
    static SkiffCommand make(SkiffCommand skiff, Path workDir, PrintStream log) throws IOException, InterruptedException, RunFailedException {
        Path keys = workDir.resolve("tls-keys");
        Path ca = keys.resolve("ca");
        Path rx = keys.resolve("e2e-receiver");
        Path tx = keys.resolve("e2e-sender");
        if (!Files.exists(ca.resolve("ca.pem"))) {
            runKeys(skiff.keys("init", ca.toString()));
            runKeys(skiff.keys("issue", ca.toString(), "--name", "e2e-receiver", "--out", rx.toString()));
            runKeys(skiff.keys("issue", ca.toString(), "--name", "e2e-sender", "--out", tx.toString()));
        }
        log.println("tls: mutual TLS with keys in " + keys);
        return skiff.withTls(rx, tx);
    }

    private static void runKeys(List<String> command) throws IOException, InterruptedException, RunFailedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new RunFailedException("skiff keys failed: " + String.join(" ", command) + "\n" + output);
        }
    }

}
