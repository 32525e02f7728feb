package io.isthmus.slowpath.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The ADD result in the shape of the request's cniVersion: interface 0 is the host end (no
 * sandbox), interface 1 the pod end; one IPv4 address as a /32 on interface 1 with the gateway; a
 * default route via the gateway; {@code dns} copied from the configuration when it has one.
 * Version 0.4.0 marks each address with {@code "version": "4"}; 1.x does not.
 */
final class CniResultJson {
    private CniResultJson() {
    }

    static ObjectNode addResult(CniRequest request, PodAttachment attachment, PodInterfaces interfaces) {
        final ObjectNode result = CniRequest.JSON.createObjectNode();
        result.put("cniVersion", request.cniVersion());
        final ArrayNode ifaces = result.putArray("interfaces");
        ifaces.addObject().put("name", interfaces.hostIfName()).put("mac", interfaces.hostMac()).put("sandbox", "");
        ifaces.addObject().put("name", interfaces.podIfName()).put("mac", interfaces.podMac()).put("sandbox", attachment.netns());
        final ObjectNode ip = result.putArray("ips").addObject();
        if (request.cniVersion().startsWith("0.")) {
            ip.put("version", "4");
        }
        ip.put("address", attachment.address().getHostAddress() + "/32");
        ip.put("gateway", attachment.gateway().getHostAddress());
        ip.put("interface", 1);
        result.putArray("routes").addObject().put("dst", "0.0.0.0/0").put("gw", attachment.gateway().getHostAddress());
        final JsonNode dns = request.config().get("dns");
        if (dns != null && dns.isObject() && !dns.isEmpty()) {
            result.set("dns", dns.deepCopy());
        }
        return result;
    }

    static ObjectNode error(String cniVersion, CniException e) {
        final ObjectNode error = CniRequest.JSON.createObjectNode();
        error.put("cniVersion", cniVersion);
        error.put("code", e.code());
        error.put("msg", e.getMessage());
        if (!e.details().isEmpty()) {
            error.put("details", e.details());
        }
        return error;
    }
}
