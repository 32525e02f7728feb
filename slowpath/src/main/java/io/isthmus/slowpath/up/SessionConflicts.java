package io.isthmus.slowpath.up;

import io.isthmus.slowpath.agent.host.HostPortConfig;
import io.isthmus.slowpath.cni.Ipv4Cidr;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The machine-wide names an {@code up} session claims, and the check, made before anything is
 * created, that no other session (or agent, or program) holds one of them. A second session on
 * one machine is refused with every name it would share and the setting that chooses another,
 * instead of failing half-way or, worse, opening the first one's live table or deleting its host
 * port on the way out.
 *
 * <p>What is per session without a setting: the state directory ({@code ISTHMUS_UP_STATE}), the
 * conntrack table derived from it ({@link UpState#conntrackTable()}), the Aeron directory (unique
 * per process), the pods' veths (named from a random container id), the API server's and metrics'
 * ports (the kernel picks them). What a second session must choose: the Ingress proxy's ports, the
 * host port's device names, the pod CIDR its route covers and the cluster DNS address it carries. Pods' network namespaces are named
 * from the pod ({@code isthmus-NS-NAME}): a pod whose namespace name another session holds is not
 * refused here but tried again with backoff until that name is free ({@link NodePodWatcher}).
 *
 * <p><b>Thread-safety:</b> stateless.
 */
final class SessionConflicts {
    private SessionConflicts() {
    }

    /**
     * What a session is about to claim.
     *
     * @param conntrackTable the table file in /dev/shm
     * @param podCidr        the pods' addresses (routed to the host port)
     * @param clusterDns     the cluster DNS address (put on the host port, DNS over TCP served on it)
     * @param hostPort       the host port's devices, null for none
     * @param httpPort       the Ingress proxy's HTTP port on every address
     * @param httpsPort      its HTTPS port
     */
    record Claims(Path conntrackTable, Ipv4Cidr podCidr, Inet4Address clusterDns, HostPortConfig hostPort, int httpPort, int httpsPort) {
    }

    /** Throws naming every claim that is taken, who holds it when known, and how to choose another. */
    static void refuseTaken(Claims claims) throws IOException {
        final List<String> taken = new ArrayList<>();
        final Optional<Long> tableUser = processMapping(claims.conntrackTable());
        tableUser.ifPresent(pid -> taken.add("the conntrack table " + claims.conntrackTable() + " is open in process " + pid
                + " (a session of the same state directory?): choose another state directory with ISTHMUS_UP_STATE"));
        if (!portFree(claims.httpPort())) {
            taken.add("the Ingress proxy's HTTP port " + claims.httpPort() + " is in use: choose another with "
                    + EmbeddedUpAgent.INGRESS_HTTP_PORT_ENV + "=PORT");
        }
        if (!portFree(claims.httpsPort())) {
            taken.add("the Ingress proxy's HTTPS port " + claims.httpsPort() + " is in use: choose another with "
                    + EmbeddedUpAgent.INGRESS_HTTPS_PORT_ENV + "=PORT");
        }
        if (claims.hostPort() != null) {
            for (String device : List.of(claims.hostPort().hostIfName(), claims.hostPort().fastpathIfName())) {
                if (Files.exists(Path.of("/sys/class/net", device))) {
                    taken.add("the host port's device " + device + " exists: choose another name with " + EmbeddedUpAgent.HOST_PORT_ENV
                            + "=NAME (its other end is NAMEfp), or " + EmbeddedUpAgent.HOST_PORT_ENV + "=none");
                }
            }
            routeDevice(claims.podCidr()).ifPresent(device -> taken.add("the pod CIDR " + claims.podCidr() + " is routed already (dev "
                    + device + "): choose another with " + EmbeddedUpAgent.POD_CIDR_ENV + "=CIDR (e.g. 10.244.7.0/24)"));
            if (isLocal(claims.clusterDns())) {
                taken.add("the cluster DNS address " + claims.clusterDns().getHostAddress() + " is an address of this machine already"
                        + " (another session's host port serves DNS over TCP on it): choose another with " + EmbeddedUpAgent.CLUSTER_DNS_ENV
                        + "=IP (e.g. 10.96.7.10)");
            }
        }
        if (!taken.isEmpty()) {
            throw new IOException("another isthmus up session (or another program) holds what this one needs:\n  "
                    + String.join("\n  ", taken));
        }
    }

    /** Whether an interface of this namespace has {@code address} (a bind to it succeeds). */
    static boolean isLocal(Inet4Address address) {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(address, 0))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether a listener could bind {@code port} on every address (as the Ingress proxy does). */
    static boolean portFree(int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress("0.0.0.0", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The device of a main-table route to exactly {@code cidr} ({@link KernelRoutes}), if there is one. */
    static Optional<String> routeDevice(Ipv4Cidr cidr) {
        try {
            for (KernelRoutes.Route route : KernelRoutes.read()) {
                if (route.destination() == cidr.network() && route.mask() == cidr.netmask()) {
                    return Optional.of(route.device());
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Optional.empty(); // no procfs to ask: HostPort's own route creation still refuses a duplicate
        }
        return Optional.empty();
    }

    /** A live process (not this one) that maps {@code file}, found in {@code /proc/PID/maps}. */
    static Optional<Long> processMapping(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        final String name = file.toAbsolutePath().normalize().toString();
        final long self = ProcessHandle.current().pid();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : entries.toList()) {
                final String pid = entry.getFileName().toString();
                if (!pid.chars().allMatch(Character::isDigit) || Long.parseLong(pid) == self) {
                    continue;
                }
                try (Stream<String> maps = Files.lines(entry.resolve("maps"))) {
                    if (maps.anyMatch(line -> line.endsWith(" " + name) || line.endsWith(" " + name + " (deleted)"))) {
                        return Optional.of(Long.parseLong(pid));
                    }
                } catch (IOException | java.io.UncheckedIOException e) {
                    // ended meanwhile, or a kernel thread
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
