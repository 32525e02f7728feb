package io.isthmus.cli;

import io.isthmus.fastpath.control.aeron.EmbeddedMediaDriver;
import io.isthmus.fastpath.control.compile.NodeSettings;
import io.isthmus.fastpath.runtime.FastpathRuntimeConfig;
import io.isthmus.fastpath.uplink.UplinkConfig;
import io.isthmus.fastpath.worker.IdleMode;
import io.isthmus.fastpath.worker.WorkerThread;
import io.isthmus.slowpath.agent.AgentConfig;
import io.isthmus.slowpath.agent.IsthmusAgent;
import io.isthmus.slowpath.agent.KubernetesSlowPath;
import io.isthmus.slowpath.k8s.ClusterWatch;
import io.isthmus.slowpath.agent.MetricsServer;
import io.isthmus.slowpath.agent.ReconcileLatency;
import io.isthmus.slowpath.agent.SlowPath;
import io.isthmus.slowpath.cni.Ipv4Cidr;
import io.isthmus.slowpath.ingress.IngressSettings;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code isthmus agent --pod-cidr CIDR}: one JVM hosting the node's fast path (runtime + Aeron
 * control server), the CNI server the cni-shim talks to, {@code /metrics} on loopback, and the
 * slow path's connection point, until SIGINT/SIGTERM (or {@code --duration}).
 */
public final class AgentCommand implements Subcommand {
    private static final String USAGE = """
            usage: isthmus agent --pod-cidr CIDR [options]
              --pod-cidr CIDR          the node's pod addresses, e.g. 10.244.1.0/24 (required)
              --cni-socket PATH        where the cni-shim connects (default /run/isthmus/cni.sock)
              --ipam-dir DIR           pod address allocations (default /var/lib/isthmus/ipam)
              --conntrack PATH         the conntrack table, kept across restarts (default /dev/shm/isthmus-conntrack)
              --aeron-dir DIR          the control channel's media driver (default: a unique /dev/shm/isthmus-aeron-*)
              --metrics-port N         /metrics on 127.0.0.1:N (default 9464; 0 any free port; -1 none)
              --node-name NAME         this node's name: endpoints on it are local (default: the host name)
              --node-ip ADDRESS        this node's address, for NodePorts and policy (repeatable)
              --kubeconfig FILE        watch this API server (informers -> reconciler -> fast-path tables)
              --in-cluster             watch the API server of the pod's service account
                                       (neither: no slow path; pods are switched by CNI alone)
              --idle adaptive|busy-spin|backoff|yield  what the worker does when idle (default adaptive:
                                       polls on while packets arrive, sleeps after 10-200 us without any;
                                       busy-spin: a core of its own, with --worker-cpu; backoff: sleeps after
                                       ~110 empty polls; yield: never sleeps, lets other runnable threads go first)
              --worker-nice N          the worker thread's nice value, -20..19 (default -5: ahead of the agent's
                                       own threads and the node's other processes when CPUs are short)
              --worker-cpu N           pin the worker thread to CPU N (default: any)
              --duration SECONDS       stop by itself after this long (default: until SIGINT/SIGTERM)
              --cluster-dns IP         the cluster DNS Service address answered by the fast path (default 10.96.0.10; 'none': off)
              --dns-upstreams PATH     resolv.conf naming the nameservers for other names (default /etc/resolv.conf)
              --uplink IFACE           the NIC outside traffic arrives on: NodePorts on the --node-ip addresses
                                       (and --uplink-service-cidr) enter the fast path there, replies leave
                                       there; everything else on IFACE stays the host's (needs --node-ip).
                                       One AF_XDP socket per RX queue IFACE has at start (ethtool -l);
                                       after 'ethtool -L' restart the agent
              --uplink-node-ports MIN-MAX   the NodePort range steered from the uplink (default 30000-32767)
              --uplink-service-cidr CIDR    externalIPs / LoadBalancer IPs steered from the uplink, every port (repeatable)
              --host-port NAME|none    the node's port on the fast path: host veth NAME (its other end NAMEfp), the pod
                                       CIDR routed through it from the first --node-ip, DNS over TCP on the cluster DNS
                                       address (default isthmus0 when --node-ip is given, else none)
              --ingress HTTP:HTTPS|none the Ingress proxy's ports on every address, serving the cluster's Ingresses of
                                       class isthmus (default 80:443 with --kubeconfig/--in-cluster; needs one of them)
            """;

    @Override
    public String name() {
        return "agent";
    }

    @Override
    public String summary() {
        return "run the node agent: fast path, CNI server, /metrics and the slow path's control channel";
    }

    @Override
    public int run(String[] args) throws Exception {
        return run(args, System.out, System.err, SlowPath.NONE);
    }

