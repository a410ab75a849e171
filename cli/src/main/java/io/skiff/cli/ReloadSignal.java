package io.skiff.cli;

import io.skiff.engine.api.RunningServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGHUP reads a running receiver's or origin's TLS key files again, as daemons do with their
 * configuration. Changed files are also picked up by themselves on the next connection; the signal is
 * for "now", and for files whose change a copy preserving modification times would hide.
 */
final class ReloadSignal {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadSignal.class);

    private ReloadSignal() {
    }

    static void install(RunningServer server) {
        try {
            Signal.handle(new Signal("HUP"), signal -> {
                boolean taken = server.reloadTls();
                LOG.info("SIGHUP: TLS key files {}", taken ? "reloaded" : "not reloaded (plaintext, or the new files did not load)");
            });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.debug("no SIGHUP on this platform: {}", e.toString());
        }
    }
}
