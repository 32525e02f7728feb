package io.isthmus.lb.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IpAddressTest {

    @Test
    void ipv4IsStoredIpv4Mapped() {
        IpAddress a = IpAddress.parse("10.96.0.1");
        assertTrue(a.isIpv4());
        assertEquals(0, a.hi());
        assertEquals(0x0000_ffff_0a60_0001L, a.lo());
        assertEquals(IpAddress.ipv4Lo(0x0a60_0001), a.lo());
        assertEquals("10.96.0.1", a.toString());
    }

    @Test
    void ipv6KeepsAll128Bits() {
        IpAddress a = IpAddress.parse("fd00:10:96::1");
        assertFalse(a.isIpv4());
        assertEquals(0xfd00_0010_0096_0000L, a.hi());
        assertEquals(1L, a.lo());
        assertEquals(a, IpAddress.parse(a.toString()));
    }

    @Test
    void rejectsNamesAndGarbageNamingTheText() {
        var e = assertThrows(IllegalArgumentException.class, () -> IpAddress.parse("kubernetes.default"));
        assertTrue(e.getMessage().contains("kubernetes.default"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> IpAddress.parse(""));
    }

    @Test
    void cidrContainsByPrefixForBothFamilies() {
        IpCidr v4 = IpCidr.parse("10.0.0.0/8");
        assertTrue(v4.contains(IpAddress.parse("10.200.3.4")));
        assertFalse(v4.contains(IpAddress.parse("11.0.0.1")));
        assertFalse(v4.contains(IpAddress.parse("::a00:1")), "an IPv6 address is never inside an IPv4 prefix");
        IpCidr v6 = IpCidr.parse("2001:db8::/32");
        assertTrue(v6.contains(IpAddress.parse("2001:db8:1::5")));
        assertFalse(v6.contains(IpAddress.parse("2001:db9::5")));
        assertTrue(IpCidr.parse("0.0.0.0/0").contains(IpAddress.parse("203.0.113.9")));
        assertEquals("10.0.0.0/8", IpCidr.parse("10.1.2.3/8").toString(), "host bits are cleared");
        assertTrue(IpCidr.parse("192.0.2.7").contains(IpAddress.parse("192.0.2.7")));
        assertThrows(IllegalArgumentException.class, () -> IpCidr.parse("10.0.0.0/33"));
    }
}
