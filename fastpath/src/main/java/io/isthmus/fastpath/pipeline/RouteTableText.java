package io.isthmus.fastpath.pipeline;

import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;

import java.util.Locale;

/**
 * The text form of a {@link RouteTable}: what golden test cases store next to their pcaps and what
 * diagnostics print. One directive per line, {@code #} starts a comment:
 *
 * <pre>
 * generation 7
 * gateway 169.254.1.1
 * port 0 mac 02:00:00:00:00:01 pod 10.244.1.2
 * port 1 mac 02:00:00:00:00:02 pod 10.244.1.3
 * port 2 mac 02:00:00:00:00:03            (a port with no pod)
 * port 3 mac 02:00:00:00:00:04 host       (the host port: default route, proxy ARP)
 * </pre>
 *
 * Not for the fast path. Parsing errors name the source, the line number and the reason.
 */
public final class RouteTableText {
    private RouteTableText() {
    }

    public static RouteTable parse(String text, String sourceName) {
        long generation = 0;
        Integer gateway = null;
        final java.util.List<long[]> ports = new java.util.ArrayList<>();
        final String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            final String line = stripComment(lines[n]);
            if (line.isEmpty()) {
                continue;
            }
            final String[] words = line.split("\\s+");
            final String where = sourceName + ":" + (n + 1) + ": ";
            try {
                switch (words[0].toLowerCase(Locale.ROOT)) {
                    case "generation" -> {
                        expectWords(words, 2, "generation <n>");
                        generation = Long.parseLong(words[1]);
                    }
                    case "gateway" -> {
                        expectWords(words, 2, "gateway <ipv4>");
                        gateway = Ipv4Address.parse(words[1]);
                    }
                    case "port" -> {
                        final boolean host = words.length == 5 && words[4].equals("host");
                        if (words.length != 4 && words.length != 6 && !host || !words[2].equals("mac")
                                || words.length == 6 && !words[4].equals("pod")) {
                            throw new IllegalArgumentException("want 'port <id> mac <mac> [pod <ipv4> | host]'");
                        }
                        ports.add(new long[]{Integer.parseInt(words[1]), MacAddress.parse(words[3]),
                                words.length == 6 ? Ipv4Address.parse(words[5]) : 0, host ? 1 : 0});
                    }
                    default -> throw new IllegalArgumentException("unknown directive '" + words[0]
                            + "' (want generation, gateway or port)");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage(), e);
            }
        }
        final RouteTable.Builder builder = RouteTable.builder(generation);
        if (gateway != null) {
            builder.gateway(gateway);
        }
        for (long[] port : ports) {
            try {
                if (port[3] == 1) {
                    builder.hostPort((int) port[0], port[1]);
                } else {
                    builder.port((int) port[0], port[1], (int) port[2]);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(sourceName + ": " + e.getMessage(), e);
            }
        }
        return builder.build();
    }

    public static String format(RouteTable table) {
        final StringBuilder text = new StringBuilder();
        text.append("generation ").append(table.generation()).append('\n');
        text.append("gateway ").append(Ipv4Address.format(table.gatewayIp())).append('\n');
        for (int port = 0; port < table.portCount(); port++) {
            if (table.localMac(port) == MacAddress.UNKNOWN) {
                continue;
            }
            text.append("port ").append(port).append(" mac ").append(MacAddress.format(table.localMac(port)));
            if (table.podIp(port) != 0) {
                text.append(" pod ").append(Ipv4Address.format(table.podIp(port)));
            } else if (table.isHostPort(port)) {
                text.append(" host");
            }
            text.append('\n');
        }
        return text.toString();
    }

    private static String stripComment(String line) {
        final int hash = line.indexOf('#');
        return (hash >= 0 ? line.substring(0, hash) : line).strip();
    }

    private static void expectWords(String[] words, int count, String usage) {
        if (words.length != count) {
            throw new IllegalArgumentException("want '" + usage + "'");
        }
    }
}
