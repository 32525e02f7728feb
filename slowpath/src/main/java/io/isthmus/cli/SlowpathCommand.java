package io.isthmus.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.isthmus.fastpath.control.DesiredStateTables;
import io.isthmus.fastpath.control.FastpathControl;
import io.isthmus.fastpath.control.FastpathTables;
import io.isthmus.fastpath.control.aeron.AeronFastpathControl;
import io.isthmus.fastpath.control.aeron.ControlEventListener;
import io.isthmus.fastpath.control.compile.AppliedChanges;
import io.isthmus.fastpath.control.compile.NodeSettings;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.slowpath.k8s.ClusterWatch;
import io.isthmus.slowpath.reconcile.DesiredRecords;
import io.isthmus.slowpath.reconcile.LocalTablesControl;
import io.isthmus.slowpath.reconcile.Reconciler;
import io.isthmus.slowpath.reconcile.TablesDump;

import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code isthmus slowpath}: the slow path as its own process. It watches an API server (a
 * kubeconfig, or the in-cluster service account) and sends the fast path its desired records over
 * the control channel; the fast path keeps forwarding when this process restarts, and the
 * resynchronisation at start removes what changed meanwhile.
 *
 * <p>{@code --control local} compiles the tables in this process instead (no fast path needed):
 * it logs one line per publication, and with {@code --once} prints the compiled tables after
 * the first synchronisation and exits, a dry run of what the fast path would get.
 */
public final class SlowpathCommand implements Subcommand {
    private static final System.Logger LOG = System.getLogger(SlowpathCommand.class.getName());
    static final String USAGE = """
            usage: isthmus slowpath [--kubeconfig FILE] [--node NAME] [--control aeron:ipc --aeron-dir DIR | --control local [--node-ip ADDR]... [--once]]
              --kubeconfig FILE  the API server to watch (default: in-cluster service account, else ~/.kube/config)
              --node NAME        this node's name: its pods' policies are enforced here (default: the host name)
              --control aeron:ipc  send desired records to the fast path whose Aeron media driver is in --aeron-dir (the default)
              --control local    compile the tables in this process and report each publication (no fast path)
              --node-ip ADDR     with local: this node's addresses (NodePorts listen on them)
              --once             with local: print the tables after the first synchronisation and exit
            Runs until SIGTERM / Ctrl-C. Exit: 0 done, 1 failure at run time, 2 bad usage.""";

    private final PrintStream out;
    private final PrintStream err;

    public SlowpathCommand() {
        this(System.out, System.err);
    }

    SlowpathCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public String name() {
        return "slowpath";
    }

    @Override
    public String summary() {
        return "watch an API server and send the fast path its tables (informers, reconciler)";
    }

    record Options(Path kubeconfig, String node, String control, Path aeronDir, List<String> nodeIps, boolean once) {
    }

    static Options parse(String[] args) {
        Path kubeconfig = null;
        String node = null;
        String control = "aeron:ipc";
        Path aeronDir = null;
        final List<String> nodeIps = new ArrayList<>();
        boolean once = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--kubeconfig" -> kubeconfig = Path.of(CliArgs.value(args, ++i, "--kubeconfig"));
                case "--node" -> node = CliArgs.value(args, ++i, "--node");
                case "--control" -> control = CliArgs.value(args, ++i, "--control");
                case "--aeron-dir" -> aeronDir = Path.of(CliArgs.value(args, ++i, "--aeron-dir"));
                case "--node-ip" -> nodeIps.add(CliArgs.value(args, ++i, "--node-ip"));
                case "--once" -> once = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (!control.equals("aeron:ipc") && !control.equals("local")) {
            throw new IllegalArgumentException("--control must be aeron:ipc or local, not '" + control + "'");
        }
        if (control.equals("aeron:ipc") && aeronDir == null) {
            throw new IllegalArgumentException("--control aeron:ipc needs --aeron-dir (the fast path's Aeron directory)");
        }
        if (once && !control.equals("local")) {
            throw new IllegalArgumentException("--once needs --control local");
        }
        for (String ip : nodeIps) {
            try {
                InetAddress.ofLiteral(ip);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--node-ip '" + ip + "' is not an IP address");
            }
        }
        return new Options(kubeconfig, node, control, aeronDir, nodeIps, once);
    }

    @Override
    public int run(String[] args) throws Exception {
        final Options options = CliArgs.parseOrExplain(err, "slowpath", USAGE, () -> parse(args));
        if (options == null) {
            return CliArgs.USAGE_EXIT;
        }
        final String node = options.node() != null ? options.node() : InetAddress.getLocalHost().getHostName();
        final CountDownLatch stop = new CountDownLatch(1);
        final Thread hook = new Thread(stop::countDown, "isthmus-slowpath-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        final AtomicReference<String> firstDump = new AtomicReference<>();
        final FastpathControl control;
        final Runnable afterBatch;
        if (options.control().equals("local")) {
            final DesiredStateTables tables = new DesiredStateTables(FastpathTables.empty(new RouteTableRef(RouteTable.empty())),
                    new NodeSettings(node, options.nodeIps(), null));
            final LocalTablesControl local = new LocalTablesControl(tables, changes -> report(changes, tables, options.once(), firstDump, stop));
            control = local;
            afterBatch = local::applyPending;
        } else {
            control = AeronFastpathControl.connect(options.aeronDir(), Duration.ofSeconds(10), new ControlEventListener() {
            });
            afterBatch = () -> { };
        }
        try (control;
             KubernetesClient client = ClusterWatch.client(options.kubeconfig());
             ClusterWatch watch = new ClusterWatch(client);
             Reconciler reconciler = new Reconciler(watch, control, new DesiredRecords(node), afterBatch).start()) {
            if (!watch.start(Duration.ofSeconds(30))) {
                LOG.log(System.Logger.Level.WARNING, "the API server did not answer a list within 30 s; still trying",
                        "server", watch.client().getMasterUrl());
            } else {
                LOG.log(System.Logger.Level.INFO, "watching", "server", watch.client().getMasterUrl(), "node", node, "control", options.control());
            }
            if (options.once()) {
                if (!stop.await(60, TimeUnit.SECONDS)) {
                    LOG.log(System.Logger.Level.ERROR, "no synchronisation within 60 s");
                    return 1;
                }
                out.print(firstDump.get());
                return 0;
            }
            stop.await();
            return 0;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is already stopping
            }
        }
    }

    private void report(AppliedChanges changes, DesiredStateTables tables, boolean once, AtomicReference<String> firstDump, CountDownLatch stop) {
        LOG.log(System.Logger.Level.INFO, "published", "services", changes.serviceGeneration(), "policies", changes.policyGeneration(),
                "dns_serial", changes.zoneSerial(), "compile_ms", String.format("%.1f", changes.compileNs() / 1e6));
        changes.warnings().forEach(warning -> LOG.log(System.Logger.Level.WARNING, "compile warning", "warning", warning));
        if (once && firstDump.get() == null) {
            firstDump.set(TablesDump.of(tables));
            stop.countDown();
        }
    }
}
