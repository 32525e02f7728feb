package io.isthmus.slowpath.cni;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpamStoreTest {
    @TempDir
    Path dir;

    @Test
    void allocatesDistinctAddressesInsideTheCidrSkippingNetworkAndBroadcast() throws Exception {
        IpamStore ipam = new IpamStore(dir, Ipv4Cidr.parse("10.244.1.0/29"));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            seen.add(ipam.allocate("net", "c" + i, "eth0").address().getHostAddress());
        }
        assertEquals(Set.of("10.244.1.1", "10.244.1.2", "10.244.1.3", "10.244.1.4", "10.244.1.5", "10.244.1.6"), seen);
        CniException full = assertThrows(CniException.class, () -> ipam.allocate("net", "c7", "eth0"));
        assertEquals(CniException.ADDRESSES_EXHAUSTED, full.code());
    }

    @Test
    void aRestartedAgentNeverHandsOutAnAddressTwice() throws Exception {
        IpamStore before = new IpamStore(dir, Ipv4Cidr.parse("10.244.1.0/24"));
        String first = before.allocate("net", "a", "eth0").address().getHostAddress();
        IpamStore after = new IpamStore(dir, Ipv4Cidr.parse("10.244.1.0/24"));
        assertEquals(first, after.find("net", "a", "eth0").orElseThrow().address().getHostAddress());
        String second = after.allocate("net", "b", "eth0").address().getHostAddress();
        assertFalse(first.equals(second));
    }

    @Test
    void sameAttachmentTwiceIsRefusedAndReleaseIsIdempotent() throws Exception {
        IpamStore ipam = new IpamStore(dir, Ipv4Cidr.parse("10.244.1.0/24"));
        ipam.allocate("net", "a", "eth0");
        assertEquals(CniException.ALREADY_ATTACHED, assertThrows(CniException.class, () -> ipam.allocate("net", "a", "eth0")).code());
        ipam.allocate("net", "a", "net1"); // another interface of the same container is another attachment
        assertTrue(ipam.release("net", "a", "eth0").isPresent());
        assertTrue(ipam.release("net", "a", "eth0").isEmpty());
        assertEquals(1, ipam.all("net").size());
    }

    @Test
    void aFreedAddressIsNotReusedAtOnce() throws Exception {
        IpamStore ipam = new IpamStore(dir, Ipv4Cidr.parse("10.244.1.0/24"));
        String a = ipam.allocate("net", "a", "eth0").address().getHostAddress();
        ipam.release("net", "a", "eth0");
        String b = ipam.allocate("net", "b", "eth0").address().getHostAddress();
        assertFalse(a.equals(b), "rotation moves on from the last reserved address");
    }

    @Test
    void rejectsCidrsAndNetworkNamesThatCannotWork() {
        assertThrows(IllegalArgumentException.class, () -> new IpamStore(dir, Ipv4Cidr.parse("10.0.0.1/32")));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Cidr.parse("10.0.0.0"));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Cidr.parse("300.0.0.0/8"));
        IpamStore ipam = new IpamStore(dir, Ipv4Cidr.parse("10.244.1.0/24"));
        assertThrows(IllegalArgumentException.class, () -> ipam.allocate("../etc", "a", "eth0"));
    }
}
