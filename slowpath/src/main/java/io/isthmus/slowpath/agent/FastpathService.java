package io.isthmus.slowpath.agent;

import io.isthmus.fastpath.control.DesiredStateTables;
import io.isthmus.fastpath.control.aeron.AeronControlServer;
import io.isthmus.fastpath.control.compile.NodeSettings;
import io.isthmus.fastpath.control.aeron.EmbeddedMediaDriver;
import io.isthmus.fastpath.runtime.DesiredRecords;
import io.isthmus.fastpath.runtime.FastpathRuntime;
import io.isthmus.fastpath.runtime.FastpathRuntimeConfig;
import io.isthmus.fastpath.runtime.PipelineFactory;
import io.isthmus.fastpath.runtime.services.ServiceCompileCycle;

import java.nio.file.Path;

/**
 * The fast-path half of a node, serving the control channel: the {@link FastpathRuntime}, an
 * embedded Aeron media driver (its directory under /dev/shm) and the {@link AeronControlServer}
 * applying what slow paths send. Run alone by {@code isthmus fastpath --control aeron:ipc}
 * (a slow path then connects from another process through {@link #aeronDirectory()}), or inside
 * {@code isthmus agent}.
 *
 * <p><b>Thread-safety:</b> start and close from the owning thread.
 */
public final class FastpathService implements AutoCloseable {
    private final FastpathRuntime runtime;
    private final EmbeddedMediaDriver driver;
    private final AeronControlServer server;

    private FastpathService(FastpathRuntime runtime, EmbeddedMediaDriver driver, AeronControlServer server) {
        this.runtime = runtime;
        this.driver = driver;
        this.server = server;
    }

    /**
     * Starts the runtime (desired records compiled into its tables by {@link DesiredStateTables} for
     * {@code node}), then the driver in {@code aeronDirectory}, then the server; undoes it all on failure.
     */
    public static FastpathService start(FastpathRuntimeConfig config, Path aeronDirectory, NodeSettings node) {
        return start(config, aeronDirectory, node, new ServiceCompileCycle());
    }

    /**
     * As above, with {@code services} run by the control agent after every cycle that applied
     * requests: it publishes Service, policy and DNS generations, flushes the UDP conntrack entries
     * of backends that went away, and hands the health-check node ports on.
     */
    public static FastpathService start(FastpathRuntimeConfig config, Path aeronDirectory, NodeSettings node,
                                        ServiceCompileCycle services) {
        return start(config, aeronDirectory, node, services, PipelineFactory.switching());
    }

    /** As above, the worker's pipeline made by {@code pipelines} (e.g. with the cluster DNS stage). */
    public static FastpathService start(FastpathRuntimeConfig config, Path aeronDirectory, NodeSettings node,
                                        ServiceCompileCycle services, PipelineFactory pipelines) {
        return start(config, aeronDirectory, FastpathRuntime.start(config,
                tables -> new DesiredStateTables(tables, node), pipelines, services));
    }

    /** As above with a record store and no compiler (the tables stay empty): protocol tests. */
    public static FastpathService start(FastpathRuntimeConfig config, Path aeronDirectory) {
        return start(config, aeronDirectory, FastpathRuntime.start(config, new DesiredRecords(), PipelineFactory.switching()));
    }

    private static FastpathService start(FastpathRuntimeConfig config, Path aeronDirectory, FastpathRuntime runtime) {
        EmbeddedMediaDriver driver = null;
        try {
            driver = EmbeddedMediaDriver.launch(aeronDirectory);
            return new FastpathService(runtime, driver, AeronControlServer.start(aeronDirectory, runtime.control(), runtime.worker().drops()));
        } catch (RuntimeException e) {
            if (driver != null) {
                driver.close();
            }
            runtime.close();
            throw e;
        }
    }

    public FastpathRuntime runtime() {
        return runtime;
    }

    public AeronControlServer server() {
        return server;
    }

    /** Where slow paths connect ({@code AeronFastpathControl.connect}). */
    public Path aeronDirectory() {
        return driver.directory();
    }

    /** Stops serving, then the runtime (ports detached, conntrack file kept), then the driver (directory deleted). */
    @Override
    public void close() {
        try {
            server.close();
        } finally {
            try {
                runtime.close();
            } finally {
                driver.close();
            }
        }
    }
}
