package io.isthmus.slowpath.cni;

import java.net.Inet4Address;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fast path's side of the CNI server in tests: remembers which host interfaces are attached
 * ({@code hostIfName -> "podAddress podMac"}), so tests of the netlink side, {@code isthmus up}'s
 * pods and session run without a fast path.
 *
 * <p><b>Thread-safety:</b> written by the CNI server's threads, read by the test's (concurrent map).
 */
public final class RecordingFastpathPorts implements FastpathPorts {
    public final Map<String, String> attached = new ConcurrentHashMap<>();

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
