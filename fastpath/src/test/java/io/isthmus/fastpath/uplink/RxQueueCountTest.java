package io.isthmus.fastpath.uplink;

import io.isthmus.fastpath.linux.LinuxException;
import io.isthmus.fastpath.testing.Privileges;
import io.isthmus.fastpath.testing.Shell;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How many RX queues the uplink gets sockets for: ethtool's channels, sysfs where the driver has none. */
class RxQueueCountTest {
    @Test
    void loopbackHasNoChannelInformationAndOneQueueInSysfs() {
        assertNull(RxQueueCount.channels("lo"), "lo's driver has no get_channels: EOPNOTSUPP");
        assertEquals(1, RxQueueCount.fromSysfs("lo"));
        assertEquals(1, RxQueueCount.of("lo"));
    }

    @Test
    void aMissingInterfaceIsAnErrorNamingIt() {
        final LinuxException e = assertThrows(LinuxException.class, () -> RxQueueCount.of("isxnosuch0"));
        assertTrue(e.getMessage().contains("isxnosuch0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RxQueueCount.of("a-name-longer-than-15"));
    }

    @Test
    void aVethMadeWithThreeRxQueuesHasThreeAndItsPeerWithOneHasOne() throws Exception {
        Privileges.assumeRootAndAfXdp();
        final byte[] random = new byte[3];
        new SecureRandom().nextBytes(random);
        final String hex = HexFormat.of().formatHex(random);
        final String ns = "isxq-" + hex;
        Shell.check("ip", "netns", "add", ns);
        try {
            Shell.check("ip", "-n", ns, "link", "add", "isxqa" + hex, "numtxqueues", "2", "numrxqueues", "3", "type", "veth",
                    "peer", "name", "isxqb" + hex, "numtxqueues", "3", "numrxqueues", "1");
            // ethtool answers for the calling thread's namespace: ask from a thread inside it
            assertEquals(3, NodeTopology.callIn(ns, () -> RxQueueCount.of("isxqa" + hex)));
            assertEquals(1, NodeTopology.callIn(ns, () -> RxQueueCount.of("isxqb" + hex)));
            assertEquals(new RxQueueCount.Channels(3, 0), NodeTopology.callIn(ns, () -> RxQueueCount.channels("isxqa" + hex)),
                    "a veth reports its RX queues as RX-only channels");
        } finally {
            Shell.run(30, "ip", "netns", "del", ns);
        }
    }
}
