package io.isthmus.fastpath.xsk;

import io.isthmus.fastpath.bpf.XdpMode;
import io.isthmus.fastpath.port.PortCounters;
import io.isthmus.fastpath.testing.Pod;
import io.isthmus.fastpath.testing.PodExtension;
import io.isthmus.fastpath.testing.Shell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two pods joined by a "wire" of two AF_XDP ports sharing one UMEM (frames received on one port
 * are transmitted on the other, zero copies). The pods get on-link routes to each other so they
 * ARP directly: this tests the ports alone, without the pipeline. Root + AF_XDP only.
 */
class AfXdpPortTest {
    @RegisterExtension
    final PodExtension pods = new PodExtension();

    /** The "N% packet loss" figure of ping's summary (a shared machine may starve the forwarder now and then). */
    private static double lossPercent(String pingOutput) {
        final Matcher m = Pattern.compile("([0-9.]+)% packet loss").matcher(pingOutput);
        return m.find() ? Double.parseDouble(m.group(1)) : 100.0;
    }

    private static void linkPeers(Pod a, Pod b) {
        Shell.check("ip", "-n", a.netns(), "route", "add", b.ip(), "dev", "eth0", "scope", "link");
        Shell.check("ip", "-n", b.netns(), "route", "add", a.ip(), "dev", "eth0", "scope", "link");
    }

    @Test
    void pingCrossesAWireOfTwoAfXdpPortsAndTheSteadyStateAllocatesNothing() throws Exception {
        final Pod a = pods.pod("10.201.0.1");
        final Pod b = pods.pod("10.201.0.2");
        linkPeers(a, b);
        int floodRounds = 0;
        try (AfXdpPortSet set = AfXdpPortSet.open(List.of(a.hostInterface(), b.hostInterface()), XskConfig.defaults())) {
            for (AfXdpInterface attached : set.interfaces()) {
                assertEquals(XdpMode.NATIVE, attached.xdpMode(), attached.describe());
                assertFalse(attached.zeroCopy(), "veth has no zero-copy AF_XDP: " + attached.describe());
            }
            assertTrue(Shell.check("ip", "-o", "link", "show", a.hostInterface()).contains("xdp"));
            try (WireForwarder wire = new WireForwarder(set.ports(), set.pool())) {
                final Shell.Result ping = a.exec(20, "ping", "-c", "3", "-W", "2", b.ip());
                assertTrue(ping.ok(), ping.output());
                // The steady state allocates nothing: flood until the JIT has compiled the traffic paths
                // (bounded rounds), then one round of 5000 round trips (20000 port operations) must allocate nothing.
                long allocated = Long.MAX_VALUE;
                int round = 0;
                for (; round < 10 && allocated > 0; round++) {
                    final long before = wire.allocatedBytes();
                    final Shell.Result flood = a.exec(60, "ping", "-f", "-c", "5000", "-W", "1", b.ip());
                    allocated = wire.allocatedBytes() - before;
                    assertTrue(flood.ok() && lossPercent(flood.output()) <= 1, flood.output());
                }
                assertEquals(0, allocated, "bytes the forwarding thread allocated over 10000 frames after warm-up");
                assertNull(wire.failure());
                floodRounds = round;
            }
            // every echo request of the 3 pings and of each flood round came in (a round that already
            // allocated nothing, the first one included, ends the warm-up)
            final long expected = 3 + 5000L * floodRounds;
            final PortCounters counters = set.ports().get(0).counters();
            assertTrue(counters.get(PortCounters.Counter.RX_PACKETS) >= expected, "rx " + counters.get(PortCounters.Counter.RX_PACKETS)
                    + " after " + floodRounds + " flood rounds");
            assertTrue(counters.get(PortCounters.Counter.TX_PACKETS) >= expected);
            // copy mode on veth: TX needs a sendto per flush that has frames, at most one per frame
            final long kicks = counters.get(PortCounters.Counter.TX_KICKS);
            assertTrue(kicks >= 1 && kicks <= counters.get(PortCounters.Counter.TX_PACKETS), "kicks " + kicks);
            assertEquals(0, set.ports().get(0).kickErrors());
            // No frame is lost: each is in the pool, a fill ring, an RX/TX/completion ring, or briefly
            // in the kernel (copy mode completes a TX frame when its skb is freed). The forwarder has
            // stopped, so this thread may flush the ports until everything is back (bounded).
            long accounted = -1;
            for (int attempt = 0; attempt < 100 && accounted != set.pool().capacity(); attempt++) {
                set.ports().forEach(AfXdpPort::flush);
                accounted = set.pool().available();
                for (AfXdpPort port : set.ports()) {
                    final XskSocket socket = port.socket();
                    accounted += socket.fill().outstanding() + socket.tx().outstanding()
                            + socket.rx().peek(Integer.MAX_VALUE) + socket.completion().peek(Integer.MAX_VALUE);
                }
                Thread.sleep(20);
            }
            assertEquals(set.pool().capacity(), accounted, "every frame is in the pool or on a ring");
        }
        assertFalse(Shell.check("ip", "-o", "link", "show", a.hostInterface()).contains("prog/xdp"), "detached on close");
        assertFalse(Shell.check("ip", "-o", "link", "show", b.hostInterface()).contains("prog/xdp"));
    }

