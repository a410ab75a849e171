package io.skiff.engine.security;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** The {@code relay_targets} list: host names, compared case-insensitively, and address blocks. */
final class RelayTargets {
    /** DNS labels of letters, digits and '-' (not at either end of a label), joined by dots. */
    private static final Pattern HOST = Pattern.compile(
            "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    private final List<String> names;
    private final List<Cidr> blocks;

    private RelayTargets(List<String> names, List<Cidr> blocks) {
        this.names = List.copyOf(names);
        this.blocks = List.copyOf(blocks);
    }

    /**
     * @param entries the list as written
     * @throws IllegalArgumentException naming the first bad entry and why
     */
    static RelayTargets parse(List<String> entries) {
        List<String> names = new ArrayList<>();
        List<Cidr> blocks = new ArrayList<>();
        for (String entry : entries) {
            if (Cidr.looksLikeAddress(entry)) {
                try {
                    blocks.add(Cidr.parse(entry));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("'" + entry + "': " + e.getMessage());
                }
                names.add(entry.toLowerCase(Locale.ROOT)); // "127.0.0.1" also matches a host named so, unresolved
            } else if (entry.length() <= 253 && HOST.matcher(entry).matches()) {
                names.add(entry.toLowerCase(Locale.ROOT));
            } else {
                throw new IllegalArgumentException("'" + entry + "' is neither an IP address, a CIDR block nor a host name");
            }
        }
        return new RelayTargets(names, blocks);
    }

    /** Whether {@code host} is listed by name, or {@code address} (null when unresolved) lies in a listed block. */
    boolean allows(String host, InetAddress address) {
        if (names.contains(host.toLowerCase(Locale.ROOT))) {
            return true;
        }
        if (address != null) {
            for (Cidr block : blocks) {
                if (block.contains(address)) {
                    return true;
                }
            }
        }
        return false;
    }
}
