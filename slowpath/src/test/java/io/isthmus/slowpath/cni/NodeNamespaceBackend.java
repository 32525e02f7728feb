package io.isthmus.slowpath.cni;

import io.isthmus.slowpath.netlink.Netns;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Runs every call of a backend inside a network namespace that plays the node, so a test's host
 * veths (and whatever is attached to them) are made there and never in the machine's own namespace.
 *
 * <p><b>Thread-safety:</b> as the backend it wraps (the CNI server calls it from one thread).
 */
final class NodeNamespaceBackend implements PodNetworkBackend {
    private final Path nodeNetns;
    private final PodNetworkBackend backend;

    NodeNamespaceBackend(Path nodeNetns, PodNetworkBackend backend) {
        this.nodeNetns = nodeNetns;
        this.backend = backend;
    }

    @Override
    public PodInterfaces add(PodAttachment attachment) throws CniException, IOException {
        return inNode(() -> backend.add(attachment));
    }

    @Override
    public void delete(String hostIfName, String netns, String ifName) throws IOException {
        try {
            inNode(() -> {
                backend.delete(hostIfName, netns, ifName);
                return null;
            });
        } catch (CniException e) {
            throw new IOException(e);
        }
    }

    @Override
    public void check(PodAttachment attachment) throws CniException, IOException {
        inNode(() -> {
            backend.check(attachment);
            return null;
        });
    }

    @Override
    public Optional<String> unavailableReason() {
        return backend.unavailableReason();
    }

    private <T> T inNode(Callable<T> work) throws CniException, IOException {
        try {
            return Netns.run(nodeNetns, work);
        } catch (CniException | IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }
}
