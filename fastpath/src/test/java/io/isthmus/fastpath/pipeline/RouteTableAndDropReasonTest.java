package io.isthmus.fastpath.pipeline;

import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RouteTableAndDropReasonTest {

    @Test
    void dropReasonIdsAreStableAndUnique() {
        // Ids are exported (metrics, events): this list may only grow.
        final String pinned = "FRAME_TOO_SHORT=1 UNSUPPORTED_ETHERTYPE=2 VLAN_TAGGED=3 IPV4_BAD_VERSION=4 IPV4_BAD_IHL=5 "
                + "IPV4_OPTIONS=6 IPV4_BAD_TOTAL_LENGTH=7 IPV4_FRAGMENT=8 IPV4_BAD_CHECKSUM=9 IPV6_NOT_ROUTED=10 "
                + "ARP_MALFORMED=11 ARP_CONSUMED=12 NO_ROUTE=13 TTL_EXPIRED=14 NEIGHBOR_UNKNOWN=15 TX_RING_FULL=16 "
                + "L4_TOO_SHORT=17 IPV6_MALFORMED=18 POLICY_DENIED=19 SERVICE_NO_LOCAL_ENDPOINT=20 "
                + "SERVICE_SOURCE_NOT_ALLOWED=21 SERVICE_REJECTED=22 CONNTRACK_INVALID=23 CONNTRACK_FULL=24 "
                + "CONNTRACK_CLASH=25 SNAT_NO_PORT=26 DNS_NOT_A_QUERY=40 PUNT_QUEUE_FULL=41";
        final Set<Integer> ids = new HashSet<>();
        final StringBuilder actual = new StringBuilder();
        for (DropReason reason : DropReason.values()) {
            assertTrue(ids.add(reason.id()), "duplicate id " + reason.id());
            assertSame(reason, DropReason.ofId(reason.id()));
            actual.append(actual.isEmpty() ? "" : " ").append(reason).append('=').append(reason.id());
        }
        assertEquals(pinned, actual.toString());
        assertNull(DropReason.ofId(0));
        assertNull(DropReason.ofId(999));
    }

    @Test
    void dropCountersArePerReasonAndSum() {
        final DropCounters counters = new DropCounters();
        counters.increment(DropReason.NO_ROUTE);
        counters.increment(DropReason.NO_ROUTE);
        counters.increment(DropReason.TTL_EXPIRED);
        assertEquals(2, counters.get(DropReason.NO_ROUTE));
        assertEquals(1, counters.get(DropReason.TTL_EXPIRED));
        assertEquals(0, counters.get(DropReason.IPV4_FRAGMENT));
        assertEquals(3, counters.total());
    }

    @Test
    void textFormRoundTripsAndErrorsNameTheLine() {
        final String text = """
                # two pods and an uplink
                generation 7
                gateway 169.254.1.1
                port 0 mac 02:00:00:00:00:01 pod 10.244.1.2
                port 2 mac 02:00:00:00:00:03
                port 1 mac 02:00:00:00:00:02 pod 10.244.1.3
                """;
        final RouteTable table = RouteTableText.parse(text, "tables.txt");
        assertEquals(7, table.generation());
        assertEquals(3, table.portCount());
        assertEquals(1, table.lookup(Ipv4Address.parse("10.244.1.3")));
        assertEquals(MacAddress.parse("02:00:00:00:00:03"), table.localMac(2));
        assertEquals(0, table.podIp(2));
        assertEquals(RouteTableText.format(table), RouteTableText.format(RouteTableText.parse(RouteTableText.format(table), "again")));

        final IllegalArgumentException badMac = assertThrows(IllegalArgumentException.class,
                () -> RouteTableText.parse("generation 1\nport 0 mac 02:00:00 pod 10.0.0.1\n", "t.txt"));
        assertTrue(badMac.getMessage().startsWith("t.txt:2: not a MAC address"), badMac.getMessage());
        final IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> RouteTableText.parse("route 10.0.0.0/8 port 1\n", "t.txt"));
        assertTrue(unknown.getMessage().startsWith("t.txt:1: unknown directive 'route'"), unknown.getMessage());
        final IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> RouteTableText.parse("port 0 mac 02:00:00:00:00:01 pod 10.0.0.1\nport 1 mac 02:00:00:00:00:02 pod 10.0.0.1\n", "t.txt"));
        assertTrue(twice.getMessage().contains("pod IP 10.0.0.1 is on port 0 and port 1"), twice.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> RouteTable.builder(1).port(0, MacAddress.BROADCAST, 1).build());
    }

    @Test
    void publishedTablesAreSeenByReaders() throws InterruptedException {
        final RouteTableRef ref = new RouteTableRef(RouteTable.empty());
        final RouteTable next = RouteTable.builder(5).port(0, 0x020000000001L, 0x0A000001).build();
        final java.util.concurrent.atomic.AtomicInteger seenPort = new java.util.concurrent.atomic.AtomicInteger(-2);
        final Thread reader = new Thread(() -> {
            final long deadlineNs = System.nanoTime() + 5_000_000_000L;
            RouteTable seen = ref.current();
            while (seen.generation() != 5 && System.nanoTime() < deadlineNs) {
                Thread.onSpinWait();
                seen = ref.current();
            }
            seenPort.set(seen.lookup(0x0A000001)); // the whole table is visible once the reference is
        });
        reader.start();
        ref.publish(next);
        reader.join(10_000);
        assertEquals(0, seenPort.get(), "the reader thread saw generation 5 complete");
        assertSame(next, ref.current());
    }
}
