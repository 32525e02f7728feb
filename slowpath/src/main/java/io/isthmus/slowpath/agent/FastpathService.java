package io.isthmus.slowpath.agent;

import io.isthmus.conntrack.ConntrackTable;
import io.isthmus.fastpath.control.aeron.AeronControlServer;
import io.isthmus.fastpath.control.aeron.EmbeddedMediaDriver;
import io.isthmus.fastpath.control.DesiredState;
import io.isthmus.fastpath.control.FastpathTables;
import io.isthmus.fastpath.runtime.DesiredRecords;
import io.isthmus.fastpath.runtime.FastpathRuntime;
import io.isthmus.fastpath.runtime.FastpathRuntimeConfig;
import io.isthmus.fastpath.runtime.PipelineFactory;

import java.nio.file.Path;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

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

    /** Starts the runtime, then the driver in {@code aeronDirectory}, then the server; undoes it all on failure. */
    public static FastpathService start(FastpathRuntimeConfig config, Path aeronDirectory) {
        return start(config, aeronDirectory, tables -> new DesiredRecords(), PipelineFactory.switching(), desired -> { });
    }

    /**
     * As above, with the runtime's desired-state sink, pipeline and after-requests hook given (see
     * {@link FastpathRuntime#start(FastpathRuntimeConfig, Function, PipelineFactory, Consumer)}).
     */
    public static FastpathService start(FastpathRuntimeConfig config, Path aeronDirectory,
                                        Function<FastpathTables, DesiredState> desiredOverTables, PipelineFactory pipelines,
                                        Consumer<DesiredState> afterRequests) {
        return start(config, aeronDirectory, desiredOverTables, pipelines, (desired, conntrack) -> afterRequests.accept(desired));
    }

    /**
     * As above, with the after-requests hook also given the conntrack table (e.g. the runtime's
     * {@code services.ServiceCompileCycle}: compile, flush stale UDP backends, health checks).
     */
    public static FastpathService start(FastpathRuntimeConfig config, Path aeronDirectory,
                                        Function<FastpathTables, DesiredState> desiredOverTables, PipelineFactory pipelines,
                                        BiConsumer<DesiredState, ConntrackTable> afterRequests) {
        final FastpathRuntime runtime = FastpathRuntime.start(config, desiredOverTables, pipelines, afterRequests);
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
