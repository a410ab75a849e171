package io.skiff.bench.e2e;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Where the fan-out scenario's targets are: {@code regions} regions of {@code perRegion} receivers each,
 * receiver {@code i} in region {@code i / perRegion}. Every receiver has a real port and, per run, a
 * {@link LoopbackProxy#counting} port: the sender is given the proxy ports, relays the real ones.
 */
record FanoutLayout(int regions, int perRegion) {
    static final int MAX_REGIONS = 8;
    static final int MAX_PER_REGION = 16;

    FanoutLayout {
        if (regions < 1 || regions > MAX_REGIONS || perRegion < 1 || perRegion > MAX_PER_REGION || regions * perRegion < 2) {
            throw new IllegalArgumentException("regions=" + regions + " perRegion=" + perRegion);
        }
    }

    int receivers() {
        return regions * perRegion;
    }

    /** "region1", "region2", ...: 0-based {@code region}. */
    static String regionName(int region) {
        return "region" + (region + 1);
    }

    String regionOf(int receiver) {
        return regionName(receiver / perRegion);
    }

    /** "8 targets in 2 regions". */
    String targetsText() {
        return receivers() + " targets in " + regions + " region" + (regions == 1 ? "" : "s");
    }

    /** A receiver seen from the sender (proxy port) and from a relay in its region (real port). */
    record Endpoint(int receiver, int proxyPort, int realPort) {
        String address() {
            return "127.0.0.1:" + proxyPort;
        }
    }

    /**
     * The {@code skiff push --topology} file: one line per target, {@code REGION HOST:PORT internal=HOST:PORT},
     * region by region; {@code internal} is the receiver's real port, so a relay reaches the rest of its region
     * without passing a proxy, and only what leaves the sender is counted.
     */
    String topologyFile(List<Endpoint> endpoints) {
        requireAll(endpoints);
        StringBuilder sb = new StringBuilder();
        for (Endpoint e : endpoints) {
            sb.append(regionOf(e.receiver())).append(' ').append(e.address()).append(" internal=127.0.0.1:").append(e.realPort())
                    .append('\n');
        }
        return sb.toString();
    }

    /** {@code --to} for a skiff without regions: every target, comma-separated (all pushed to directly). */
    String plainTo(List<Endpoint> endpoints) {
        requireAll(endpoints);
        return endpoints.stream().map(Endpoint::address).collect(Collectors.joining(","));
    }

    private void requireAll(List<Endpoint> endpoints) {
        if (endpoints.size() != receivers()) {
            throw new IllegalArgumentException(endpoints.size() + " endpoints for " + receivers() + " receivers");
        }
        for (int i = 0; i < endpoints.size(); i++) {
            if (endpoints.get(i).receiver() != i) {
                throw new IllegalArgumentException("endpoint " + i + " is receiver " + endpoints.get(i).receiver());
            }
        }
    }
}
