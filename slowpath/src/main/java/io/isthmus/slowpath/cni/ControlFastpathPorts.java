package io.isthmus.slowpath.cni;

import io.isthmus.fastpath.control.FastpathControl;
import io.isthmus.fastpath.control.PortAttachment;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The CNI server's {@link FastpathPorts} in production: each attach and detach is a
 * {@link FastpathControl} port call (over Aeron IPC to the fast path, or in the same JVM), waited
 * for up to a timeout so that ADD answers only once the fast path switches the pod. Which
 * interfaces are attached is remembered here (CHECK asks); an interface the fast path refused is
 * not.
 *
 * <p><b>Thread-safety:</b> called from the CNI server's one request thread; {@link #isAttached}
 * from any.
 */
public final class ControlFastpathPorts implements FastpathPorts {
    private final FastpathControl control;
    private final Duration timeout;
    private final Supplier<Optional<String>> availability;
    private final Set<String> attached = ConcurrentHashMap.newKeySet();

    /**
     * @param availability empty when the fast path can take ports, else why not (STATUS reports it)
     */
    public ControlFastpathPorts(FastpathControl control, Duration timeout, Supplier<Optional<String>> availability) {
        this.control = control;
        this.timeout = timeout;
        this.availability = availability;
    }

    @Override
    public void attach(String hostIfName, Inet4Address podAddress, String podMac) throws Exception {
        final PortAttachment port = new PortAttachment(hostIfName, Ipv4Address.parse(podAddress.getHostAddress()),
                MacAddress.parse(podMac), hostIfName);
        await(control.attachPort(port), "attach " + hostIfName + " (" + podAddress.getHostAddress() + ")");
        attached.add(hostIfName);
    }

    @Override
    public void detach(String hostIfName) throws Exception {
        await(control.detachPort(hostIfName), "detach " + hostIfName);
        attached.remove(hostIfName);
    }

    @Override
    public boolean isAttached(String hostIfName) {
        return attached.contains(hostIfName);
    }

    @Override
    public Optional<String> unavailableReason() {
        return availability.get();
    }

    private void await(Future<Void> answer, String what) throws Exception {
        try {
            answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new TimeoutException("the fast path did not " + what + " within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw new IllegalStateException("the fast path could not " + what + ": " + e.getCause().getMessage(), e.getCause());
        }
    }
}
