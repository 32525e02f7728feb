package io.isthmus.lb.compile;

import io.isthmus.lb.ip.IpAddress;
import io.isthmus.lb.ip.IpCidr;
import io.isthmus.lb.model.Service;
import io.isthmus.lb.model.ServiceType;
import java.util.ArrayList;
import java.util.List;

/**
 * A Service's addresses parsed once: cluster IPs, external IPs, LoadBalancer ingress IPs and
 * source ranges. A malformed one is skipped with a warning naming the Service and the field.
 */
final class ServiceFrontends {

    private final List<IpAddress> clusterIPs = new ArrayList<>();
    private final List<IpAddress> externalIPs = new ArrayList<>();
    private final List<IpAddress> loadBalancerIPs = new ArrayList<>();
    private final List<IpCidr> sourceRanges = new ArrayList<>();
    private boolean hasSourceRanges;
    private boolean sourceRangesAdmitNode;

    private ServiceFrontends() {
    }

    static ServiceFrontends of(Service service, NodeContext node, List<String> warnings) {
        ServiceFrontends f = new ServiceFrontends();
        String name = "service " + service.serviceName();
        parse(service.clusterIPs(), f.clusterIPs, name, "clusterIPs", warnings);
        parse(service.externalIPs(), f.externalIPs, name, "externalIPs", warnings);
        if (service.type() == ServiceType.LOAD_BALANCER) {
            parse(service.loadBalancerIngressIPs(), f.loadBalancerIPs, name, "status.loadBalancer.ingress", warnings);
            for (String text : service.loadBalancerSourceRanges()) {
                try {
                    f.sourceRanges.add(IpCidr.parse(text));
                } catch (IllegalArgumentException e) {
                    warnings.add(name + ": loadBalancerSourceRanges: " + e.getMessage() + ", skipped");
                }
            }
            f.hasSourceRanges = !service.loadBalancerSourceRanges().isEmpty();
            f.sourceRangesAdmitNode = f.sourceRanges.stream().anyMatch(c -> node.nodeAddresses().stream().anyMatch(c::contains));
        }
        return f;
    }

    private static void parse(List<String> texts, List<IpAddress> into, String name, String field, List<String> warnings) {
        for (String text : texts) {
            if (Service.CLUSTER_IP_NONE.equals(text)) {
                continue;
            }
            try {
                into.add(IpAddress.parse(text));
            } catch (IllegalArgumentException e) {
                warnings.add(name + ": " + field + ": " + e.getMessage() + ", skipped");
            }
        }
    }

    List<IpAddress> clusterIPs(boolean ipv6) {
        return ofFamily(clusterIPs, ipv6);
    }

    List<IpAddress> externalIPs(boolean ipv6) {
        return ofFamily(externalIPs, ipv6);
    }

    List<IpAddress> loadBalancerIPs(boolean ipv6) {
        return ofFamily(loadBalancerIPs, ipv6);
    }

    boolean hasSourceRanges() {
        return hasSourceRanges;
    }

    /**
     * The ranges of one family. As in kube-proxy, when a range admits this node, traffic whose
     * source is the LoadBalancer IP itself (a node reaching a VIP it holds locally) is admitted too.
     */
    List<IpCidr> sourceRanges(boolean ipv6) {
        List<IpCidr> out = new ArrayList<>();
        for (IpCidr c : sourceRanges) {
            if (c.network().isIpv4() != ipv6) {
                out.add(c);
            }
        }
        if (sourceRangesAdmitNode) {
            for (IpAddress lbIp : loadBalancerIPs(ipv6)) {
                out.add(new IpCidr(lbIp, ipv6 ? 128 : 32));
            }
        }
        return out;
    }

    private static List<IpAddress> ofFamily(List<IpAddress> all, boolean ipv6) {
        return all.stream().filter(a -> a.isIpv4() != ipv6).toList();
    }
}
