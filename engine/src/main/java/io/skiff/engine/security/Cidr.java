package io.skiff.engine.security;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An address block, IPv4 or IPv6: the network's bytes and how many leading bits count. A single address is
 * the block of its full length (/32, /128). Parsed without any name lookup; an IPv4 address never lies in an
 * IPv6 block nor the other way round (IPv4-mapped IPv6 addresses are not written and not translated).
 */
final class Cidr {
    private static final Pattern V4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern V6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private final byte[] network;
    private final int prefix;

    private Cidr(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
    }

    /** Whether {@code text} is written like an address (digits and dots only, or with a ':'), valid or not. */
    static boolean looksLikeAddress(String text) {
        String address = text.contains("/") ? text.substring(0, text.indexOf('/')) : text;
        return address.matches("[0-9.]+") || address.contains(":");
    }

    /**
     * @param text "10.0.0.0/8", "127.0.0.1", "fd00::/8" or "::1"
     * @return the block
     * @throws IllegalArgumentException with a short reason when {@code text} is not an address or block
     */
    static Cidr parse(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        byte[] bytes = addressBytes(address);
        int bits = bytes.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String length = text.substring(slash + 1);
            if (!length.matches("\\d{1,3}") || Integer.parseInt(length) > bits) {
                throw new IllegalArgumentException("prefix length must be 0 to " + bits);
            }
            prefix = Integer.parseInt(length);
        }
        return new Cidr(bytes, prefix);
    }

    private static byte[] addressBytes(String address) {
        Matcher v4 = V4.matcher(address);
        if (v4.matches()) {
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(v4.group(i + 1));
                if (octet > 255) {
                    throw new IllegalArgumentException("not an IPv4 address");
                }
                bytes[i] = (byte) octet;
            }
            return bytes;
        }
        if (!V6.matcher(address).matches()) {
            throw new IllegalArgumentException(address.contains(":") ? "not an IPv6 address" : "not an IPv4 address");
        }
        InetAddress parsed;
        try {
            // brackets: the JDK then parses an IPv6 literal or fails, and never asks DNS
            parsed = InetAddress.getByName("[" + address + "]");
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv6 address");
        }
        if (!(parsed instanceof Inet6Address)) {
            throw new IllegalArgumentException("IPv4-mapped IPv6 addresses are not supported: write the IPv4 address");
        }
        return parsed.getAddress();
    }

    /** Whether {@code address} lies in this block; an address of the other family never does. */
    boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length != network.length || (address instanceof Inet4Address) != (network.length == 4)) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (bytes[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (bytes[full] & mask) == (network[full] & mask);
    }
}
