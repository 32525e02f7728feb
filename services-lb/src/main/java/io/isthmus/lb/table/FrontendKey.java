package io.isthmus.lb.table;

import io.isthmus.lb.ip.IpAddress;
import io.isthmus.lb.model.Protocol;

/** A frontend's key, for dumps and tests (the fast path passes the three parts as primitives). */
public record FrontendKey(IpAddress address, int port, Protocol protocol) {

    @Override
    public String toString() {
        return (address.isIpv4() ? address.toString() : "[" + address + "]") + ":" + port + "/" + protocol;
    }
}
