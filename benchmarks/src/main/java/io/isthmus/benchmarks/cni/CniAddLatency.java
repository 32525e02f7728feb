package io.isthmus.benchmarks.cni;

import io.isthmus.cli.InstallCniCommand;
import io.isthmus.slowpath.cni.CniHandler;
import io.isthmus.slowpath.cni.CniServer;
import io.isthmus.slowpath.cni.FastpathPorts;
import io.isthmus.slowpath.cni.IpamStore;
import io.isthmus.slowpath.cni.Ipv4Cidr;
import io.isthmus.slowpath.cni.NetlinkPodNetworkBackend;

import io.isthmus.fastpath.control.aeron.EmbeddedMediaDriver;
import io.isthmus.fastpath.control.compile.NodeSettings;
import io.isthmus.fastpath.runtime.FastpathRuntimeConfig;
import io.isthmus.slowpath.agent.AgentConfig;
import io.isthmus.slowpath.agent.IsthmusAgent;
import io.isthmus.slowpath.agent.ReconcileLatency;
import io.isthmus.slowpath.agent.SlowPath;

import java.net.Inet4Address;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * CNI ADD and DEL end to end, as a container runtime sees them: the installed plugin
 * ({@code isthmus install-cni}) is executed with the CNI environment and the configuration on
 * stdin, so each call includes the JVM start of the shim, the relay to the agent, IPAM and every
 * netlink operation in the pod's namespace. The agent's CNI server runs in this process with the
 * real netlink backend; attaching the host veth to a fast path is not part of the figure (no
 * worker runs here). Needs root.
 *
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED \
 *        -cp "benchmarks/target/classes:slowpath/target/slowpath.jar:slowpath/target/lib/*" \
 *        io.isthmus.benchmarks.cni.CniAddLatency [ITERATIONS]
 * </pre>
 * (the launcher's class path, not the shaded benchmarks jar: {@code install} copies the jar that
 * holds the shim, and a user's plugin is the small cni-shim jar.)
 * <pre>
 * </pre>
 */
public final class CniAddLatency {

    /** The fast path is not measured here: attaching is a no-op. */
    private static final class NoWorker implements FastpathPorts {
        @Override
        public void attach(String hostIfName, Inet4Address podAddress, String podMac) {
        }

        @Override
        public void detach(String hostIfName) {
        }

        @Override
        public boolean isAttached(String hostIfName) {
            return true;
        }

        @Override
        public Optional<String> unavailableReason() {
            return Optional.empty();
        }
    }

    /**
     * {@code [ITERATIONS] [--agent]}: with {@code --agent} the calls go to a whole
     * {@link IsthmusAgent} (fast path running), so ADD includes opening the AF_XDP socket, loading
     * and linking the XDP program and the worker taking the port, and DEL the detach.
     */
    public static void main(String[] args) throws Exception {
        final int iterations = args.length > 0 && !args[0].startsWith("--") ? Integer.parseInt(args[0]) : 30;
        final boolean withAgent = Arrays.asList(args).contains("--agent");
        final Path work = Files.createTempDirectory("isthmus-cni-bench");
        final String namespace = "isx-cnibench-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 16));
        final Path conntrack = Path.of("/dev/shm", "isthmus-cni-bench-ct-" + Integer.toHexString(ThreadLocalRandom.current().nextInt()));
        run("ip", "netns", "add", namespace);
        try (AutoCloseable server = withAgent
                ? IsthmusAgent.start(new AgentConfig(FastpathRuntimeConfig.small(conntrack), EmbeddedMediaDriver.uniqueDirectory(),
                        work.resolve("cni.sock"), work.resolve("ipam"), Ipv4Cidr.parse("10.244.200.0/24"), -1,
                        Duration.ofSeconds(10), NodeSettings.of("bench", "192.0.2.10")), SlowPath.NONE, new ReconcileLatency())
                : CniServer.start(work.resolve("cni.sock"), new CniHandler(
                        new IpamStore(work.resolve("ipam"), Ipv4Cidr.parse("10.244.200.0/24")), new NetlinkPodNetworkBackend(new NoWorker())))) {
            final Path socket = work.resolve("cni.sock");
            final Path plugin = InstallCniCommand.install(work.resolve("bin"));
            final String config = "{\"cniVersion\":\"1.1.0\",\"name\":\"bench\",\"type\":\"isthmus\"}";
            final long[] addNs = new long[iterations];
            final long[] delNs = new long[iterations];
            for (int i = 0; i < iterations; i++) {
                addNs[i] = invoke(plugin, socket, "ADD", namespace, config);
                delNs[i] = invoke(plugin, socket, "DEL", namespace, config);
            }
            final String what = withAgent ? " with the agent's fast path attaching" : "";
            System.out.printf(Locale.ROOT, "CNI ADD (JVM start included%s): %s%n", what, percentiles(addNs));
            System.out.printf(Locale.ROOT, "CNI DEL (JVM start included%s): %s%n", what, percentiles(delNs));
        } finally {
            run("ip", "netns", "del", namespace);
            Files.deleteIfExists(conntrack);
        }
    }

    private static long invoke(Path plugin, Path socket, String command, String namespace, String config) throws Exception {
        final ProcessBuilder builder = new ProcessBuilder(plugin.toString()).redirectErrorStream(true);
        builder.environment().put("ISTHMUS_CNI_SOCKET", socket.toString());
        builder.environment().put("CNI_COMMAND", command);
        builder.environment().put("CNI_CONTAINERID", "bench");
        builder.environment().put("CNI_NETNS", "/var/run/netns/" + namespace);
        builder.environment().put("CNI_IFNAME", "eth0");
        builder.environment().put("CNI_PATH", plugin.getParent().toString());
        final long start = System.nanoTime();
        final Process process = builder.start();
        process.getOutputStream().write(config.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(command + " failed: " + output);
        }
        return System.nanoTime() - start;
    }

    private static String percentiles(long[] ns) {
        final long[] sorted = ns.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "p50 %.1f ms, p90 %.1f ms, max %.1f ms over %d calls",
                sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.9)] / 1e6, sorted[sorted.length - 1] / 1e6, sorted.length);
    }

    private static void run(String... command) throws Exception {
        final Process process = new ProcessBuilder(command).inheritIO().start();
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed");
        }
    }
}