    /** {@link #run(String[])} with the output streams and the slow path given (tests, the k8s engineer's wiring). */
    int run(String[] args, PrintStream out, PrintStream err, SlowPath slowPath) throws Exception {
        Ipv4Cidr podCidr = null;
        Path cniSocket = AgentConfig.DEFAULT_CNI_SOCKET;
        Path ipam = AgentConfig.DEFAULT_IPAM_DIRECTORY;
        Path conntrack = AgentConfig.DEFAULT_CONNTRACK;
        Path aeron = EmbeddedMediaDriver.uniqueDirectory();
        int metricsPort = MetricsServer.DEFAULT_PORT;
        IdleMode idle = IdleMode.NODE_DEFAULT;
        WorkerThread placement = WorkerThread.NODE;
        long durationSeconds = 0;
        String nodeName = AgentConfig.hostName();
        final java.util.List<String> nodeIps = new java.util.ArrayList<>();
        Path kubeconfig = null;
        boolean inCluster = false;
        String clusterDnsIp = io.isthmus.slowpath.agent.dns.ClusterDnsConfig.DEFAULT_SERVICE_IP;
        Path dnsUpstreams = io.isthmus.slowpath.agent.dns.ClusterDnsConfig.DEFAULT_UPSTREAM_RESOLV_CONF;
        io.isthmus.slowpath.agent.dns.ClusterDnsConfig clusterDns;
        String uplinkInterface = null;
        String uplinkNodePorts = null;
        final List<String> uplinkServiceCidrs = new java.util.ArrayList<>();
        UplinkConfig uplink = null;
        String hostPortName = null;
        String ingressPorts = null;
        IngressSettings ingress = null;
        io.isthmus.slowpath.agent.host.HostPortConfig hostPort;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--pod-cidr" -> podCidr = Ipv4Cidr.parse(value(args, ++i, "--pod-cidr"));
                    case "--cni-socket" -> cniSocket = Path.of(value(args, ++i, "--cni-socket"));
                    case "--ipam-dir" -> ipam = Path.of(value(args, ++i, "--ipam-dir"));
                    case "--conntrack" -> conntrack = Path.of(value(args, ++i, "--conntrack"));
                    case "--aeron-dir" -> aeron = Path.of(value(args, ++i, "--aeron-dir"));
                    case "--metrics-port" -> metricsPort = parseInt(value(args, ++i, "--metrics-port"), -1, 65535, "--metrics-port");
                    case "--node-name" -> nodeName = value(args, ++i, "--node-name");
                    case "--node-ip" -> nodeIps.add(value(args, ++i, "--node-ip"));
                    case "--kubeconfig" -> kubeconfig = Path.of(value(args, ++i, "--kubeconfig"));
                    case "--in-cluster" -> inCluster = true;
                    case "--idle" -> idle = IdleMode.parse(value(args, ++i, "--idle"));
                    case "--worker-nice" -> placement = placement.withNice(WorkerThread.parseNice(value(args, ++i, "--worker-nice")));
                    case "--worker-cpu" -> placement = placement.withCpu(WorkerThread.parseCpu(value(args, ++i, "--worker-cpu")));
                    case "--cluster-dns" -> clusterDnsIp = value(args, ++i, "--cluster-dns");
                    case "--dns-upstreams" -> dnsUpstreams = Path.of(value(args, ++i, "--dns-upstreams"));
                    case "--uplink" -> uplinkInterface = value(args, ++i, "--uplink");
                    case "--uplink-node-ports" -> uplinkNodePorts = value(args, ++i, "--uplink-node-ports");
                    case "--uplink-service-cidr" -> uplinkServiceCidrs.add(value(args, ++i, "--uplink-service-cidr"));
                    case "--host-port" -> hostPortName = value(args, ++i, "--host-port");
                    case "--ingress" -> ingressPorts = value(args, ++i, "--ingress");
                    case "--duration" -> durationSeconds = parseInt(value(args, ++i, "--duration"), 1, Integer.MAX_VALUE, "--duration");
                    case "-h", "--help" -> {
                        out.print(USAGE);
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
                }
            }
            if (podCidr == null) {
                throw new IllegalArgumentException("--pod-cidr is required (the node's pod addresses, e.g. 10.244.1.0/24)");
            }
            if (kubeconfig != null && inCluster) {
                throw new IllegalArgumentException("--kubeconfig and --in-cluster exclude each other");
            }
            if (kubeconfig != null && !java.nio.file.Files.isReadable(kubeconfig)) {
                throw new IllegalArgumentException("kubeconfig " + kubeconfig + " does not exist or cannot be read");
            }
            if (uplinkInterface == null && (uplinkNodePorts != null || !uplinkServiceCidrs.isEmpty())) {
                throw new IllegalArgumentException("--uplink-node-ports and --uplink-service-cidr need --uplink IFACE");
            }
            if (uplinkInterface != null) {
                if (nodeIps.isEmpty() && uplinkServiceCidrs.isEmpty()) {
                    throw new IllegalArgumentException("--uplink " + uplinkInterface + " needs --node-ip (the address its NodePorts"
                            + " are on) or --uplink-service-cidr");
                }
                uplink = UplinkConfig.parse(uplinkInterface, nodeIps, uplinkNodePorts, uplinkServiceCidrs);
            }
            clusterDns = "none".equals(clusterDnsIp) ? null
                    : new io.isthmus.slowpath.agent.dns.ClusterDnsConfig(clusterDnsIp, 53, dnsUpstreams);
            if (hostPortName == null) {
                hostPortName = nodeIps.isEmpty() ? "none" : io.isthmus.slowpath.agent.host.HostPortConfig.DEFAULT_HOST_IFNAME;
            } else if (!"none".equals(hostPortName) && nodeIps.isEmpty()) {
                throw new IllegalArgumentException("--host-port " + hostPortName + " needs --node-ip (the source pods see the node as)");
            }
            if (ingressPorts != null && !"none".equals(ingressPorts) && kubeconfig == null && !inCluster) {
                throw new IllegalArgumentException("--ingress " + ingressPorts + " needs --kubeconfig or --in-cluster (the Ingresses come from the API server)");
            }
            if (kubeconfig != null || inCluster) {
                ingress = AgentIngress.settings(ingressPorts == null ? AgentIngress.DEFAULT_PORTS : ingressPorts, nodeIps);
            }
            hostPort = "none".equals(hostPortName) ? null : io.isthmus.slowpath.agent.host.HostPortConfig.named(hostPortName);
        } catch (IllegalArgumentException e) {
            err.println("isthmus agent: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        final String problem = FastpathCommand.environmentProblem(List.of());
        if (problem != null) {
            err.println("isthmus agent: " + problem);
            return 1;
        }
        final AgentConfig defaults = AgentConfig.defaults(podCidr);
        final FastpathRuntimeConfig runtime = FastpathRuntimeConfig.defaults(conntrack).withIdleMode(idle).withWorkerThread(placement);
        final AgentConfig config = new AgentConfig(runtime, aeron, cniSocket, ipam, podCidr, metricsPort, defaults.portTimeout(),
                new NodeSettings(nodeName, nodeIps, null), clusterDns, hostPort);
        return serve(config, kubeconfig != null || inCluster ? watching(kubeconfig, nodeName) : slowPath, durationSeconds, uplink,
                ingress == null ? null : new AgentIngress(kubeconfig, ingress), out, err);
    }

    /** The slow path over the API server of {@code kubeconfig} (null: in-cluster config). */
    private static SlowPath watching(Path kubeconfig, String nodeName) {
        return new KubernetesSlowPath(() -> {
            try {
                return ClusterWatch.client(kubeconfig);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, nodeName);
    }

    static int parseInt(String text, int min, int max, String option) {
        try {
            final int value = Integer.parseInt(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " wants a number in " + min + ".." + max + ", got '" + text + "'");
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int serve(AgentConfig config, SlowPath slowPath, long durationSeconds, UplinkConfig uplink, AgentIngress ingress,
                             PrintStream out, PrintStream err) throws Exception {
        int exit = 0;
        try (StopOnSignal signal = new StopOnSignal("isthmus-agent-stop", Duration.ofSeconds(20))) { // until every port is detached
            try (IsthmusAgent agent = IsthmusAgent.start(config, slowPath, new ReconcileLatency())) {
                out.println("isthmus agent running: pods from " + config.podCidr() + ", CNI socket " + config.cniSocket()
                        + ", control channel " + agent.fastpath().aeronDirectory()
                        + (agent.metrics() == null ? "" : ", metrics http://127.0.0.1:" + agent.metrics().port() + "/metrics")
                        + ", conntrack " + config.runtime().conntrack().path());
                if (uplink != null) {
                    try {
                        out.println("uplink " + agent.runtime().attachUplink(uplink).describe());
                        // health-check node ports stay the host's; externalIPs and LB IPs of the Services are steered
                        agent.services().compileCycle().alsoTell(agent.runtime().uplink()::follow);
                    } catch (RuntimeException e) {
                        err.println("isthmus agent: cannot attach the uplink " + uplink.interfaceName() + ": " + e.getMessage());
                        return 1;
                    }
                }
                if (ingress != null) {
                    try {
                        out.println("ingress " + ingress.start());
                    } catch (RuntimeException e) {
                        err.println("isthmus agent: cannot start the Ingress proxy: " + e.getMessage());
                        return 1;
                    }
                }
                out.println("Ctrl-C or SIGTERM stops it");
                out.flush();
                final long deadlineNs = durationSeconds > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(durationSeconds) : Long.MAX_VALUE;
                while (!signal.await(1, TimeUnit.SECONDS)) {
                    if (agent.runtime().workerError() != null) {
                        out.println("worker failed: " + agent.runtime().workerError());
                        exit = 1;
                        break;
                    }
                    if (System.nanoTime() >= deadlineNs) {
                        break;
                    }
                }
                if (ingress != null) {
                    ingress.close();
                }
                out.println("stopping: " + agent.runtime().ports().attached().size() + " ports attached; drops "
                        + agent.runtime().worker().drops().total());
                if (agent.runtime().uplink().attached() != null) {
                    out.println("uplink queues: " + agent.runtime().uplink().describeQueues());
                }
            } finally {
                if (ingress != null) {
                    ingress.close();
                }
                out.println("stopped: ports detached, CNI socket removed, control channel closed");
                out.flush();
            }
        }
        return exit;
    }
}
