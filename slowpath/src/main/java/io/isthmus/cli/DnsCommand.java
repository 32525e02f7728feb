package io.isthmus.cli;

import io.isthmus.dns.zone.ZoneDump;
import io.isthmus.dns.zone.ZoneSettings;
import io.isthmus.slowpath.dns.DnsServer;
import io.isthmus.slowpath.dns.KubernetesZone;
import io.isthmus.slowpath.dns.ZoneFromManifests;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code isthmus dns serve -f DIR --listen ADDR:PORT [--zone DOMAIN] [--ttl SECONDS]
 * [--threads N] [--tcp-idle-timeout-ms MS] [--udp mmsg|nio]}: serves the cluster zone of a manifest directory
 * over UDP and TCP until interrupted. Names outside the zone are REFUSED (no forwarding yet).
 */
final class DnsCommand implements Subcommand {
    private static final String USAGE = """
            usage: isthmus dns serve -f DIR --listen ADDR:PORT [--zone DOMAIN] [--ttl SECONDS] [--threads N] [--tcp-idle-timeout-ms MS] [--udp mmsg|nio]
              -f DIR                 a directory (or file) of Kubernetes YAML: Services, EndpointSlices, Pods
              --listen ADDR:PORT     where to answer, UDP and TCP (e.g. 127.0.0.1:5353, [::1]:5353; port 0: ephemeral)
              --zone DOMAIN          the cluster domain (default cluster.local)
              --ttl SECONDS          the TTL of every record (default 5)
              --threads N            UDP serving threads (default: the number of CPUs)
              --tcp-idle-timeout-ms  close a TCP connection idle this long (default 10000)
              --udp mmsg|nio         recvmmsg/sendmmsg batches (Linux, the default there) or one datagram per call
            Names outside the cluster domain (and reverse names of unknown addresses) are answered REFUSED.
            usage: isthmus dns dump -f DIR [--zone DOMAIN] [--ttl SECONDS]
              prints every record the zone would serve, one per line""";

    @Override
    public String name() {
        return "dns";
    }

    @Override
    public String summary() {
        return "serve (or dump) the cluster DNS zone of a manifest directory: dns serve|dump -f DIR ...";
    }

    @Override
    public int run(String[] args) throws Exception {
        if (args.length == 0 || !(args[0].equals("serve") || args[0].equals("dump"))) {
            System.err.println(USAGE);
            return 2;
        }
        Path directory = null;
        String listen = null;
        String domain = ZoneSettings.DEFAULT_DOMAIN;
        int ttl = ZoneSettings.DEFAULT_TTL_SECONDS;
        DnsServer.Options options = DnsServer.Options.defaults();
        try {
            for (int i = 1; i < args.length; i++) {
                final String flag = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                final String value = args[++i];
                switch (flag) {
                    case "-f", "--filename" -> directory = Path.of(value);
                    case "--listen" -> listen = value;
                    case "--zone" -> domain = value;
                    case "--ttl" -> ttl = Integer.parseInt(value);
                    case "--threads" -> options = options.withUdpThreads(Integer.parseInt(value));
                    case "--tcp-idle-timeout-ms" -> options = options.withTcpIdleTimeoutMs(Long.parseLong(value));
                    case "--udp" -> options = options.withUdpBackend(DnsServer.UdpBackend.valueOf(value.toUpperCase(java.util.Locale.ROOT)));
                    default -> throw new IllegalArgumentException("unknown option " + flag);
                }
            }
            if (directory == null || (listen == null && args[0].equals("serve"))) {
                throw new IllegalArgumentException("-f DIR and --listen ADDR:PORT are required");
            }
            if (!Files.exists(directory)) {
                throw new IllegalArgumentException("no such file or directory: " + directory);
            }
        } catch (IllegalArgumentException e) { // NumberFormatException included
            System.err.println("isthmus dns: " + e.getMessage());
            System.err.println(USAGE);
            return 2;
        }
        final InetSocketAddress address;
        final ZoneSettings settings;
        try {
            address = listen == null ? null : parseListen(listen);
            settings = new ZoneSettings(domain, ttl, System.currentTimeMillis() / 1000);
        } catch (IllegalArgumentException e) {
            System.err.println("isthmus dns: " + e.getMessage());
            return 2;
        }
        final KubernetesZone.Result result = ZoneFromManifests.load(directory, settings);
        for (String problem : result.problems()) {
            System.err.println("isthmus dns: warning: " + problem);
        }
        if (args[0].equals("dump")) {
            ZoneDump.lines(result.zone()).forEach(System.out::println);
            return 0;
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        // Not try-with-resources: on Ctrl-C the JVM exits once the shutdown hooks are done, so the
        // hook itself closes the server.
        final DnsServer server = DnsServer.start(result.zone(), address, options);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        System.out.printf("isthmus dns: serving %d names of zone %s on udp+tcp %s:%d (%d UDP threads, %s)%n",
                result.zone().nameCount(), settings.domain(), server.address().getAddress().getHostAddress(),
                server.address().getPort(), Math.max(1, options.udpThreads()), server.udpBackend().name().toLowerCase(java.util.Locale.ROOT));
        System.out.flush();
        stopped.await();
        return 0;
    }

    /** {@code 127.0.0.1:5353}, {@code [::1]:5353}, {@code localhost:5353}. */
    static InetSocketAddress parseListen(String listen) {
        final int colon = listen.lastIndexOf(':');
        if (colon <= 0 || colon == listen.length() - 1) {
            throw new IllegalArgumentException("--listen wants ADDR:PORT, got '" + listen + "'");
        }
        String host = listen.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        final int port;
        try {
            port = Integer.parseInt(listen.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--listen: bad port in '" + listen + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--listen: port " + port + " outside 0..65535");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("--listen: unknown address '" + host + "'");
        }
    }
}
