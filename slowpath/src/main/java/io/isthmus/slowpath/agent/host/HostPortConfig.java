package io.isthmus.slowpath.agent.host;

import java.util.regex.Pattern;

/**
 * The names of the node's host port: a veth pair in the host's own namespace whose host end
 * ({@code hostIfName}, {@code isthmus0} by default) is where the node sends traffic for pods, and
 * whose other end ({@code fastpathIfName}) the fast path switches as its port of kind HOST.
 *
 * <p>Names are configurable so that two agents (or an agent and a test) on one machine never
 * share one; a name is 1..15 characters (IFNAMSIZ - 1) without '/', ':' or white space.
 *
 * @param hostIfName     the host end: the pod CIDR route and the agent's local addresses go on it
 * @param fastpathIfName the fast-path end: attached to the fast path, carries no address
 */
public record HostPortConfig(String hostIfName, String fastpathIfName) {
    public static final String DEFAULT_HOST_IFNAME = "isthmus0";
    private static final Pattern INTERFACE_NAME = Pattern.compile("[^/:\\s]{1,15}");

    public HostPortConfig {
        check("host end", hostIfName);
        check("fast-path end", fastpathIfName);
        if (hostIfName.equals(fastpathIfName)) {
            throw new IllegalArgumentException("the host port's two ends are both called '" + hostIfName + "'");
        }
    }

    /** {@code isthmus0} and its fast-path end {@code isthmus0fp}. */
    public static HostPortConfig defaults() {
        return named(DEFAULT_HOST_IFNAME);
    }

    /** {@code hostIfName} and the fast-path end {@code hostIfName + "fp"} (the host name shortened to fit). */
    public static HostPortConfig named(String hostIfName) {
        check("host end", hostIfName);
        final String stem = hostIfName.length() > 13 ? hostIfName.substring(0, 13) : hostIfName;
        return new HostPortConfig(hostIfName, stem + "fp");
    }

    private static void check(String what, String name) {
        if (name == null || !INTERFACE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("the host port's " + what + " '" + name
                    + "' is not an interface name (1..15 characters, no '/', ':' or white space)");
        }
    }
}
