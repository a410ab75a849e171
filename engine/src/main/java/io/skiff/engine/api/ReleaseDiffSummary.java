package io.skiff.engine.api;

import java.util.List;

/**
 * What a push of a new release directory would send to a receiver that holds an old one.
 *
 * @param added             files only in the new release
 * @param removed           files only in the old one
 * @param changed           files in both with different content
 * @param chunksTotal       chunks of the new release
 * @param chunksToSend      of those, the chunks a receiver holding the old release would fetch
 * @param bytesLogical      bytes of the new release
 * @param bytesChunksToSend raw bytes of the chunks to send
 * @param bytesWireEstimate estimated bytes on the wire: chunks encoded against the old release, framing and manifest
 */
public record ReleaseDiffSummary(List<String> added, List<String> removed, List<String> changed, int unchanged,
                                 int chunksTotal, int chunksToSend, long bytesLogical, long bytesChunksToSend,
                                 long bytesWireEstimate) {
    public ReleaseDiffSummary {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        changed = List.copyOf(changed);
    }
}
