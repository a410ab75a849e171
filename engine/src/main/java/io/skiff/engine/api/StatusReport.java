package io.skiff.engine.api;

import io.skiff.protocol.Sha256;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a receiver root holds, channel by channel, read at one instant without a running receiver.
 *
 * @param root     the root, absolute and normalized
 * @param channels one row per channel directory: the untenanted ones in name order, then each tenant's (tenants in
 *                 name order, their channels in name order)
 */
public record StatusReport(Path root, List<Channel> channels) {
    public StatusReport {
        channels = List.copyOf(channels);
    }

    /**
     * @param tenant   the tenant whose channel it is ({@code ROOT/<tenant>/<channel>}); null for an untenanted one
     * @param current  the release {@code current} points at; null when there is none
     * @param releases the releases kept under {@code releases/}, current included
     * @param staging  partial transfers under {@code staging/}
     */
    public record Channel(String tenant, String channel, Release current, List<Release> releases, List<Staging> staging) {
        public Channel {
            releases = List.copyOf(releases);
            staging = List.copyOf(staging);
        }

        /** {@code tenant/channel}, or the channel alone when untenanted. */
        public String qualifiedName() {
            return tenant == null ? channel : tenant + "/" + channel;
        }
    }

    /**
     * @param version         the version from its manifest; null when the manifest is missing or unreadable
     * @param manifestProblem why the manifest could not be read; null when it was read or is simply missing
     * @param current         whether it is the channel's current release
     */
    public record Release(Sha256 releaseId, String version, String manifestProblem, boolean current) {
    }

    /**
     * A partial transfer, as far as its resume journal vouches for it.
     *
     * @param version      null when its manifest is missing (then the counts are unknown: -1, NaN and 0)
     * @param bytesTotal   the release's bytes, -1 without a manifest
     * @param bytesMissing bytes still to arrive, -1 without a manifest
     * @param percentDone  0..100 (an empty release is all done), NaN without a manifest
     * @param age          time since the staging tree or journal was last written; null when unknown
     */
    public record Staging(Sha256 releaseId, String version, long bytesTotal, long bytesDone, long bytesMissing, double percentDone,
                          int chunksTotal, int chunksDone, Duration age) {
        public boolean manifestKnown() {
            return bytesTotal >= 0;
        }
    }
}
