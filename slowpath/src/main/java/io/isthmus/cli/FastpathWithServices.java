package io.isthmus.cli;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.isthmus.fastpath.control.DesiredStateTables;
import io.isthmus.fastpath.control.PortAttachment;
import io.isthmus.fastpath.control.compile.NodeSettings;
import io.isthmus.fastpath.runtime.FastpathRuntime;
import io.isthmus.fastpath.runtime.FastpathRuntimeConfig;
import io.isthmus.fastpath.runtime.PipelineFactory;
import io.isthmus.fastpath.runtime.PortManager;
import io.isthmus.fastpath.runtime.services.ServiceCompileCycle;
import io.isthmus.fastpath.xsk.AfXdpPort;
import io.isthmus.fastpath.xsk.AfXdpSwitch;
import io.isthmus.lb.table.ServiceTable;
import io.isthmus.slowpath.manifest.Manifest;
import io.isthmus.slowpath.manifest.ManifestDirectory;
import io.isthmus.slowpath.manifest.ManifestError;
import io.isthmus.slowpath.reconcile.DesiredRecord;
import io.isthmus.slowpath.reconcile.DesiredRecords;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code isthmus fastpath --port IFNAME=POD_IP ... --services PATH}: the node's whole pipeline
 * (conntrack, Service DNAT, policy, commit, route) on fixed ports, with the Services and
 * EndpointSlices of a YAML file or directory. No API server and no agent: the objects go through
 * the same seam the agent's slow path uses ({@link DesiredRecords} → the runtime's
 * {@code LocalFastpathControl} → {@link DesiredStateTables} compiled by {@link ServiceCompileCycle}),
 * and the ports are attached as the CNI server attaches pods (pod MACs learned from their first
 * frames). The benchmark harness measures ClusterIP figures with it; other kinds in the file are
 * ignored, except Pods, Namespaces and NetworkPolicies, which are applied too (policy).
 *
 * <p>The conntrack table is a file of this process ({@code /dev/shm/isthmus-fastpath-services-PID}),
 * removed at exit.
 *
 * <p><b>Thread-safety:</b> run by the command's thread; the runtime has its own threads.
 */
final class FastpathWithServices {
    private FastpathWithServices() {
    }

    /** The records of every object in {@code path}; the error names the file, the object and the reason. */
    static List<DesiredRecord> recordsOf(Path path, String nodeName) {
        final ManifestDirectory manifests = ManifestDirectory.load(path);
        if (!manifests.errors().isEmpty()) {
            final ManifestError first = manifests.errors().getFirst();
            throw new IllegalArgumentException("--services " + path + ": " + first);
        }
        final DesiredRecords mapper = new DesiredRecords(nodeName);
        final List<DesiredRecord> records = new ArrayList<>();
        for (Manifest manifest : manifests.manifests()) {
            final HasMetadata object = manifest.object();
            final DesiredRecords.Result result = mapper.of(object);
            if (result.records() == null) {
                throw new IllegalArgumentException("--services " + manifest.file() + ": " + manifest.describe() + " refused: "
                        + String.join("; ", result.problems()));
            }
            records.addAll(result.records());
        }
        if (records.stream().noneMatch(r -> r.kind() == io.isthmus.fastpath.control.DesiredKind.LB_SERVICE)) {
            throw new IllegalArgumentException("--services " + path + ": no Service in it");
        }
        return records;
    }

    static int serve(List<AfXdpSwitch.PortSpec> specs, List<DesiredRecord> records, FastpathRuntimeConfig config,
                     NodeSettings node, long durationSeconds, boolean quiet, PrintStream out) throws InterruptedException {
        final Path conntrack = config.conntrack().path();
        final ServiceCompileCycle services = new ServiceCompileCycle();
        boolean failed = false;
        try (StopOnSignal signal = new StopOnSignal("isthmus-fastpath-stop", Duration.ofSeconds(20))) {
            try (FastpathRuntime runtime = FastpathRuntime.start(config,
                    tables -> new DesiredStateTables(tables, node), PipelineFactory.switching(), services)) {
                runtime.control().beginSync(1);
                for (DesiredRecord record : records) {
                    runtime.control().upsert(record.kind(), record.key(), record.payload());
                }
                runtime.control().endSync(1);
                for (AfXdpSwitch.PortSpec spec : specs) {
                    runtime.control().attachPort(new PortAttachment(spec.interfaceName(), spec.podIp(), 0L, spec.interfaceName()))
                            .get(30, TimeUnit.SECONDS);
                    out.println("attached " + spec.interfaceName());
                }
                final ServiceTable table = awaitServices(runtime, 10);
                out.println("services: " + (table == null ? "none published within 10 s" : table.frontendCount() + " frontends")
                        + "; fast path running (" + config.idleMode().name().toLowerCase(java.util.Locale.ROOT)
                        + ", conntrack " + conntrack + "); Ctrl-C or SIGTERM stops it");
                out.flush();
                failed = table == null;
                final long deadlineNs = durationSeconds > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(durationSeconds) : Long.MAX_VALUE;
                while (!failed && !signal.await(1, TimeUnit.SECONDS)) {
                    if (!quiet) {
                        printCounters(runtime, out);
                    }
                    if (runtime.workerError() != null) {
                        out.println("worker failed: " + runtime.workerError());
                        failed = true;
                    }
                    if (System.nanoTime() >= deadlineNs) {
                        break;
                    }
                }
                out.print("final: ");
                printCounters(runtime, out);
                final String reasons = runtime.worker().drops().describe();
                out.println("drop reasons: " + (reasons.isEmpty() ? "none" : reasons));
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                out.println("isthmus fastpath: attaching a port failed: " + e.getMessage());
                failed = true;
            } finally {
                out.println("detached: ports, XDP programs and AF_XDP sockets closed");
                out.flush();
                try {
                    Files.deleteIfExists(conntrack);
                } catch (IOException e) {
                    out.println("isthmus fastpath: cannot remove " + conntrack + ": " + e.getMessage());
                }
            }
        }
        return failed ? 1 : 0;
    }

    private static ServiceTable awaitServices(FastpathRuntime runtime, int seconds) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            final ServiceTable table = runtime.tables().services().current();
            if (table != null && table.frontendCount() > 0) {
                return table;
            }
            Thread.sleep(20);
        }
        return null;
    }

    /** The plain fast path's per-port counters (packets, kicks, the kernel's ring drops), then conntrack and drops. */
    private static void printCounters(FastpathRuntime runtime, PrintStream out) {
        final List<AfXdpPort> ports = new ArrayList<>();
        for (PortManager.AttachedPort attached : runtime.ports().attached()) {
            if (runtime.worker().portAt(attached.slot()) instanceof AfXdpPort port) {
                ports.add(port);
            }
        }
        final StringBuilder line = new StringBuilder();
        FastpathCommand.appendPortCounters(line, ports);
        line.append("ports ").append(runtime.ports().attached().size()).append(", conntrack ").append(runtime.conntrack().size())
                .append(", drops ").append(runtime.worker().drops().total()).append(' ').append(runtime.worker().drops().describe());
        out.println(line);
        out.flush();
    }

    /** The default config's conntrack file made unique to this process. */
    static Path conntrackFile() {
        return Path.of("/dev/shm", "isthmus-fastpath-services-" + ProcessHandle.current().pid());
    }
}
