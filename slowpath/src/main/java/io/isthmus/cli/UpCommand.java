package io.isthmus.cli;

import io.isthmus.fastpath.linux.Libc;
import io.isthmus.fastpath.worker.IdleMode;
import io.isthmus.fastpath.worker.WorkerThread;
import io.isthmus.slowpath.up.KernelRoutes;
import io.isthmus.slowpath.up.NetworkNamespaces;
import io.isthmus.slowpath.up.PodStartBackoff;
import io.isthmus.slowpath.up.Teardown;
import io.isthmus.slowpath.up.UpAgent;
import io.isthmus.slowpath.up.UpAgents;
import io.isthmus.slowpath.up.UpSession;
import io.isthmus.slowpath.up.UpState;
import io.isthmus.slowpath.up.UpUplink;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code isthmus up [-f DIR] [--detach]}: the embedded default. Starts the agent with its API
 * server on loopback, loads DIR (default {@code examples/demo}) into it and runs each Pod of DIR in
 * a network namespace wired through the CNI plugin ({@link UpSession}). In the foreground it runs
 * until SIGINT/SIGTERM and then tears everything down; with {@code --detach} it starts the same
 * session as a background process and returns once every pod runs and the tables are programmed.
 */
public final class UpCommand implements Subcommand {
    private static final String USAGE = """
            usage: isthmus up [-f DIR] [--detach] [--uplink IFACE] [--idle adaptive|busy-spin|backoff|yield] [--worker-nice N] [--worker-cpu N]
              -f DIR      a directory (or file) of Kubernetes YAML (default: examples/demo)
              --detach    return once everything runs; 'isthmus down' stops it
              --uplink IFACE   attach the NIC IFACE as the node's uplink (default none: up never takes a NIC
                          unasked; ISTHMUS_UP_UPLINK=IFACE too): NodePorts on its IPv4 addresses and the
                          Services' externalIPs / LoadBalancer IPs answer from outside the node through
                          the fast path; the host keeps the rest of its traffic. It is detached when the
                          session ends (a crashed one's goes with its process)
              --idle adaptive|busy-spin|backoff|yield   what the fast-path worker does when idle (default
                          adaptive: polls on while packets arrive, sleeps after 10-200 us without any;
                          busy-spin keeps one core busy: for a machine that can give it one, with
                          --worker-cpu; backoff sleeps after ~110 empty polls; yield never sleeps
                          but lets any other runnable thread go first)
              --worker-nice N   the worker thread's nice value, -20..19 (default %d: ahead of the
                          agent's own threads and the pods when CPUs are short)
              --worker-cpu N    pin the worker thread to CPU N (default: any)
            State (pids, kubeconfig, pod logs) goes to /run/isthmus/up (ISTHMUS_UP_STATE overrides).
            A pod that does not start is tried again after 10 s, doubling up to 5 min, while it exists
            (ISTHMUS_UP_POD_BACKOFF_MS=INITIAL_MS:MAX_MS); one that cannot run at all is Failed.
            A container command that exits is restarted by the pod's restartPolicy (Always, the default:
            any exit; OnFailure: a non-zero one; Never: not, the pod ends Succeeded on exit 0, else Failed)
            after the same backoff (CrashLoopBackOff meanwhile; reset after 10 min of running).
            The Ingress proxy listens on ports 8080/8443 (ISTHMUS_INGRESS_HTTP_PORT, ISTHMUS_INGRESS_HTTPS_PORT); the
            node's host port is isthmus0 (ISTHMUS_HOST_PORT=NAME|none), routes the pod CIDR 10.244.0.0/24
            (ISTHMUS_UP_POD_CIDR) and carries the cluster DNS address 10.96.0.10 (ISTHMUS_UP_CLUSTER_DNS).
            A second session on one machine needs its own ISTHMUS_UP_STATE and these five;
            it is refused, naming each one taken, before it makes anything.
            cluster DNS forwards other names to the nameservers of /etc/resolv.conf (ISTHMUS_DNS_UPSTREAMS: another file).
            """;
    private static final String HELP = USAGE.formatted(WorkerThread.NODE_NICE);
    private static final String SESSION_FLAG = "--session"; // the detached process itself
    private static final long DETACH_TIMEOUT_SECONDS = 300;

