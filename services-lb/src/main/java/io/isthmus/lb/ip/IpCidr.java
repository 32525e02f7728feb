package io.isthmus.lb.ip;

/**
 * An address prefix such as {@code 10.0.0.0/8} or {@code 2001:db8::/32}.
 *
 * <p>IPv4 prefixes are held in the IPv4-mapped space of {@link IpAddress}, so an IPv4 /8 is a
 * /104 over 128 bits; {@link #maskHi()} and {@link #maskLo()} are those 128-bit masks and
 * {@link #contains(long, long)} tests an address in two AND-compares without allocating.
 *
 * <p>Thread-safety: immutable.
 */
public record IpCidr(IpAddress network, int prefixLengthBits) {

    public IpCidr {
        int max = network.isIpv4() ? 32 : 128;
        if (prefixLengthBits < 0 || prefixLengthBits > max) {
            throw new IllegalArgumentException("prefix length " + prefixLengthBits + " out of 0.." + max + " for " + network);
        }
        int bits128 = bits128(network.isIpv4(), prefixLengthBits);
        long mHi = maskWord(bits128, 0);
        long mLo = maskWord(bits128, 64);
        network = new IpAddress(network.hi() & mHi, network.lo() & mLo);
    }

    /**
     * Parses {@code address/prefix}; a bare address is a host prefix (/32 or /128).
     *
     * @throws IllegalArgumentException naming the text when it is malformed
     */
    public static IpCidr parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("not a CIDR: null");
        }
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        IpAddress address = IpAddress.parse(slash < 0 ? trimmed : trimmed.substring(0, slash));
        if (slash < 0) {
            return new IpCidr(address, address.isIpv4() ? 32 : 128);
        }
        try {
            return new IpCidr(address, Integer.parseInt(trimmed.substring(slash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad prefix length in CIDR '" + text + "'", e);
        }
    }

    public long maskHi() {
        return maskWord(bits128(network.isIpv4(), prefixLengthBits), 0);
    }

    public long maskLo() {
        return maskWord(bits128(network.isIpv4(), prefixLengthBits), 64);
    }

    public boolean contains(long addrHi, long addrLo) {
        return (addrHi & maskHi()) == network.hi() && (addrLo & maskLo()) == network.lo();
    }

    public boolean contains(IpAddress address) {
        return contains(address.hi(), address.lo());
    }

    @Override
    public String toString() {
        return network + "/" + prefixLengthBits;
    }

    private static int bits128(boolean ipv4, int prefixLengthBits) {
        return ipv4 ? 96 + prefixLengthBits : prefixLengthBits;
    }

    /** The 64-bit mask word starting at bit {@code wordStartBit} of a 128-bit prefix of {@code bits}. */
    private static long maskWord(int bits, int wordStartBit) {
        int inWord = Math.clamp(bits - wordStartBit, 0, 64);
        return inWord == 0 ? 0L : -1L << (64 - inWord);
    }
}