    @Test
    void genericModeAndForcedCopyModeWorkToo() throws Exception {
        final Pod a = pods.pod("10.201.1.1");
        final Pod b = pods.pod("10.201.1.2");
        linkPeers(a, b);
        final XskConfig config = XskConfig.defaults().withXdpMode(XdpMode.GENERIC).withBindMode(XskBindMode.COPY);
        try (AfXdpPortSet set = AfXdpPortSet.open(List.of(a.hostInterface(), b.hostInterface()), config);
             WireForwarder wire = new WireForwarder(set.ports(), set.pool())) {
            assertEquals(XdpMode.GENERIC, set.interfaces().get(0).xdpMode());
            assertTrue(Shell.check("ip", "-o", "link", "show", a.hostInterface()).contains("xdpgeneric"));
            final Shell.Result ping = a.exec(20, "ping", "-c", "3", "-W", "2", b.ip());
            assertTrue(ping.ok(), ping.output());
            assertNull(wire.failure());
            assertEquals(0, set.ports().get(1).socket().statistics().rxInvalidDescs());
        }
    }

    @Test
    void aStarvedFillRingCountsOneEventPerEpisodeNotOnePerFlush() throws Exception {
        final Pod a = pods.pod("10.201.3.1");
        final Pod b = pods.pod("10.201.3.2");
        linkPeers(a, b);
        try (AfXdpPortSet set = AfXdpPortSet.open(List.of(a.hostInterface()), XskConfig.defaults())) {
            final AfXdpPort port = set.ports().get(0);
            final long[] taken = new long[set.pool().capacity()];
            for (int episode = 1; episode <= 2; episode++) {
                final int count = drain(set, taken);
                takeFillFrames(a, b, port); // the kernel takes fill frames for what it receives (nobody forwards)
                for (int flush = 0; flush < 5; flush++) {
                    port.flush();
                }
                assertEquals(episode, port.counters().get(PortCounters.Counter.RX_FILL_EMPTY), "five starved flushes, one more episode");
                for (int i = 0; i < count; i++) {
                    set.pool().release(taken[i]);
                }
                port.flush(); // reaches its target: the episode ends
                assertEquals(port.fillTarget(), port.socket().fill().outstanding());
            }
        }
    }

    private static void takeFillFrames(Pod a, Pod b, AfXdpPort port) throws Exception {
        a.exec(10, "ping", "-c", "2", "-i", "0.2", "-W", "1", b.ip());
        final long deadlineNs = System.nanoTime() + 5_000_000_000L;
        while (port.socket().fill().outstanding() >= port.fillTarget() && System.nanoTime() < deadlineNs) {
            Thread.sleep(20);
        }
        assertTrue(port.socket().fill().outstanding() < port.fillTarget(), "the kernel took no fill frame");
    }

    private static int drain(AfXdpPortSet set, long[] into) {
        int count = 0;
        for (long frame; (frame = set.pool().acquire()) >= 0; ) {
            into[count++] = frame;
        }
        return count;
    }

    @Test
    void aMissingInterfaceIsAClearError() {
        pods.pod("10.201.2.1"); // skips visibly without root
        final Exception e = assertThrows(RuntimeException.class,
                () -> AfXdpPortSet.open(List.of("isx-missing"), XskConfig.defaults()));
        assertTrue(e.getMessage().contains("if_nametoindex(isx-missing)") && e.getMessage().contains("ENODEV"), e.getMessage());
    }
}
