package io.skiff.engine.api;

import io.skiff.protocol.Manifest;

import java.util.List;

/** The outcome of a push to every target. */
public record PushResult(Manifest manifest, long bytesLogical, long bytesWire, double seconds,
                         double manifestSeconds, List<TargetResult> targets) {
    public boolean allActivated() {
        return targets.stream().allMatch(TargetResult::activated);
    }
}
