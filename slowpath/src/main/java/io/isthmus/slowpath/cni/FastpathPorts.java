package io.isthmus.slowpath.cni;

import java.net.Inet4Address;
import java.util.Optional;

/**
 * How the CNI server asks the fast path to take a pod's host-side interface on (AF_XDP socket and
 * XDP program) and to let it go. The agent implements it over its control channel to the workers.
 */
public interface FastpathPorts {

    /** Starts switching {@code hostIfName}, whose pod has {@code podAddress} at {@code podMac}. */
    void attach(String hostIfName, Inet4Address podAddress, String podMac) throws Exception;

    /** Stops switching {@code hostIfName}; nothing happens when it is not attached. */
    void detach(String hostIfName) throws Exception;

    /** Whether {@code hostIfName} is attached now (CHECK asks). */
    boolean isAttached(String hostIfName);

    /** Empty when ports can be attached; else why not. */
    Optional<String> unavailableReason();
}
