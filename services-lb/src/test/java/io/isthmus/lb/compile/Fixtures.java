package io.isthmus.lb.compile;

import io.isthmus.lb.ip.IpAddress;
import io.isthmus.lb.model.AddressType;
import io.isthmus.lb.model.Endpoint;
import io.isthmus.lb.model.EndpointConditions;
import io.isthmus.lb.model.EndpointPort;
import io.isthmus.lb.model.EndpointSlice;
import io.isthmus.lb.model.Protocol;
import io.isthmus.lb.table.BackendView;
import io.isthmus.lb.table.FrontendKey;
import io.isthmus.lb.table.ServiceTable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Small builders for compiler tests: node "node-a" at 192.168.1.10 and fd00::10. */
final class Fixtures {

    static final String THIS_NODE = "node-a";
    static final String OTHER_NODE = "node-b";
    static final NodeContext NODE_A = NodeContext.of(THIS_NODE, "192.168.1.10", "fd00::10");

    private Fixtures() {
    }

    static Endpoint ready(String ip, String node) {
        return Endpoint.of(ip, EndpointConditions.READY, node);
    }

    static Endpoint ready(String ip) {
        return ready(ip, OTHER_NODE);
    }

    static Endpoint withConditions(String ip, EndpointConditions conditions, String node) {
        return Endpoint.of(ip, conditions, node);
    }

    static EndpointPort tcp(String name, int port) {
        return EndpointPort.of(name, Protocol.TCP, port);
    }

    static EndpointPort udp(String name, int port) {
        return EndpointPort.of(name, Protocol.UDP, port);
    }

    static EndpointSlice slice(String service, String sliceName, List<Endpoint> endpoints, EndpointPort... ports) {
        return new EndpointSlice("default", sliceName, service, AddressType.IPV4, endpoints, List.of(ports), Map.of());
    }

    static EndpointSlice slice6(String service, String sliceName, List<Endpoint> endpoints, EndpointPort... ports) {
        return new EndpointSlice("default", sliceName, service, AddressType.IPV6, endpoints, List.of(ports), Map.of());
    }

    static FrontendKey key(String ip, int port, Protocol protocol) {
        return new FrontendKey(IpAddress.parse(ip), port, protocol);
    }

    /** "ip:port" of every backend slot of a frontend (cluster and local sets together). */
    static Set<String> backends(ServiceTable table, String ip, int port, Protocol protocol) {
        int f = table.findFrontend(key(ip, port, protocol));
        if (f < 0) {
            throw new AssertionError("no frontend " + ip + ":" + port + "/" + protocol + " in " + table.frontendKeys());
        }
        Set<String> out = new TreeSet<>();
        for (BackendView b : table.backends(f)) {
            out.add(b.address() + ":" + b.port());
        }
        return out;
    }

    static Set<String> clusterSet(ServiceTable table, String ip, int port, Protocol protocol) {
        Set<String> out = new TreeSet<>();
        for (BackendView b : table.backends(table.findFrontend(key(ip, port, protocol)))) {
            if (b.inClusterSet()) {
                out.add(b.address() + ":" + b.port());
            }
        }
        return out;
    }

    static Set<String> localSet(ServiceTable table, String ip, int port, Protocol protocol) {
        Set<String> out = new TreeSet<>();
        for (BackendView b : table.backends(table.findFrontend(key(ip, port, protocol)))) {
            if (b.inLocalSet()) {
                out.add(b.address() + ":" + b.port());
            }
        }
        return out;
    }
}
