package io.isthmus.slowpath.cni;

import java.io.IOException;
import java.util.Optional;

/**
 * The node-side work behind CNI: interfaces, addresses and routes (netlink) and the fast-path
 * attachment (AF_XDP socket and XDP program). {@link CniHandler} decides what to do; the backend
 * does it.
 *
 * <p><b>Thread-safety:</b> called from the CNI server's one request thread only.
 */
public interface PodNetworkBackend {

    /** Creates the attachment. On failure it leaves nothing behind and throws. */
    PodInterfaces add(PodAttachment attachment) throws CniException, IOException;

    /**
     * Removes the attachment: detaches the host end from the fast path and deletes the veth (which
     * removes the pod end). Succeeds when any part is already gone, the netns included.
     */
    void delete(String hostIfName, String netns, String ifName) throws IOException;

    /** Throws {@link CniException#CHECK_FAILED}, saying what differs, when the attachment is not as ADD left it. */
    void check(PodAttachment attachment) throws CniException, IOException;

    /** Empty when ADD can be served; else why not (STATUS answers 50 with it). */
    Optional<String> unavailableReason();
}
