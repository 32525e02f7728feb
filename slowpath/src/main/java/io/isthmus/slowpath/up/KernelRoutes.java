package io.isthmus.slowpath.up;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The IPv4 main routing table of this network namespace as {@code /proc/net/route} lists it:
 * {@code Iface Destination Gateway Flags RefCnt Use Metric Mask ...}, the addresses in hex, their
 * bytes in memory order (little-endian on x86-64).
 *
 * <p><b>Thread-safety:</b> stateless; slow path only.
 */
public final class KernelRoutes {
    private static final Path TABLE = Path.of("/proc/net/route");

    /** One route: its device, destination network and netmask (host order). */
    public record Route(String device, int destination, int mask) {
    }

    private KernelRoutes() {
    }

    /** The routes, in the kernel's order; throws when procfs cannot be read or a line is not one. */
    public static List<Route> read() throws IOException {
        final List<Route> routes = new ArrayList<>();
        for (String line : Files.readAllLines(TABLE).stream().skip(1).toList()) {
            final String[] fields = line.trim().split("\\s+");
            if (fields.length > 7) {
                routes.add(new Route(fields[0], hostOrder(fields[1]), hostOrder(fields[7])));
            }
        }
        return routes;
    }

    private static int hostOrder(String hex) {
        return Integer.reverseBytes(Integer.parseUnsignedInt(hex, 16));
    }
}
