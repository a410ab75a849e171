package io.skiff.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * {@code push --notify-cmd}: when any target failed or was rolled back, {@code sh -c CMD} gets the push's
 * JSON result (what {@code --json} prints) on stdin, so a pipeline pages its team with it. The command's
 * own failure is one warning line: it never changes the push's exit status.
 */
final class PushNotify {
    /** Longest a notify command may run; then it is killed. */
    static final long TIMEOUT_SECONDS = 60;

    private PushNotify() {
    }

    static void run(String command, String resultJson, String channel, String version, PrintWriter err) {
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put("SKIFF_CHANNEL", channel);
        builder.environment().put("SKIFF_VERSION", version);
        try {
            Process p = builder.start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(resultJson.getBytes(StandardCharsets.UTF_8));
                in.write('\n');
            } catch (IOException closedEarly) {
                // a command that does not read its stdin still runs
            }
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                err.println("skiff: warning: --notify-cmd did not finish within " + TIMEOUT_SECONDS + " s and was killed");
            } else if (p.exitValue() != 0) {
                err.println("skiff: warning: --notify-cmd exited " + p.exitValue());
            }
        } catch (IOException e) {
            err.println("skiff: warning: --notify-cmd could not start: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
