package io.isthmus.fastpath.traffic;

import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.port.PortCounters;
import io.isthmus.fastpath.testing.PacketSocket;
import io.isthmus.fastpath.testing.Pod;
import io.isthmus.fastpath.testing.PodExtension;
import io.isthmus.fastpath.worker.IdleMode;
import io.isthmus.fastpath.xsk.AfXdpPort;
import io.isthmus.fastpath.xsk.AfXdpSwitch;
import io.isthmus.fastpath.xsk.XskConfig;

import java.time.Duration;
import java.util.List;

/**
 * Two bare pods (network namespaces with a veth, no address, so their kernels stay silent) whose
 * host ends are AF_XDP ports of a running {@link AfXdpSwitch}; each pod is played by a packet
 * socket on its eth0. Skips visibly without root or AF_XDP.
 */
final class AfXdpPodNetwork implements PodNetwork {
    private final PodExtension resources = new PodExtension();
    private final AfXdpSwitch fastpath;
    private final Endpoint a;
    private final Endpoint b;

    AfXdpPodNetwork() throws Exception {
        try {
            final Pod podA = resources.barePod("10.230.0.2");
            final Pod podB = resources.barePod("10.230.0.3");
            fastpath = resources.closeLater(AfXdpSwitch.start(List.of(
                    new AfXdpSwitch.PortSpec(podA.hostInterface(), Ipv4Address.parse(podA.ip())),
                    new AfXdpSwitch.PortSpec(podB.hostInterface(), Ipv4Address.parse(podB.ip()))),
                    XskConfig.defaults(), IdleMode.BACKOFF));
            a = new Endpoint(resources.closeLater(PacketSocket.openOnEth0(podA)), Ipv4Address.parse(podA.ip()),
                    MacAddress.parse(podA.mac()));
            b = new Endpoint(resources.closeLater(PacketSocket.openOnEth0(podB)), Ipv4Address.parse(podB.ip()),
                    MacAddress.parse(podB.mac()));
        } catch (Exception | Error e) {
            resources.close();
            throw e;
        }
    }

    @Override
    public PodEndpoint podA() {
        return a;
    }

    @Override
    public PodEndpoint podB() {
        return b;
    }

    @Override
    public String diagnostics() {
        final StringBuilder text = new StringBuilder("drops: ").append(fastpath.worker().drops().describe());
        for (AfXdpPort port : fastpath.ports().ports()) {
            text.append("; ").append(port.name()).append(" rx=").append(port.counters().get(PortCounters.Counter.RX_PACKETS))
                    .append(" tx=").append(port.counters().get(PortCounters.Counter.TX_PACKETS))
                    .append(" kernel ").append(port.socket().statistics());
        }
        if (fastpath.workerError() != null) {
            text.append("; worker error: ").append(fastpath.workerError());
        }
        return text.toString();
    }

    @Override
    public void close() {
        resources.close();
    }

    private record Endpoint(PacketSocket socket, int ip, long mac) implements PodEndpoint {
        @Override
        public void send(byte[] frame) {
            socket.send(frame);
        }

        @Override
        public byte[] receive(Duration timeout) {
            return socket.receive(timeout);
        }
    }
}
