package io.isthmus.fastpath.bpf;

import io.isthmus.fastpath.testing.Pod;
import io.isthmus.fastpath.testing.PodExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** What XDP mode "auto" picks: generic for a veth with a multi-buffer socket, native first for the rest. */
class XdpAutoModeTest {
    @RegisterExtension
    final PodExtension pods = new PodExtension();

    @Test
    void aVethWithAMultiBufferSocketIsAttachedGenericallyEverythingElseNativeFirst() {
        assertEquals(XdpMode.GENERIC, XdpAutoMode.choose("veth", true));
        assertNull(XdpAutoMode.choose("veth", false), "without multi-buffer a pod's super-packet could not be received");
        assertNull(XdpAutoMode.choose("virtio_net", true));
        assertNull(XdpAutoMode.choose("mlx5_core", true));
        assertNull(XdpAutoMode.choose("", true));
    }

    @Test
    void readsTheDriverOfARealInterface() {
        final Pod pod = pods.pod("10.200.9.2"); // root + AF_XDP checked here, visibly
        assertEquals("veth", XdpAutoMode.driverOf(pod.hostInterface()));
        assertEquals(XdpMode.GENERIC, XdpAutoMode.forInterface(pod.hostInterface(), true));
        assertNull(XdpAutoMode.forInterface(pod.hostInterface(), false));
        assertNull(XdpAutoMode.forInterface("lo", true), "loopback is no veth");
    }
}
