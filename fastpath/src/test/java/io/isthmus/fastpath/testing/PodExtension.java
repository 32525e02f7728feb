package io.isthmus.fastpath.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * JUnit 5 extension that owns the pods and other resources of one test: register it with
 * {@code @RegisterExtension final PodExtension pods = new PodExtension();}, make pods with
 * {@link #pod(String)}, and everything is closed after each test (pass or fail), last made first.
 *
 * <p><b>Thread-safety:</b> the test thread only.
 */
public final class PodExtension implements AfterEachCallback, AutoCloseable {
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    /** Skips (visibly) unless root + AF_XDP, then makes a pod with {@code ip}. */
    public Pod pod(String ip) {
        Privileges.assumeRootAndAfXdp();
        final Pod pod = Pod.create(ip);
        resources.push(pod);
        return pod;
    }

    /** Skips (visibly) unless root + AF_XDP, then makes a pod that keeps its offloads (see {@link Pod#createWithOffloads}). */
    public Pod podWithOffloads(String ip) {
        Privileges.assumeRootAndAfXdp();
        final Pod pod = Pod.createWithOffloads(ip);
        resources.push(pod);
        return pod;
    }

    /** Skips (visibly) unless root + AF_XDP, then makes a bare pod (see {@link Pod#createBare}). */
    public Pod barePod(String ip) {
        Privileges.assumeRootAndAfXdp();
        final Pod pod = Pod.createBare(ip);
        resources.push(pod);
        return pod;
    }

    /** Closes {@code resource} after the test, before the pods made earlier. Returns it. */
    public <T extends AutoCloseable> T closeLater(T resource) {
        resources.push(resource);
        return resource;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        RuntimeException first = null;
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = new IllegalStateException("cleanup failed", e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
