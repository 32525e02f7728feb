package io.isthmus.policy.compile;

import io.isthmus.policy.model.Cidr;
import io.isthmus.policy.model.IpAddress;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PrefixTrieTest {

    /** The answer by brute force: the longest prefix containing the address. */
    private static int slowLookup(List<PrefixTrie.Entry> entries, IpAddress address, int defaultValue) {
        int best = -1;
        int value = defaultValue;
        for (PrefixTrie.Entry entry : entries) {
            if (entry.prefix().contains(address) && entry.prefix().prefixLength() >= best) {
                best = entry.prefix().prefixLength();
                value = entry.value();
            }
        }
        return value;
    }

    @Test
    @DisplayName("IPv4 longest-prefix match = brute force, over random prefixes of every length")
    void ipv4MatchesBruteForce() {
        final Random random = new Random(42);
        final List<PrefixTrie.Entry> entries = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            final int base = (10 << 24) | (random.nextInt(4) << 16) | random.nextInt(1 << 16);
            entries.add(new PrefixTrie.Entry(new Cidr(IpAddress.ofIpv4(base), random.nextInt(33)), i + 1));
        }
        final PrefixTrie trie = PrefixTrie.build(false, 0, entries);
        for (int i = 0; i < 20_000; i++) {
            final int address = random.nextInt(3) == 0 ? random.nextInt() : (10 << 24) | (random.nextInt(4) << 16) | random.nextInt(1 << 16);
            assertEquals(slowLookup(entries, IpAddress.ofIpv4(address), 0), trie.lookupIpv4(address), IpAddress.ofIpv4(address).toString());
        }
    }

    @Test
    @DisplayName("IPv6 longest-prefix match = brute force")
    void ipv6MatchesBruteForce() {
        final Random random = new Random(7);
        final List<PrefixTrie.Entry> entries = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            final IpAddress base = new IpAddress(true, 0xfd00_0000_0000_0000L | (random.nextLong() & 0x0000_0000_00FF_FFFFL), random.nextLong() & 0xFF);
            entries.add(new PrefixTrie.Entry(new Cidr(base, 8 + random.nextInt(121)), i + 1));
        }
        final PrefixTrie trie = PrefixTrie.build(true, 0, entries);
        for (int i = 0; i < 20_000; i++) {
            final IpAddress probe = random.nextBoolean() ? entries.get(random.nextInt(entries.size())).prefix().address()
                    : new IpAddress(true, 0xfd00_0000_0000_0000L | (random.nextLong() & 0x0000_0000_00FF_FFFFL), random.nextLong() & 0xFF);
            assertEquals(slowLookup(entries, probe, 0), trie.lookupIpv6(probe.high(), probe.low()), probe.toString());
        }
    }

    @Test
    @DisplayName("a /0 replaces the default; equal prefixes: the later entry wins")
    void defaultsAndDuplicates() {
        final PrefixTrie trie = PrefixTrie.build(false, 5, List.of(
                new PrefixTrie.Entry(Cidr.parse("10.0.0.1/32"), 1),
                new PrefixTrie.Entry(Cidr.parse("10.0.0.1/32"), 2)));
        assertEquals(2, trie.lookupIpv4(IpAddress.parse("10.0.0.1").ipv4Bits()));
        assertEquals(5, trie.lookupIpv4(IpAddress.parse("10.0.0.2").ipv4Bits()));
        final PrefixTrie all = PrefixTrie.build(false, 5, List.of(new PrefixTrie.Entry(Cidr.parse("0.0.0.0/0"), 9)));
        assertEquals(9, all.lookupIpv4(IpAddress.parse("1.2.3.4").ipv4Bits()));
    }
}
