package io.skiff.engine.api;

import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.UsageException;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where a push goes: targets grouped by region. The sender sends each named region's data once, to
 * one relay in that region, which forwards it to the region's other targets; the unnamed region
 * ({@link #NO_REGION}) is pushed to directly.
 *
 * <h2>{@code --to} ({@link #parseTo})</h2>
 * <pre>
 * h1:7070,h2:7070                        no region: the sender pushes to each
 * eu=h1:7070,h2:7070;us=h3:7070,h4:7070  two regions
 * h0:7070;eu=h1:7070,h2:7070             h0 in no region, h1 and h2 in eu
 * </pre>
 * Segments are separated by {@code ;}, targets by {@code ,}; a segment without {@code NAME=} (or
 * named {@code -}) belongs to no region. Whitespace around items is ignored.
 *
 * <h2>Topology file ({@link #read})</h2>
 * <pre>
 * # REGION  HOST:PORT          options
 * eu        eu1.example:7070   internal=10.0.0.1:7070
 * eu        eu2.example:7070   internal=10.0.0.2:7070 relay
 * us        us1.example:7070   bwlimit=50M
 * -         lab.example:7070
 * </pre>
 * One target per line: {@code REGION HOST:PORT [bwlimit=RATE] [internal=HOST:PORT] [relay]}, fields
 * separated by whitespace; {@code #} starts a comment; blank lines are ignored. REGION {@code -} means
 * no region. {@code bwlimit} caps the bytes per second to this target ({@link Rate}: 500K, 50M, 1G,
 * powers of 1024); {@code internal} is the address relays of the same region use to reach it;
 * {@code relay} prefers it as its region's relay. Regions keep the order in which they first appear;
 * within a region, targets marked {@code relay} come first, the rest in file order. {@code relay} and
 * {@code internal} apply only to targets in a named region.
 *
 * <p>Region names are 1 to 64 of {@code A-Z a-z 0-9 . _ -}. A target address may appear only once.
 * Every error is a {@link UsageException} ({@link ErrorCode#USAGE}) with a one-line message
 * (naming {@code file:line} for the file).
 *
 * @param regions in the order given; region names are unique
 */
public record Topology(List<Region> regions) {
    /** The name of the group of targets that belong to no region: each is pushed to directly. */
    public static final String NO_REGION = "";
    /** How {@code --to} and the topology file write {@link #NO_REGION}. */
    public static final String NO_REGION_NAME = "-";

    private static final Pattern REGION_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

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
    public record Target(HostPort address, HostPort internalAddress, long bandwidthLimit, boolean preferredRelay, String environment) {
        /** A target in no environment. */
        public Target(HostPort address, HostPort internalAddress, long bandwidthLimit, boolean preferredRelay) {
            this(address, internalAddress, bandwidthLimit, preferredRelay, null);
        }

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

    /** Parses {@code --to}: {@code HOST:PORT[,HOST:PORT...]} or {@code REGION=HOST:PORT,...;REGION=...}. */
    public static Topology parseTo(String spec) {
        if (spec == null || spec.isBlank()) {
            throw usage("--to is empty");
        }
        Builder topology = new Builder();
        Set<String> named = new HashSet<>();
        for (String segment : spec.split(";", -1)) {
            int eq = segment.indexOf('=');
            String region = eq < 0 ? NO_REGION : regionName(segment.substring(0, eq).strip(), "--to: ");
            String list = eq < 0 ? segment : segment.substring(eq + 1);
            if (list.isBlank()) {
                String which = region.isEmpty() ? "(nothing between ';')" : "'" + region + "'";
                throw usage("--to: empty region " + which + " in '" + spec + "'");
            }
            if (!region.isEmpty() && !named.add(region)) {
                throw usage("--to: region '" + region + "' is named twice");
            }
            for (String item : list.split(",", -1)) {
                if (item.isBlank()) {
                    throw usage("--to: empty target in '" + segment.strip() + "'");
                }
                HostPort address = hostPort(item, "--to: ");
                String previous = topology.add(region, new Target(address, null, 0, false), "");
                if (previous != null) {
                    throw usage("--to: target " + address + " is given twice");
                }
            }
        }
        return topology.build();
    }

    /** Reads a topology file (format in the class comment). */
    public static Topology read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw usage("topology file " + file + " does not exist");
        } catch (IOException e) {
            throw usage("cannot read topology file " + file + ": " + reason(e));
        }
        Builder topology = new Builder();
        java.util.Set<String> environments = new java.util.LinkedHashSet<>();
        int firstTarget = Integer.MAX_VALUE;
        for (int i = 0; i < lines.size(); i++) {
            String at = file + ":" + (i + 1) + ": ";
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String[] fields = WHITESPACE.split((hash < 0 ? line : line.substring(0, hash)).strip());
            if (fields.length == 1 && fields[0].isEmpty()) {
                continue;
            }
            if (fields.length < 2) {
                throw usage(at + "expected REGION HOST:PORT [bwlimit=RATE] [internal=HOST:PORT] [relay], got '" + line.strip() + "'");
            }
            String region = regionName(fields[0], at);
            HostPort address = hostPort(fields[1], at);
            HostPort internal = null;
            long bandwidthLimit = 0;
            boolean relay = false;
            String environment = null;
            for (int f = 2; f < fields.length; f++) {
                String option = fields[f];
                String key = option.contains("=") ? option.substring(0, option.indexOf('=') + 1) : option;
                String value = option.substring(key.length());
                switch (key) {
                    case "bwlimit=" -> {
                        requireOnce(bandwidthLimit == 0, at, "bwlimit");
                        bandwidthLimit = rate(value, at);
                    }
                    case "internal=" -> {
                        requireOnce(internal == null, at, "internal");
                        internal = hostPort(value, at + "internal: ");
                    }
                    case "relay" -> {
                        requireOnce(!relay, at, "relay");
                        relay = true;
                    }
                    case "env=" -> {
                        requireOnce(environment == null, at, "env");
                        environment = regionName(value, at + "env: ");
                    }
                    default -> throw usage(at + "unknown option '" + option + "' (expected bwlimit=RATE, internal=HOST:PORT, relay or env=NAME)");
                }
            }
            if (region.isEmpty() && (relay || internal != null)) {
                throw usage(at + "relay and internal= apply only to targets in a named region, not '-'");
            }
            if (!environments.isEmpty() && environment == null || environments.isEmpty() && environment != null && i > firstTarget) {
                throw usage(at + "env= is given on some targets and not on others: give every target an environment, or none");
            }
            if (environment != null) {
                environments.add(environment);
            }
            firstTarget = Math.min(firstTarget, i);
            String previous = topology.add(region, new Target(address, internal, bandwidthLimit, relay, environment), file + ":" + (i + 1));
            if (previous != null) {
                throw usage(at + "target " + address + " is already listed at " + previous);
            }
        }
        if (topology.isEmpty()) {
            throw usage("topology file " + file + " lists no targets");
        }
        return topology.build();
    }

    /** The environments its targets are in ({@code env=}), in the order the file names them first; empty for none. */
    public List<String> environments() {
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        for (Region r : regions) {
            r.targets().stream().map(Target::environment).filter(java.util.Objects::nonNull).forEach(names::add);
        }
        return List.copyOf(names);
    }

    /** The targets of environment {@code name} only, in their regions. */
    public Topology environment(String name) {
        List<Region> kept = new ArrayList<>();
        for (Region r : regions) {
            List<Target> in = r.targets().stream().filter(t -> name.equals(t.environment())).toList();
            if (!in.isEmpty()) {
                kept.add(new Region(r.name(), in));
            }
        }
        return new Topology(kept);
    }

    /** All targets, region by region. */
    public List<Target> targets() {
        List<Target> all = new ArrayList<>();
        for (Region r : regions) {
            all.addAll(r.targets());
        }
        return all;
    }

    private static String regionName(String name, String at) {
        if (name.equals(NO_REGION_NAME)) {
            return NO_REGION;
        }
        if (!REGION_NAME.matcher(name).matches()) {
            throw usage(at + "bad region name '" + name + "': 1 to 64 letters, digits, '.', '_' or '-'");
        }
        return name;
    }

    private static HostPort hostPort(String text, String at) {
        try {
            return HostPort.parse(text);
        } catch (UsageException e) {
            throw usage(at + e.getMessage());
        }
    }

    private static long rate(String text, String at) {
        try {
            return Rate.parse(text, "bwlimit");
        } catch (UsageException e) {
            throw usage(at + e.getMessage());
        }
    }

    private static void requireOnce(boolean first, String at, String option) {
        if (!first) {
            throw usage(at + option + " is given twice");
        }
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof CharacterCodingException) {
            return "not UTF-8 text";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return String.valueOf(e.getMessage());
    }

    private static UsageException usage(String message) {
        return new UsageException(message);
    }

    /** Regions in order of first appearance; each address once; relay-marked targets first (stable). */
    private static final class Builder {
        private final Map<String, List<Target>> regions = new LinkedHashMap<>();
        /** Lower-cased address -> where it was given. */
        private final Map<String, String> seen = new HashMap<>();

        /** Adds {@code target}; returns where its address was given before (the target is then not added), else null. */
        String add(String region, Target target, String where) {
            String previous = seen.putIfAbsent(target.address().toString().toLowerCase(Locale.ROOT), where);
            if (previous != null) {
                return previous;
            }
            regions.computeIfAbsent(region, r -> new ArrayList<>()).add(target);
            return null;
        }

        boolean isEmpty() {
            return regions.isEmpty();
        }

        Topology build() {
            List<Region> built = new ArrayList<>();
            regions.forEach((name, targets) -> {
                List<Target> ordered = new ArrayList<>(targets);
                ordered.sort(Comparator.comparing(t -> !t.preferredRelay()));
                built.add(new Region(name, ordered));
            });
            return new Topology(built);
        }
    }
}
