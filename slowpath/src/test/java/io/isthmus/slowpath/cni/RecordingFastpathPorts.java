package io.isthmus.slowpath.cni;

import java.net.Inet4Address;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Remembers which host interfaces the CNI server attached, for tests of the netlink side alone. */
final class RecordingFastpathPorts implements FastpathPorts {
    final Map<String, String> attached = new LinkedHashMap<>();

    @Override
    public void attach(String hostIfName, Inet4Address podAddress, String podMac) {
        attached.put(hostIfName, podAddress.getHostAddress() + " " + podMac);
    }

    @Override
    public void detach(String hostIfName) {
        attached.remove(hostIfName);
    }

    @Override
    public boolean isAttached(String hostIfName) {
        return attached.containsKey(hostIfName);
    }

    @Override
    public Optional<String> unavailableReason() {
        return Optional.empty();
    }
}
