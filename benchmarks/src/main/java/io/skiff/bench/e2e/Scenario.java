package io.skiff.bench.e2e;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;

/** What one timed run moves. Runs in declaration order, whatever order the user listed them in. */
enum Scenario {
    RANDOM("random", "full copy of one incompressible file to an empty destination", true, true),
    /**
     * Issue 18: random's workload, skiff's receiver and sender speaking mutual TLS (keys made for the run
     * with skiff keys); only when asked for (--scenarios random,tls compares the two in one run).
     */
    TLS("tls", "random's incompressible file, full copy, skiff over mutual TLS 1.3 (rsync as in random: plaintext)", true, false),
    CODESET("codeset", "full copy of code-set release v1 to an empty destination", true, true),
    UPDATE("update", "v1 -> v2 update of a destination that holds v1", false, true),
    /** Issue 6: a full transfer cut at half its bytes, then resumed; only when asked for (--scenarios). */
    RESUME("resume", "code-set release v1 to an empty destination through a proxy that cuts the connection at "
            + Math.round(ResumeResult.CUT_FRACTION * 100) + " % of the full transfer's bytes, then resumed", true, false),
    /**
     * Issue 7: one code-set release to receivers in regions (one receiver JVM): a single-target push, all
     * targets with --no-relay, all with relays; only when asked for (--scenarios).
     */
    FANOUT("fanout", "code-set release v1 to receivers grouped in regions, each run to new, empty channels: a "
            + "single-target push, every target with --no-relay, every target with relays", true, false);

    private final String label;
    private final String description;
    private final boolean fullCopy;
    private final boolean inDefault;

    Scenario(String label, String description, boolean fullCopy, boolean inDefault) {
        this.label = label;
        this.description = description;
        this.fullCopy = fullCopy;
        this.inDefault = inDefault;
    }

    String label() {
        return label;
    }

    String description() {
        return description;
    }

    /** Full copies go to an empty destination; rsync gets {@code --whole-file} for them. */
    boolean fullCopy() {
        return fullCopy;
    }

    /** Scenarios run without --scenarios: random, codeset, update. */
    static EnumSet<Scenario> defaults() {
        EnumSet<Scenario> set = EnumSet.noneOf(Scenario.class);
        Arrays.stream(values()).filter(s -> s.inDefault).forEach(set::add);
        return set;
    }

    static Optional<Scenario> byName(String name) {
        return Arrays.stream(values()).filter(s -> s.label.equals(name)).findFirst();
    }
}
