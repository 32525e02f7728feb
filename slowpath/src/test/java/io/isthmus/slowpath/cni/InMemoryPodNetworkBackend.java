package io.isthmus.slowpath.cni;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A backend that keeps attachments in a map: for testing the CNI semantics (versions, codes,
 * idempotency, GC) apart from netlink. The real backend is tested in namespaces.
 */
class InMemoryPodNetworkBackend implements PodNetworkBackend {
    final Map<String, PodAttachment> attachments = new LinkedHashMap<>();
    String unavailable;
    boolean failNextAdd;

    @Override
    public PodInterfaces add(PodAttachment attachment) throws CniException {
        if (failNextAdd) {
            failNextAdd = false;
            throw new CniException(CniException.IO_FAILURE, "injected failure");
        }
        attachments.put(attachment.hostIfName(), attachment);
        return new PodInterfaces(attachment.hostIfName(), "ee:ee:ee:ee:ee:ee", attachment.ifName(), "02:00:00:00:00:01");
    }

    @Override
    public void delete(String hostIfName, String netns, String ifName) {
        attachments.remove(hostIfName);
    }

    @Override
    public void check(PodAttachment attachment) throws CniException {
        PodAttachment live = attachments.get(attachment.hostIfName());
        if (live == null || !live.address().equals(attachment.address())) {
            throw new CniException(CniException.CHECK_FAILED, "interface " + attachment.hostIfName() + " is missing");
        }
    }

    @Override
    public Optional<String> unavailableReason() {
        return Optional.ofNullable(unavailable);
    }
}
