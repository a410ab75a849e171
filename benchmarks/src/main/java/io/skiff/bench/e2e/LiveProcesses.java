package io.skiff.bench.e2e;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every child process the runner has started and not yet reaped. Children of a JVM outlive it, so on
 * Ctrl-C (or any exit) the runner's shutdown hook calls {@link #killAll}: no orphaned receiver JVM or
 * rsync daemon keeps a port and a few hundred MB after an interrupted benchmark.
 */
final class LiveProcesses {
    private final Set<Process> processes = ConcurrentHashMap.newKeySet();

    Process register(Process p) {
        processes.add(p);
        return p;
    }

    /** SIGTERM, then SIGKILL after {@code grace}; returns once the process is gone. */
    void stop(Process p, Duration grace) throws InterruptedException {
        try {
            p.destroy();
            if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(p);
                p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            processes.remove(p);
        }
    }

    /** SIGKILL to the process and everything below it (/usr/bin/time's child, rsync's forks). */
    void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    void forget(Process p) {
        processes.remove(p);
    }

    void killAll() {
        for (Process p : processes) {
            kill(p);
        }
    }
}
