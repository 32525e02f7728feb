package io.isthmus.fastpath.stage;

import io.isthmus.fastpath.packet.ArpDescriptor;
import io.isthmus.fastpath.packet.ArpFlyweight;
import io.isthmus.fastpath.packet.EthernetFlyweight;
import io.isthmus.fastpath.packet.EthernetDescriptor;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.pipeline.PipelineContext;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.Stage;

import java.lang.foreign.MemorySegment;

/**
 * Answers the pods' ARP requests for their gateway (169.254.1.1 by default) with the switch's MAC
 * on the port the request came in on: the frame is turned into the reply in place and sent back
 * out of the ingress port. On the host port it is also the proxy ARP of the pod network: the
 * host's requests for an address the route table puts behind a pod port are answered with the
 * switch's MAC on the host port (the host has one on-link route for the whole pod CIDR, as with
 * Calico's proxy_arp on a cali interface); addresses with no pod stay unanswered, so the host's
 * neighbour entry fails instead of pointing into nowhere.
 *
 * <p><b>Reads:</b> batch {@code etherType}, {@code l3Offset}, {@code ingressPort}; the ARP operation
 * and target IP; the route table's gateway IP, host port, pod routes and local MAC of the ingress port.
 * <br><b>Writes:</b> for an answered request, the whole frame (Ethernet dst/src, ARP op = reply,
 * sender = switch MAC and the asked-for IP, target = the requester) and {@code egressPort[i] = ingressPort[i]}.
 * <br><b>Next:</b> an answered request stays (with its egress port set, later stages leave it alone
 * and TX sends it); any other ARP packet is dropped ARP_CONSUMED (replies have already taught the
 * neighbor table); non-ARP packets stay untouched.
 */
public final class ArpResponderStage implements Stage {
    private final PipelineContext context;
    private final EthernetFlyweight ethernet = new EthernetFlyweight();
    private final ArpFlyweight arp = new ArpFlyweight();

    public ArpResponderStage(PipelineContext context) {
        this.context = context;
    }

    @Override
    public int process(PacketBatch batch) {
        final int size = batch.size();
        final MemorySegment segment = batch.segment();
        final RouteTable table = context.table();
        for (int i = 0; i < size; i++) {
            if (batch.etherType[i] == EthernetDescriptor.ETHER_TYPE_ARP && !answer(batch, i, segment, table)) {
                batch.markDrop(i, DropReason.ARP_CONSUMED);
            }
        }
        return context.sweepDrops(batch);
    }

    /**
     * Rewrites a who-has for the gateway (any port) or for a pod address (host port only) into the
     * reply; false when this ARP packet needs no answer.
     */
    private boolean answer(PacketBatch batch, int i, MemorySegment segment, RouteTable table) {
        final int port = batch.ingressPort[i];
        final long switchMac = table.localMac(port);
        arp.wrap(segment, batch.address[i] + batch.l3Offset[i], ArpDescriptor.LENGTH);
        if (arp.operation() != ArpDescriptor.OPERATION_REQUEST || switchMac == MacAddress.UNKNOWN) {
            return false;
        }
        final int targetIp = arp.targetIp();
        if (targetIp != table.gatewayIp() && !(table.isHostPort(port) && isPodBehindAnotherPort(table, targetIp, port))) {
            return false;
        }
        final long requesterMac = arp.senderMac();
        final int requesterIp = arp.senderIp();
        arp.operation(ArpDescriptor.OPERATION_REPLY)
                .senderMac(switchMac).senderIp(targetIp)
                .targetMac(requesterMac).targetIp(requesterIp);
        ethernet.wrap(segment, batch.address[i], batch.length[i]).dstMac(requesterMac).srcMac(switchMac);
        batch.egressPort[i] = port;
        return true;
    }

    /** Proxy ARP: {@code ip} is a pod's /32 on a port other than {@code port} (ARP is rare: one probe, no passes). */
    private static boolean isPodBehindAnotherPort(RouteTable table, int ip, int port) {
        final int podPort = table.lookup(ip);
        return podPort != RouteTable.NO_PORT && podPort != port;
    }
}