    private final UpAgent.Launcher launcher;
    private IdleMode idle = IdleMode.NODE_DEFAULT;
    private WorkerThread workerThread = WorkerThread.NODE;
    /** The interface to attach as the uplink, null for none. */
    private String uplink;

    public UpCommand() {
        this(null);
    }

    /** @param launcher the agent to start; null for the real one ({@link UpAgents#embedded}) */
    UpCommand(UpAgent.Launcher launcher) {
        this.launcher = launcher;
    }

    @Override
    public String name() {
        return "up";
    }

    @Override
    public String summary() {
        return "run a directory of Kubernetes YAML on this node (default examples/demo); Ctrl-C or 'down' ends it";
    }

    @Override
    public int run(String[] args) throws Exception {
        Path dir = defaultDirectory();
        boolean detach = false;
        boolean session = false;
        IdleMode idle = IdleMode.NODE_DEFAULT;
        WorkerThread workerThread = WorkerThread.NODE;
        final List<String> fastpathOptions = new ArrayList<>(); // given again to the detached session
        String uplink = System.getenv(UpUplink.ENV) == null || System.getenv(UpUplink.ENV).isBlank() ? null : System.getenv(UpUplink.ENV).strip();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--idle", "--worker-nice", "--worker-cpu" -> {
                    if (i + 1 == args.length) {
                        System.err.println("isthmus up: " + args[i] + " needs a value");
                        return 2;
                    }
                    final String option = args[i];
                    final String value = args[++i];
                    try {
                        switch (option) {
                            case "--idle" -> idle = IdleMode.parse(value);
                            case "--worker-nice" -> workerThread = workerThread.withNice(WorkerThread.parseNice(value));
                            default -> workerThread = workerThread.withCpu(WorkerThread.parseCpu(value));
                        }
                    } catch (IllegalArgumentException e) {
                        System.err.println("isthmus up: " + e.getMessage());
                        return 2;
                    }
                    fastpathOptions.add(option);
                    fastpathOptions.add(value);
                }
                case "-f", "--filename" -> {
                    if (i + 1 == args.length) {
                        System.err.println("isthmus up: -f needs a directory");
                        return 2;
                    }
                    dir = Path.of(args[++i]);
                }
                case "--detach", "-d" -> detach = true;
                case "--uplink" -> {
                    if (i + 1 == args.length || args[i + 1].isBlank()) {
                        System.err.println("isthmus up: --uplink needs an interface name");
                        return 2;
                    }
                    uplink = args[++i];
                }
                case SESSION_FLAG -> session = true;
                case "-h", "--help" -> {
                    System.out.print(HELP);
                    return 0;
                }
                default -> {
                    System.err.println("isthmus up: unknown option '" + args[i] + "'");
                    System.err.print(HELP);
                    return 2;
                }
            }
        }
        dir = dir.toAbsolutePath().normalize();
        if (!Files.exists(dir)) {
            System.err.println("isthmus up: no such file or directory: " + dir);
            return 2;
        }
        if (Libc.geteuid() != 0) {
            System.err.println("isthmus up: must run as root: it makes network namespaces, veths and XDP attachments");
            return 1;
        }
        final UpState state = UpState.fromEnvironment();
        if (!session) {
            final Optional<ProcessHandle> running = state.sessionProcess();
            if (running.isPresent()) {
                System.err.println("isthmus up: already up (pid " + running.get().pid() + ", state " + state.dir() + "); run 'isthmus down' first");
                return 1;
            }
            if (Files.exists(state.dir())) {
                System.err.println("isthmus up: removing what an earlier 'up' left in " + state.dir());
                Teardown.down(state, System.err, System.err);
            }
        }
        this.idle = idle;
        this.workerThread = workerThread;
        this.uplink = uplink;
        if (uplink != null) {
            fastpathOptions.add("--uplink");
            fastpathOptions.add(uplink);
        }
        return detach && !session ? detach(dir, state, fastpathOptions) : foreground(dir, state, System.out, System.err);
    }

    private static Path defaultDirectory() {
        final String home = System.getProperty("isthmus.home");
        return (home == null ? Path.of(".") : Path.of(home)).resolve("examples/demo");
    }

    /** Runs the session in this process until SIGINT/SIGTERM. */
    int foreground(Path dir, UpState state, PrintStream out, PrintStream err) throws Exception {
        state.createDirectories();
        InstallCniCommand.install(state.cniBinDir());
        final AtomicReference<UpSession> current = new AtomicReference<>();
        final CountDownLatch tornDown = new CountDownLatch(1);
        final Thread hook = new Thread(() -> {
            final UpSession session = current.getAndSet(null);
            if (session != null) {
                err.println("isthmus up: tearing down");
                session.close();
                err.println("isthmus up: everything removed");
            }
            tornDown.countDown();
        }, "isthmus-up-teardown");
        Runtime.getRuntime().addShutdownHook(hook);
        final UpSession session;
        try {
            final String node = nodeName();
            final String hostIp = hostAddress();
            session = UpSession.start(new UpSession.Options(dir, node, hostIp, NetworkNamespaces.PREFIX, PodStartBackoff.fromEnvironment()), state,
                    launcher != null ? launcher : UpAgents.embedded(node, hostIp, idle, workerThread, uplink), out, err);
        } catch (Exception e) {
            Runtime.getRuntime().removeShutdownHook(hook);
            err.println("isthmus up: " + e.getMessage());
            if (System.getenv("ISTHMUS_DEBUG") != null) {
                e.printStackTrace(err);
            }
            return 1;
        }
        current.set(session);
        out.print(session.summaryText());
        out.println("Ctrl-C (or 'isthmus down') tears everything down.");
        out.flush();
        tornDown.await(); // the shutdown hook ends this process
        return 0;
    }

    /** Starts this command again as a background session and waits for its ready file. */
    private static int detach(Path dir, UpState state, List<String> fastpathOptions) throws IOException, InterruptedException {
        Files.createDirectories(state.dir());
        final List<String> command = new ArrayList<>(List.of("setsid", ProcessHandle.current().info().command().orElse("java")));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "up", "-f", dir.toString(), SESSION_FLAG));
        command.addAll(fastpathOptions);
        final Process child = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(state.sessionLog().toFile()))
                .start();
        // held open from here: a session that fails removes its state directory, log included, and
        // this descriptor still reads what it wrote (why it failed)
        try (java.io.InputStream log = Files.newInputStream(state.sessionLog())) {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DETACH_TIMEOUT_SECONDS);
            while (System.nanoTime() < deadline) {
                if (Files.exists(state.readyFile())) {
                    final String summary = Files.readString(state.readyFile());
                    System.out.print(summary);
                    System.out.println("running in the background (pid " + child.pid() + ", log " + state.sessionLog() + "); 'isthmus down' stops it");
                    // some pods did not start (for good, or not yet): say so in the exit code too
                    return summary.contains("  FAILED ") || summary.contains("  WAITING ") ? 1 : 0;
                }
                if (!child.isAlive()) {
                    System.err.println("isthmus up: the session ended before it was ready (exit " + child.exitValue() + "):");
                    final String written = new String(log.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                    System.err.print(written.isEmpty() ? "(nothing in its log)\n" : written);
                    return 1;
                }
                Thread.sleep(200);
            }
        }
        System.err.println("isthmus up: not ready after " + DETACH_TIMEOUT_SECONDS + " s; see " + state.sessionLog() + ", then 'isthmus down'");
        return 1;
    }

    private static String nodeName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /**
     * The node's address: the IPv4 address of the interface of the default route (what NodePorts
     * answer on and pods' status.hostIP shows); 127.0.0.1 when there is none.
     */
    static String hostAddress() {
        try {
            String defaultInterface = null;
            for (KernelRoutes.Route route : KernelRoutes.read()) {
                if (route.destination() == 0) {
                    defaultInterface = route.device();
                    break;
                }
            }
            final NetworkInterface nic = defaultInterface == null ? null : NetworkInterface.getByName(defaultInterface);
            if (nic != null) {
                for (InetAddress address : java.util.Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address) {
                        return address.getHostAddress();
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through: no usable default route
        }
        return "127.0.0.1";
    }
}
