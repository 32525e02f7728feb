package io.isthmus.slowpath.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The upstream resolvers of the node: the {@code nameserver} lines of a resolv.conf (resolv.conf(5)),
 * in order, on port 53. Other lines (search, options, comments) are ignored.
 */
public final class ResolvConf {
    public static final Path DEFAULT_PATH = Path.of("/etc/resolv.conf");
    public static final int DNS_PORT = 53;

    private ResolvConf() {
    }

    /**
     * @throws IOException              the file cannot be read
     * @throws IllegalArgumentException a nameserver is not an IP address literal, or there is none
     */
    public static List<InetSocketAddress> nameservers(Path file) throws IOException {
        return parse(Files.readString(file), file.toString());
    }

    static List<InetSocketAddress> parse(String text, String source) {
        final List<InetSocketAddress> servers = new ArrayList<>();
        final String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            final String line = lines[n].strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            final String[] words = line.split("\\s+");
            if (!words[0].equals("nameserver")) {
                continue;
            }
            if (words.length < 2) {
                throw new IllegalArgumentException(source + " line " + (n + 1) + ": 'nameserver' without an address");
            }
            final String literal = words[1].contains("%") ? words[1].substring(0, words[1].indexOf('%')) : words[1];
            final InetAddress address;
            try {
                address = InetAddress.ofLiteral(literal);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + " line " + (n + 1) + ": nameserver '" + words[1]
                        + "' is not an IPv4 or IPv6 address", e);
            }
            servers.add(new InetSocketAddress(address, DNS_PORT));
        }
        if (servers.isEmpty()) {
            throw new IllegalArgumentException(source + ": no nameserver line, so the DNS forwarder has no upstream");
        }
        return List.copyOf(servers);
    }
}
