package io.isthmus.cli;

import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.pktgen.FlowTemplates;
import io.isthmus.fastpath.pktgen.PacketGenerator;
import io.isthmus.fastpath.pktgen.PacketSink;
import io.isthmus.fastpath.pktgen.PktgenConfig;
import io.isthmus.fastpath.pktgen.SinkIdleStrategy;
import io.isthmus.fastpath.xsk.AfXdpPortSet;
import io.isthmus.fastpath.xsk.XskConfig;
import io.isthmus.slowpath.netlink.Link;
import io.isthmus.slowpath.netlink.Netns;
import io.isthmus.slowpath.netlink.Route;
import io.isthmus.slowpath.netlink.RouteNetlink;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * {@code isthmus pktgen}: a packet generator on AF_XDP in the manner of DPDK's pktgen, run from a
 * pod's network namespace. It sends 64- to 1518-byte UDP or TCP SYN frames over N flows for a
 * fixed time at the highest rate it can (or a set rate) and reports packets a second; with
 * {@code --rx} it is the sink instead and counts what arrives.
 *
 * <pre>
 *   isthmus pktgen --netns POD [--dev eth0] --dst-ip ADDR [--size 64] [--proto udp|syn] [--flows 1]
 *                  [--duration 10] [--rate PPS] [--dst-port 9] [--src-ip ADDR] [--dst-mac MAC]
 *   isthmus pktgen --rx --netns POD [--dev eth0] [--duration 10] [--dst-port 9|0]
 * </pre>
 *
 * The source address and MAC default to the device's; the destination MAC to the neighbour entry
 * of the device's default gateway. The last line is a summary of {@code key=value} fields for
 * scripts.
 */
public final class PktgenCommand implements Subcommand {
    private static final String USAGE = """
            usage: isthmus pktgen --netns POD [--dev eth0] --dst-ip ADDR [--size 64] [--proto udp|syn] [--flows 1]
                                  [--duration 10] [--rate PPS] [--dst-port 9] [--src-ip ADDR] [--dst-mac MAC] [--idle spin|backoff]
                   isthmus pktgen --rx --netns POD [--dev eth0] [--duration 10] [--dst-port 9|0] [--idle spin|backoff|batch]

            --rate PPS: send at most PPS x elapsed in total; after a stall at most 1 ms of the rate (at
            least 64 frames) at once, the rest of the stall's frames skipped, not sent as a burst.
            --idle batch (sinks only): poll again at once after a full batch, else park 200 µs
            (up to 1 ms while nothing comes), so a sink wakes a few thousand times a second.""";

    @Override
    public String name() {
        return "pktgen";
    }

    @Override
    public String summary() {
        return "AF_XDP packet generator (and --rx sink) run from a pod's network namespace";
    }

    private record Options(Path netns, String dev, boolean rx, String dstIp, String srcIp, String dstMac, int size,
                           PktgenConfig.Protocol protocol, int flows, long durationMs, long ratePps, int dstPort, Idle idle) {
    }

