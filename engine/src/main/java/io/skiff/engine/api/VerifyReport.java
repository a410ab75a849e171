package io.skiff.engine.api;

import io.skiff.protocol.Sha256;

import java.util.List;

/**
 * The current releases of a receiver root re-hashed against their manifests.
 *
 * @param channels one row per channel that has a current release: the untenanted ones in name order, then each
 *                 tenant's (tenants in name order)
 */
public record VerifyReport(List<Channel> channels) {
    public VerifyReport {
        channels = List.copyOf(channels);
    }

    /**
     * @param tenant   the tenant whose channel it is; null for an untenanted one
     * @param version  from the manifest; null when the manifest is missing
     * @param problems one line per mismatching, missing or unexpected file, sorted; empty when it matches
     */
    public record Channel(String tenant, String channel, Sha256 releaseId, String version, List<String> problems) {
        public Channel {
            problems = List.copyOf(problems);
        }

        /** {@code tenant/channel}, or the channel alone when untenanted. */
        public String qualifiedName() {
            return tenant == null ? channel : tenant + "/" + channel;
        }

        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /** Channels with at least one problem. */
    public long failures() {
        return channels.stream().filter(c -> !c.ok()).count();
    }

    public boolean ok() {
        return failures() == 0;
    }
}
