package io.isthmus.policy.model;

/**
 * An address prefix ("10.0.0.0/8", "fd00::/64"). The address is stored masked to the prefix.
 */
public record Cidr(IpAddress address, int prefixLength) implements Comparable<Cidr> {

    public Cidr {
        address = address.masked(prefixLength);
    }

    /** A single address as a full-length prefix (/32 or /128). */
    public static Cidr host(IpAddress address) {
        return new Cidr(address, address.widthBits());
    }

    public boolean ipv6() {
        return address.ipv6();
    }

    /** True when {@code other} is inside this prefix (same family, equal or longer, same leading bits). */
    public boolean contains(Cidr other) {
        return other.ipv6() == ipv6() && other.prefixLength >= prefixLength
                && other.address.masked(prefixLength).equals(address);
    }

    public boolean contains(IpAddress other) {
        return other.ipv6() == ipv6() && other.masked(prefixLength).equals(address);
    }

    /**
     * Parses "ADDR/LEN"; null when it is not a valid CIDR. Like the API server's validation, host
     * bits after the prefix are accepted and cleared ("10.0.0.1/8" is 10.0.0.0/8).
     */
    public static Cidr parse(String text) {
        if (text == null) {
            return null;
        }
        final int slash = text.indexOf('/');
        if (slash < 0) {
            return null;
        }
        final IpAddress address = IpAddress.parse(text.substring(0, slash));
        final String length = text.substring(slash + 1);
        if (address == null || length.isEmpty() || length.length() > 3 || !length.chars().allMatch(Character::isDigit)) {
            return null;
        }
        final int prefixLength = Integer.parseInt(length);
        if (prefixLength > address.widthBits()) {
            return null;
        }
        return new Cidr(address, prefixLength);
    }

    @Override
    public int compareTo(Cidr other) {
        if (ipv6() != other.ipv6()) {
            return ipv6() ? 1 : -1;
        }
        int c = Long.compareUnsigned(address.high(), other.address.high());
        if (c == 0) {
            c = Long.compareUnsigned(address.low(), other.address.low());
        }
        return c != 0 ? c : Integer.compare(prefixLength, other.prefixLength);
    }

    @Override
    public String toString() {
        return address + "/" + prefixLength;
    }
}
