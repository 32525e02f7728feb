package io.isthmus.fastpath.testing;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fixture itself: how a pod is wired, and that everything goes away, also after a failure. */
class PodFixtureTest {

    private static boolean netnsExists(String name) {
        return Shell.check("ip", "netns", "list").lines().anyMatch(line -> line.split(" ")[0].equals(name));
    }

    private static boolean linkExists(String name) {
        return Shell.run(10, "ip", "link", "show", name).ok();
    }

    @Test
    void aPodIsWiredTheRoutedWayWithOffloadsOffAndUniqueNames() throws Exception {
        try (PodExtension pods = new PodExtension()) {
            final Pod pod = pods.pod("10.240.0.7");
            final Pod other = pods.pod("10.240.0.8");
            assertNotEquals(pod.netns(), other.netns());
            assertTrue(pod.netns().matches("isx-[0-9a-f]{6}") && pod.hostInterface().matches("isx[0-9a-f]{6}"), pod.toString());
            assertEquals(pod.netns().substring(4), pod.hostInterface().substring(3));
            assertTrue(pod.exec(10, "ip", "-4", "-o", "addr", "show", "dev", "eth0").output().contains("inet 10.240.0.7/32"));
            final String routes = pod.exec(10, "ip", "-4", "route").output();
            assertTrue(routes.contains("default via 169.254.1.1 dev eth0"), routes);
            assertTrue(routes.contains("169.254.1.1 dev eth0 scope link"), routes);
            assertTrue(pod.exec(10, "ip", "-o", "link", "show", "lo").output().contains("UP"));
            final String features = pod.exec(10, "ethtool", "-k", "eth0").output();
            assertTrue(features.contains("tx-checksumming: off"), features);
            assertTrue(features.contains("tcp-segmentation-offload: off"), features);
            assertTrue(features.contains("generic-segmentation-offload: off"), features);
            assertTrue(pod.mac().matches("([0-9a-f]{2}:){5}[0-9a-f]{2}"), pod.mac());
        }
    }

    @Test
    void everythingIsRemovedAfterATestFailsAndCallInsideRunsInThePod() throws Exception {
        final PodExtension pods = new PodExtension();
        final Pod pod = pods.pod("10.240.0.9");
        assertTrue(netnsExists(pod.netns()) && linkExists(pod.hostInterface()));
        final String inside = pod.callInside(() -> java.nio.file.Files.readSymbolicLink(
                java.nio.file.Path.of("/proc/thread-self/ns/net")).toString());
        final String host = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/thread-self/ns/net")).toString();
        assertNotEquals(host, inside, "the callInside thread is in another network namespace");
        assertThrows(IllegalStateException.class, () -> {
            try {
                throw new IllegalStateException("the test failed");
            } finally {
                pods.afterEach(null); // what JUnit does after a failed test
            }
        });
        assertFalse(netnsExists(pod.netns()), "netns removed");
        for (int i = 0; i < 50 && linkExists(pod.hostInterface()); i++) {
            Thread.sleep(20); // the kernel destroys the veth pair asynchronously
        }
        assertFalse(linkExists(pod.hostInterface()), "veth removed");
    }
}
