package io.skiff.bench.e2e;

import java.util.Arrays;
import java.util.Optional;

/** What one timed run moves. Runs in declaration order, whatever order the user listed them in. */
enum Scenario {
    RANDOM("random", "full copy of one incompressible file to an empty destination", true),
    CODESET("codeset", "full copy of code-set release v1 to an empty destination", true),
    UPDATE("update", "v1 -> v2 update of a destination that holds v1", false);

    private final String label;
    private final String description;
    private final boolean fullCopy;

    Scenario(String label, String description, boolean fullCopy) {
        this.label = label;
        this.description = description;
        this.fullCopy = fullCopy;
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

    static Optional<Scenario> byName(String name) {
        return Arrays.stream(values()).filter(s -> s.label.equals(name)).findFirst();
    }
}
