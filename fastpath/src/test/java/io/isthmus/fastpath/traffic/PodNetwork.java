package io.isthmus.fastpath.traffic;

/**
 * Two pods on two ports of one running switch (a worker already polling its ports, its route table
 * published with both pods: pod IP → port, a local MAC per port, gateway 169.254.1.1). Closing it
 * stops the worker and removes everything the harness made (namespaces, veths, files), also after a
 * failed test.
 */
@SuppressWarnings("try") // close() may throw anything a harness's cleanup throws, InterruptedException included
public interface PodNetwork extends AutoCloseable {
    PodEndpoint podA();

    PodEndpoint podB();

    /** Extra detail for failure messages: drop counters, port counters. */
    default String diagnostics() {
        return "";
    }

    @Override
    void close() throws Exception;
}
