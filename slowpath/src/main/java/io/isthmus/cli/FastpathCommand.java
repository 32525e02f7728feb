package io.isthmus.cli;

import io.isthmus.fastpath.bpf.XdpMode;
import io.isthmus.fastpath.control.aeron.ControlProtocol;
import io.isthmus.fastpath.control.compile.NodeSettings;
import io.isthmus.fastpath.runtime.FastpathRuntimeConfig;
import io.isthmus.slowpath.agent.AgentConfig;
import io.isthmus.slowpath.agent.FastpathService;
import io.isthmus.fastpath.linux.Errno;
import io.isthmus.fastpath.linux.Libc;
import io.isthmus.fastpath.linux.LinuxException;
import io.isthmus.fastpath.linux.PosixConstants;
import io.isthmus.fastpath.linux.XdpConstants;
import io.isthmus.fastpath.port.PortCounters.Counter;
import io.isthmus.fastpath.worker.IdleMode;
import io.isthmus.fastpath.worker.WorkerThread;
import io.isthmus.fastpath.xsk.AfXdpInterface;
import io.isthmus.fastpath.xsk.AfXdpPort;
import io.isthmus.fastpath.xsk.AfXdpSwitch;
import io.isthmus.fastpath.xsk.XskBindMode;
import io.isthmus.fastpath.xsk.XskConfig;
import io.isthmus.fastpath.xsk.XskStatistics;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code isthmus fastpath --port IFNAME=POD_IP [--port ...]}: runs the fast path (one worker, the
 * switching pipeline) on AF_XDP sockets of the given host-side interfaces until SIGINT/SIGTERM
 * (or {@code --duration}), printing per-port counters once a second; then detaches everything.
 *
 * <p>{@code isthmus fastpath --control aeron:ipc}: runs the fast-path half of a node alone (runtime,
 * embedded media driver, control server) so that a slow path in another process
 * ({@code isthmus slowpath}) attaches ports and sends desired state over the same protocol.
 */
public final class FastpathCommand implements Subcommand {
    private static final System.Logger LOG = System.getLogger(FastpathCommand.class.getName());
    private static final String USAGE = """
            usage: isthmus fastpath --port IFNAME=POD_IP [--port IFNAME=POD_IP ...] [options]
              --port IFNAME=POD_IP   a host-side interface (e.g. the host end of a pod's veth) and the
                                     pod IPv4 address behind it; repeat for every port
              --idle adaptive|busy-spin|backoff|yield   what the worker does when idle (default
                                     adaptive: polls on while packets arrive, sleeps after 10-200 us
                                     without any; busy-spin keeps a core busy, for a node that gives
                                     the fast path one; backoff sleeps after ~110 empty polls; yield
                                     never sleeps but lets other runnable threads go first)
              --worker-nice N        the worker thread's nice value, -20..19 (default: inherited)
              --worker-cpu N         pin the worker thread to CPU N (default: any)
              --xdp-mode auto|native|generic   XDP attach mode (default auto: native, else generic)
              --copy | --zero-copy   force the AF_XDP copy mode (default: the kernel chooses)
              --duration SECONDS     stop by itself after this long (default: until SIGINT/SIGTERM)
              --quiet                no per-second counter lines
              --services PATH        run the node's whole pipeline (conntrack, Service DNAT, policy) with
                                     the Services and EndpointSlices of this YAML file or directory
            usage: isthmus fastpath --control aeron:ipc [--aeron-dir DIR] [--conntrack PATH] [--idle ...] [--worker-nice N] [--worker-cpu N] [--duration S]
              --control aeron:ipc    serve the control channel; ports come from the slow path, not --port
              --aeron-dir DIR        the media driver's directory (default /dev/shm/isthmus-aeron)
              --conntrack PATH       the conntrack table, kept across restarts (default /dev/shm/isthmus-conntrack)
              --node-name NAME       this node's name for the table compiler (default: the host name)
              --node-ip ADDRESS      this node's address, for NodePorts and policy (repeatable)
            """;
    /** Where a separate slow path finds the fast path's control channel by default. */
    public static final Path DEFAULT_AERON_DIRECTORY = Path.of("/dev/shm/isthmus-aeron");

    @Override
    public String name() {
        return "fastpath";
    }

    @Override
    public String summary() {
        return "run the AF_XDP fast path on host interfaces (--port IFNAME=POD_IP ...)";
    }

    @Override
    public int run(String[] args) throws Exception {
        return run(args, System.out, System.err);
    }

