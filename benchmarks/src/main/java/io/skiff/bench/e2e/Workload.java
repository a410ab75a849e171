package io.skiff.bench.e2e;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What a scenario moves: the source tree (with its digest, computed once and checked against every
 * destination) and, for an update, the base release the destination is given untimed first.
 */
record Workload(Scenario scenario, Path source, TreeDigest digest, Optional<Path> base) {

    long logicalBytes() {
        return digest.totalBytes();
    }

    int files() {
        return digest.files().size();
    }
}
