package io.skiff.engine.transfer;

import io.skiff.engine.transport.HostPort;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where a push goes: targets grouped by region. The sender sends each named region's data once, to
 * one relay in that region, which forwards it to the region's other targets; the unnamed region
 * ({@link #NO_REGION}) is pushed to directly.
 *
 * @param regions in the order given; region names are unique
 */
public record Topology(List<Region> regions) {
    /** The name of the group of targets that belong to no region: each is pushed to directly. */
    public static final String NO_REGION = "";

    public Topology {
        regions = List.copyOf(regions);
    }

    /**
     * @param name    region name, or {@link #NO_REGION}
     * @param targets in order of preference as relay: targets marked {@code relay} first, then as given
     */
    public record Region(String name, List<Target> targets) {
        public Region {
            Objects.requireNonNull(name, "name");
            targets = List.copyOf(targets);
        }

        public boolean named() {
            return !name.isEmpty();
        }
    }

    /**
     * @param address         where the sender connects
     * @param internalAddress where a relay in the same region connects (e.g. a private address); null: {@code address}
     * @param bandwidthLimit  bytes per second to this target, from the sender or its relay; 0 for no limit
     * @param preferredRelay  chosen as the region's relay before the others
     */
    public record Target(HostPort address, HostPort internalAddress, long bandwidthLimit, boolean preferredRelay) {
        public Target {
            Objects.requireNonNull(address, "address");
            if (bandwidthLimit < 0) {
                throw new IllegalArgumentException("bandwidthLimit=" + bandwidthLimit);
            }
        }

        public static Target of(HostPort address) {
            return new Target(address, null, 0, false);
        }

        /** The address a relay in this target's region uses. */
        public HostPort regionAddress() {
            return internalAddress != null ? internalAddress : address;
        }

        @Override
        public String toString() {
            return address.toString();
        }
    }

    /** Every target pushed to directly, no regions (what {@code --to h1:p,h2:p} means). */
    public static Topology direct(List<HostPort> targets) {
        return new Topology(List.of(new Region(NO_REGION, targets.stream().map(Target::of).toList())));
    }

    /** All targets, region by region. */
    public List<Target> targets() {
        List<Target> all = new ArrayList<>();
        for (Region r : regions) {
            all.addAll(r.targets());
        }
        return all;
    }
}