    /** {@link #run(String[])} with the output streams given (tests). */
    int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        final List<AfXdpSwitch.PortSpec> specs = new ArrayList<>();
        IdleMode idle = IdleMode.NODE_DEFAULT;
        WorkerThread placement = WorkerThread.INHERIT;
        XskConfig config = XskConfig.defaults();
        long durationSeconds = 0;
        boolean quiet = false;
        String control = null;
        Path aeronDirectory = DEFAULT_AERON_DIRECTORY;
        Path conntrack = AgentConfig.DEFAULT_CONNTRACK;
        String nodeName = AgentConfig.hostName();
        final List<String> nodeIps = new ArrayList<>();
        Path services = null;
        List<io.isthmus.slowpath.reconcile.DesiredRecord> serviceRecords = null;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--port" -> specs.add(AfXdpSwitch.PortSpec.parse(CliArgs.value(args, ++i, "--port")));
                    case "--idle" -> idle = IdleMode.parse(CliArgs.value(args, ++i, "--idle"));
                    case "--worker-nice" -> placement = placement.withNice(WorkerThread.parseNice(CliArgs.value(args, ++i, "--worker-nice")));
                    case "--worker-cpu" -> placement = placement.withCpu(WorkerThread.parseCpu(CliArgs.value(args, ++i, "--worker-cpu")));
                    case "--xdp-mode" -> config = config.withXdpMode(parseXdpMode(CliArgs.value(args, ++i, "--xdp-mode")));
                    case "--copy" -> config = config.withBindMode(XskBindMode.COPY);
                    case "--zero-copy" -> config = config.withBindMode(XskBindMode.ZEROCOPY);
                    case "--duration" -> durationSeconds = parseSeconds(CliArgs.value(args, ++i, "--duration"));
                    case "--quiet" -> quiet = true;
                    case "--control" -> control = CliArgs.value(args, ++i, "--control");
                    case "--aeron-dir" -> aeronDirectory = Path.of(CliArgs.value(args, ++i, "--aeron-dir"));
                    case "--conntrack" -> conntrack = Path.of(CliArgs.value(args, ++i, "--conntrack"));
                    case "--node-name" -> nodeName = CliArgs.value(args, ++i, "--node-name");
                    case "--node-ip" -> nodeIps.add(CliArgs.value(args, ++i, "--node-ip"));
                    case "--services" -> services = Path.of(CliArgs.value(args, ++i, "--services"));
                    case "-h", "--help" -> {
                        out.print(USAGE);
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
                }
            }
            if (control != null && !control.equals(ControlProtocol.CHANNEL)) {
                throw new IllegalArgumentException("unknown control channel '" + control + "' (want " + ControlProtocol.CHANNEL + ")");
            }
            if (control != null && !specs.isEmpty()) {
                throw new IllegalArgumentException("--port and --control exclude each other: with --control the slow path attaches ports");
            }
            if (control == null && specs.isEmpty()) {
                throw new IllegalArgumentException("at least one --port IFNAME=POD_IP (or --control aeron:ipc) is needed");
            }
            if (services != null && control != null) {
                throw new IllegalArgumentException("--services goes with --port: with --control the slow path sends the Services");
            }
            if (services != null) {
                serviceRecords = FastpathWithServices.recordsOf(services, nodeName);
            }
        } catch (IllegalArgumentException e) {
            err.println("isthmus fastpath: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        final String problem = environmentProblem(specs);
        if (problem != null) {
            err.println("isthmus fastpath: " + problem);
            return 1;
        }
        if (control != null) {
            return serveControl(FastpathRuntimeConfig.defaults(conntrack).withIdleMode(idle).withWorkerThread(placement), aeronDirectory,
                    new NodeSettings(nodeName, nodeIps, null), durationSeconds, quiet, out);
        }
        if (serviceRecords != null) {
            final FastpathRuntimeConfig withPorts = servicesRuntime(config, idle, placement, specs.size());
            return FastpathWithServices.serve(specs, serviceRecords, withPorts, new NodeSettings(nodeName, nodeIps, null),
                    durationSeconds, quiet, out);
        }
        return serve(specs, config, idle, placement, durationSeconds, quiet, out);
    }

    /**
     * The runtime of {@code --services}: the sockets of the plain {@code --port} fast path
     * ({@code ports}: its XskConfig, 4096-entry rings by default, and a UMEM of framesPerPort per
     * port, so each of four ports gets a 4096-frame share), so that the harness's pod -> pod and
     * ClusterIP figures differ by the pipeline only. The runtime's own defaults (2048-entry rings until session 6,
     * sized for many pods per worker) halved the client port's fill and RX rings (RESULTS.md,
     * "Session 5 (clusterip)"). The rest (conntrack, sweeper, flow settings) as the node's runtime.
     */
    static FastpathRuntimeConfig servicesRuntime(XskConfig ports, IdleMode idle, WorkerThread placement, int portCount) {
        final FastpathRuntimeConfig defaults = FastpathRuntimeConfig.defaults(FastpathWithServices.conntrackFile());
        return new FastpathRuntimeConfig(defaults.workerName(), defaults.portSlots(),
                Math.max(defaults.umemFrames(), ports.framesPerPort() * portCount), ports, idle, defaults.conntrack(),
                defaults.sweepInterval(), defaults.sweepEntriesPerCall(), defaults.commandTimeout(), defaults.flow(), placement);
    }

    private static int serveControl(FastpathRuntimeConfig config, Path aeronDirectory, NodeSettings node, long durationSeconds,
                                    boolean quiet, PrintStream out) throws InterruptedException {
        int exit = 0;
        try (StopOnSignal signal = new StopOnSignal("isthmus-fastpath-stop", Duration.ofSeconds(20))) { // until ports are detached
            try (FastpathService service = FastpathService.start(config, aeronDirectory, node)) {
                out.println("fast path serving the control channel " + ControlProtocol.CHANNEL + " in " + service.aeronDirectory()
                        + " (conntrack " + config.conntrack().path() + "); Ctrl-C or SIGTERM stops it");
                out.flush();
                final long deadlineNs = durationSeconds > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.min(durationSeconds, 100L * 365 * 86_400)) : Long.MAX_VALUE;
                while (!signal.await(1, TimeUnit.SECONDS)) {
                    if (!quiet) {
                        LOG.log(System.Logger.Level.INFO, "status", "ports", service.runtime().ports().attached().size(),
                                "requests_applied", service.server().appliedRequests(), "requests_refused", service.server().refusedRequests(),
                                "conntrack", service.runtime().conntrack().size(), "drops", service.runtime().worker().drops().total());
                    }
                    if (service.runtime().workerError() != null) {
                        LOG.log(System.Logger.Level.ERROR, "worker failed", service.runtime().workerError());
                        exit = 1;
                        break;
                    }
                    if (System.nanoTime() >= deadlineNs) {
                        break;
                    }
                }
            } finally {
                out.println("stopped: ports detached, control channel closed");
                out.flush();
            }
        }
        return exit;
    }

    private static long parseSeconds(String text) {
        try {
            final long seconds = Long.parseLong(text);
            if (seconds > 0) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--duration wants a positive number of seconds, got '" + text + "'");
    }

    private static XdpMode parseXdpMode(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "auto" -> null;
            case "native", "drv", "driver" -> XdpMode.NATIVE;
            case "generic", "skb" -> XdpMode.GENERIC;
            default -> throw new IllegalArgumentException("unknown XDP mode '" + text + "' (want auto, native or generic)");
        };
    }

    /** Root, AF_XDP, and every interface present; null when all is well, else what is wrong. */
    static String environmentProblem(List<AfXdpSwitch.PortSpec> specs) {
        final int euid = Libc.geteuid();
        if (euid != 0) {
            return "must run as root (euid is " + euid + "): XDP programs and AF_XDP sockets need CAP_NET_ADMIN, CAP_BPF and CAP_NET_RAW";
        }
        try {
            final int fd = Libc.socket(XdpConstants.AF_XDP, PosixConstants.SOCK_RAW | PosixConstants.SOCK_CLOEXEC, 0);
            Libc.close(fd, "AF_XDP probe");
        } catch (LinuxException e) {
            return "this kernel has no usable AF_XDP sockets (" + e.getMessage() + "); it needs CONFIG_XDP_SOCKETS";
        }
        for (AfXdpSwitch.PortSpec spec : specs) {
            if (!Files.exists(Path.of("/sys/class/net", spec.interfaceName()))) {
                return "interface '" + spec.interfaceName() + "' does not exist (see 'ip -o link')";
            }
        }
        for (int i = 0; i < specs.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (specs.get(i).interfaceName().equals(specs.get(j).interfaceName())) {
                    return "interface '" + specs.get(i).interfaceName() + "' is given twice";
                }
            }
        }
        return null;
    }

    private static int serve(List<AfXdpSwitch.PortSpec> specs, XskConfig config, IdleMode idle, WorkerThread placement, long durationSeconds,
                             boolean quiet, PrintStream out) throws InterruptedException {
        boolean failed = false;
        try (StopOnSignal signal = new StopOnSignal("isthmus-fastpath-stop", Duration.ofSeconds(10))) { // until everything is detached
            try (AfXdpSwitch fastpath = AfXdpSwitch.start(specs, config, idle, placement)) {
            for (AfXdpInterface attached : fastpath.ports().interfaces()) {
                out.println("attached " + attached.describe());
            }
            out.println("fast path running (" + idle.name().toLowerCase(Locale.ROOT) + "); Ctrl-C or SIGTERM stops it");
            out.flush();
            final long deadlineNs = durationSeconds > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.min(durationSeconds, 100L * 365 * 86_400)) : Long.MAX_VALUE;
            while (!signal.await(1, TimeUnit.SECONDS)) {
                if (!quiet) {
                    printCounters(fastpath, out);
                }
                if (fastpath.workerError() != null) {
                    out.println("worker failed: " + fastpath.workerError());
                    failed = true;
                    break;
                }
                if (System.nanoTime() >= deadlineNs) {
                    break;
                }
            }
            out.print("final: ");
            printCounters(fastpath, out);
            printDropReasons(fastpath, out);
            } finally {
                out.println("detached: XDP links, programs, XSKMAPs, AF_XDP sockets and UMEM closed");
                out.flush();
            }
        }
        return failed ? 1 : 0;
    }

    private static void printCounters(AfXdpSwitch fastpath, PrintStream out) {
        final StringBuilder line = new StringBuilder();
        appendPortCounters(line, fastpath.ports().ports());
        final String reasons = fastpath.worker().drops().describe();
        line.append("drops ").append(fastpath.worker().drops().total()).append(reasons.isEmpty() ? "" : " " + reasons);
        out.println(line);
        out.flush();
    }

    /** Each port's counters as {@code isthmus fastpath} prints them ("NAME rx N tx N ... | "); also used with --services. */
    static void appendPortCounters(StringBuilder line, List<AfXdpPort> ports) {
        for (AfXdpPort port : ports) {
            final XskStatistics kernel = port.socket().statistics();
            line.append(String.format(Locale.ROOT, "%s rx %d tx %d drop %d txfull %d kicks %d | ", port.name(),
                    port.counters().get(Counter.RX_PACKETS), port.counters().get(Counter.TX_PACKETS),
                    port.counters().get(Counter.RX_DROPPED), port.counters().get(Counter.TX_RING_FULL),
                    port.counters().get(Counter.TX_KICKS)));
            final long gso = port.counters().get(Counter.RX_GSO_PACKETS);
            final long completed = port.counters().get(Counter.RX_CHECKSUMS_COMPLETED);
            final long oversize = port.counters().get(Counter.RX_OVERSIZE_DROPPED);
            if (gso + completed + oversize != 0) {
                line.setLength(line.length() - 3);
                line.append(String.format(Locale.ROOT, " gso %d->%d checksums %d oversize %d | ", gso,
                        port.counters().get(Counter.RX_GSO_SEGMENTS), completed, oversize));
            }
            final long whole = port.counters().get(Counter.RX_GSO_KEPT_WHOLE);
            final long vnetSends = port.counters().get(Counter.TX_VNET_SENDS);
            final long softwareGso = port.counters().get(Counter.TX_SOFTWARE_GSO_PACKETS);
            final long vnetFailed = port.counters().get(Counter.TX_VNET_FAILED);
            if (whole + vnetSends + softwareGso + vnetFailed != 0) {
                line.setLength(line.length() - 3);
                line.append(String.format(Locale.ROOT, " whole %d vnet %d->%d vnet-failed %d vnet-deferred %d tx-gso %d | ", whole,
                        vnetSends, port.counters().get(Counter.TX_VNET_SEGMENTS), vnetFailed,
                        port.counters().get(Counter.TX_VNET_DEFERRED), softwareGso));
            }
            if (vnetFailed != 0 && port.vnetLastErrno() != 0) {
                line.setLength(line.length() - 3);
                line.append(" (vnet last ").append(Errno.name(port.vnetLastErrno())).append(") | ");
            }
            if (port.kickErrors() != 0) {
                line.setLength(line.length() - 3);
                line.append(String.format(Locale.ROOT, " kick errors %d (last %s) | ", port.kickErrors(),
                        Errno.name(port.lastKickErrno())));
            }
            if (kernel.rxDropped() + kernel.rxRingFull() + kernel.rxFillRingEmptyDescs() + kernel.rxInvalidDescs()
                    + kernel.txInvalidDescs() != 0) {
                line.setLength(line.length() - 3);
                line.append(String.format(Locale.ROOT, " kernel: rx_dropped %d rx_ring_full %d fill_empty %d invalid %d/%d | ",
                        kernel.rxDropped(), kernel.rxRingFull(), kernel.rxFillRingEmptyDescs(),
                        kernel.rxInvalidDescs(), kernel.txInvalidDescs()));
            }
        }
    }

    private static void printDropReasons(AfXdpSwitch fastpath, PrintStream out) {
        final String reasons = fastpath.worker().drops().describe();
        out.println("drop reasons: " + (reasons.isEmpty() ? "none" : reasons));
    }
}