    @Override
    public int run(String[] args) throws Exception {
        final Options options = CliArgs.parseOrExplain(System.err, "pktgen", USAGE, () -> parse(args));
        if (options == null) {
            return CliArgs.USAGE_EXIT;
        }
        final Endpoint endpoint = Netns.run(options.netns(), () -> Endpoint.open(options));
        final CountDownLatch finished = new CountDownLatch(1);
        final Thread main = Thread.currentThread();
        final Thread hook = new Thread(() -> {
            main.interrupt();
            try {
                finished.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try (Arena arena = Arena.ofConfined(); AfXdpPortSet ports = endpoint.ports()) {
            System.err.println("pktgen: " + ports.interfaces().getFirst().describe());
            return options.rx() ? sink(options, ports) : generate(options, endpoint, ports, arena);
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it waits for us
            }
        }
    }

    /** What was opened inside the pod's namespace: the port, and the addresses found there. */
    private record Endpoint(AfXdpPortSet ports, long srcMac, int srcIp, long dstMac) {
        static Endpoint open(Options options) {
            try (RouteNetlink netlink = new RouteNetlink()) {
                final Link link = netlink.link(options.dev())
                        .orElseThrow(() -> new IllegalArgumentException("no device " + options.dev() + " in " + options.netns()));
                int srcIp = 0;
                long dstMac = 0;
                if (!options.rx()) {
                    srcIp = options.srcIp() != null ? Ipv4Address.parse(options.srcIp()) : netlink.addresses(link.index()).stream()
                            .findFirst().map(a -> Ipv4Address.parse(a.substring(0, a.indexOf('/'))))
                            .orElseThrow(() -> new IllegalArgumentException(options.dev() + " has no IPv4 address; give --src-ip"));
                    dstMac = options.dstMac() != null ? MacAddress.parse(options.dstMac()) : gatewayMac(netlink, link);
                }
                final long srcMac = MacAddress.parse(link.mac()); // before anything is attached
                final AfXdpPortSet ports = AfXdpPortSet.open(List.of(options.dev()), XskConfig.defaults());
                return new Endpoint(ports, srcMac, srcIp, dstMac);
            }
        }

        private static long gatewayMac(RouteNetlink netlink, Link link) {
            final Route route = netlink.routes().stream()
                    .filter(r -> r.prefixLength() == 0 && r.gateway() != null && r.outputIndex() == link.index())
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no default route via " + link.name() + "; give --dst-mac"));
            return netlink.neighbour(link.index(), route.gateway())
                    .map(n -> MacAddress.parse(n.mac()))
                    .orElseThrow(() -> new IllegalArgumentException("no neighbour entry for the gateway "
                            + route.gateway().getHostAddress() + " (ping it once) ; or give --dst-mac"));
        }
    }

    private static int generate(Options options, Endpoint endpoint, AfXdpPortSet ports, Arena arena) {
        final PktgenConfig config = new PktgenConfig(endpoint.srcMac(), endpoint.dstMac(), endpoint.srcIp(),
                Ipv4Address.parse(options.dstIp()), options.size(), options.protocol(), options.flows(), 1024,
                options.dstPort(), options.ratePps());
        final PacketGenerator generator = new PacketGenerator(ports.ports().getFirst(), ports.pool(), new FlowTemplates(arena, config), options.ratePps());
        System.err.printf("pktgen: %d-byte %s, %d flow(s) %s -> %s:%d, %s%n", options.size(), options.protocol(), options.flows(),
                Ipv4Address.format(endpoint.srcIp()), options.dstIp(), options.dstPort(),
                options.ratePps() == 0 ? "as fast as possible" : options.ratePps() + " pps");
        final long startNs = System.nanoTime();
        generator.start(startNs);
        final long elapsedNs = loop(options, generator::doWork, generator::sent, "tx", GENERATOR_MAX_PARK_NS);
        for (int i = 0; i < 100; i++) { // let the last queued frames go
            generator.doWork(System.nanoTime());
        }
        System.out.printf(Locale.ROOT, "pktgen tx: sent=%d duration_s=%.3f rate_pps=%.0f size=%d flows=%d%n",
                generator.sent(), elapsedNs / 1e9, generator.sent() * 1e9 / Math.max(1, elapsedNs), options.size(), options.flows());
        return 0;
    }

    /** How a pktgen loop waits between cycles that did little or nothing. */
    enum Idle { SPIN, BACKOFF, BATCH }

    private static int sink(Options options, AfXdpPortSet ports) {
        final PacketSink sink = new PacketSink(ports.ports().getFirst(), ports.pool(), options.dstPort());
        System.err.printf("pktgen: counting frames to port %s for %d s%n", options.dstPort() == 0 ? "any" : options.dstPort(), options.durationMs() / 1000);
        loop(options, sink::doWork, sink::packets, "rx", SINK_MAX_PARK_NS);
        System.out.printf(Locale.ROOT, "pktgen rx: received=%d bytes=%d rate_pps=%.0f%n", sink.packets(), sink.bytes(), sink.ratePps());
        return 0;
    }

    /** A backing-off generator (--idle backoff, e.g. with --rate) parks at most this long. */
    static final long GENERATOR_MAX_PARK_NS = 100_000;
    /**
     * A backing-off sink parks at most this long once nothing arrives. The benchmark harness runs a
     * sink in each of the three backends of a ClusterIP, and with one flow two of them receive
     * nothing for the whole cell: at 100 µs each woke about 10,000 times a second and took 0.1 of
     * a core on the machine it measures (RESULTS.md, "Session 5 (clusterip)"). At 1 ms an idle sink
     * costs a tenth of that, and a sink that starts receiving after a park finds at most 1 ms of
     * frames waiting (a few hundred at the harness's rates; its rings hold 4096).
     */
    static final long SINK_MAX_PARK_NS = 1_000_000;
    /** A sink with {@code --idle batch} parks this long after a cycle that received less than a full batch. */
    static final long SINK_RECEIVING_PARK_NS = 200_000;

    /** Runs a duty cycle until the duration is up or the process is interrupted; prints a rate each second. */
    private static long loop(Options options, java.util.function.LongToIntFunction dutyCycle, LongSupplier count, String label,
                             long maxParkNs) {
        final IdleStrategy idle = switch (options.idle()) {
            case SPIN -> new BusySpinIdleStrategy();
            case BACKOFF -> new BackoffIdleStrategy(100, 10, 1_000, maxParkNs);
            case BATCH -> new SinkIdleStrategy(PacketBatch.CAPACITY, SINK_RECEIVING_PARK_NS, maxParkNs);
        };
        final long startNs = System.nanoTime();
        final long endNs = startNs + TimeUnit.MILLISECONDS.toNanos(options.durationMs());
        long nextReportNs = startNs + 1_000_000_000L;
        long lastCount = 0;
        long now = startNs;
        while (now < endNs && !Thread.currentThread().isInterrupted()) {
            idle.idle(dutyCycle.applyAsInt(now));
            now = System.nanoTime();
            if (now >= nextReportNs) {
                final long total = count.getAsLong();
                System.err.printf(Locale.ROOT, "pktgen %s: %,d pps%n", label, total - lastCount);
                lastCount = total;
                nextReportNs += 1_000_000_000L;
            }
        }
        return now - startNs;
    }

    private static Options parse(String[] args) {
        Path netns = null;
        String dev = "eth0";
        boolean rx = false;
        String dstIp = null;
        String srcIp = null;
        String dstMac = null;
        int size = 64;
        PktgenConfig.Protocol protocol = PktgenConfig.Protocol.UDP;
        int flows = 1;
        long durationMs = 10_000;
        long rate = 0;
        int dstPort = 9;
        Idle idle = null;
        for (int i = 0; i < args.length; i++) {
            final String arg = args[i];
            if (arg.equals("--rx")) {
                rx = true;
                continue;
            }
            final String value = CliArgs.value(args, ++i, arg);
            switch (arg) {
                case "--netns" -> netns = value.contains("/") ? Path.of(value) : Path.of("/var/run/netns", value);
                case "--dev" -> dev = value;
                case "--dst-ip" -> dstIp = value;
                case "--src-ip" -> srcIp = value;
                case "--dst-mac" -> dstMac = value;
                case "--size" -> size = number(arg, value);
                case "--proto" -> protocol = switch (value) {
                    case "udp" -> PktgenConfig.Protocol.UDP;
                    case "syn", "tcp-syn" -> PktgenConfig.Protocol.TCP_SYN;
                    default -> throw new IllegalArgumentException("--proto is udp or syn, not " + value);
                };
                case "--flows" -> flows = number(arg, value);
                case "--duration" -> durationMs = Math.round(Double.parseDouble(value) * 1000);
                case "--rate" -> rate = number(arg, value);
                case "--dst-port" -> dstPort = number(arg, value);
                case "--idle" -> idle = switch (value) {
                    case "spin" -> Idle.SPIN;
                    case "backoff" -> Idle.BACKOFF;
                    case "batch" -> Idle.BATCH;
                    default -> throw new IllegalArgumentException("--idle is spin, backoff or batch (sinks), not " + value);
                };
                default -> throw new IllegalArgumentException("unknown option " + arg);
            }
        }
        if (netns == null) {
            throw new IllegalArgumentException("--netns is required (the pod's network namespace: a name under /var/run/netns or a path)");
        }
        if (!rx && dstIp == null) {
            throw new IllegalArgumentException("--dst-ip is required to send");
        }
        if (idle == Idle.BATCH && !rx) {
            throw new IllegalArgumentException("--idle batch is for sinks (--rx): a generator's cycles are not batches it received");
        }
        if (durationMs <= 0) {
            throw new IllegalArgumentException("--duration must be positive");
        }
        return new Options(netns, dev, rx, dstIp, srcIp, dstMac, size, protocol, flows, durationMs, rate,
                dstPort, idle == null ? (rx ? Idle.BACKOFF : Idle.SPIN) : idle);
    }

    private static int number(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a number, not '" + value + "'");
        }
    }
}
