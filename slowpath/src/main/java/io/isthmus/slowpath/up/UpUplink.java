package io.isthmus.slowpath.up;

import io.isthmus.fastpath.uplink.UplinkConfig;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The node's NIC as the uplink of an {@code up} session, only when asked ({@code up --uplink IFACE},
 * {@value #ENV}): NodePorts on the interface's IPv4 addresses, and the externalIPs / LoadBalancer IPs
 * of the Services, are steered from it to the fast path, so they answer from outside the node; the
 * host keeps the rest of its traffic. {@code up} never takes a NIC over unasked.
 *
 * <p>Checked before anything is made ({@link #configFor}): the interface exists, is not loopback,
 * has an IPv4 address and carries no XDP program (another session's or agent's uplink). The
 * attachment itself is a BPF link owned by the session's process: it goes away with the process,
 * even a killed one, so {@code down} after a crash only checks it is gone ({@link #xdpProgramOn}).
 *
 * <p><b>Thread-safety:</b> stateless.
 */
public final class UpUplink {
    /** Environment: the interface to attach as the uplink ({@code --uplink} wins); unset or empty: none. */
    public static final String ENV = "ISTHMUS_UP_UPLINK";
    private static final Pattern XDP_ATTACHED = Pattern.compile("[<, ]xdp(generic|drv|offload)?[ >,]|prog/xdp");

    private UpUplink() {
    }

    /**
     * What to steer from {@code interfaceName}: its IPv4 addresses' NodePorts (30000-32767); the
     * externalIPs / LB IPs follow the Services. Throws naming the interface and what is wrong.
     */
    public static UplinkConfig configFor(String interfaceName) throws IOException {
        final List<String> addresses = ipv4Addresses(interfaceName);
        if (xdpProgramOn(interfaceName).isPresent()) {
            throw new IOException("uplink " + interfaceName + " carries an XDP program already (another isthmus session or agent, or"
                    + " another program): " + xdpProgramOn(interfaceName).get());
        }
        return UplinkConfig.parse(interfaceName, addresses, null, List.of());
    }

    /** The interface's IPv4 addresses; throws when it does not exist, is loopback or has none. */
    static List<String> ipv4Addresses(String interfaceName) throws IOException {
        if (interfaceName.isBlank() || interfaceName.contains("/") || !Files.exists(Path.of("/sys/class/net", interfaceName))) {
            throw new IOException("uplink '" + interfaceName + "': no such network interface (see 'ip link')");
        }
        final NetworkInterface nic;
        try {
            nic = NetworkInterface.getByName(interfaceName);
        } catch (SocketException e) {
            throw new IOException("uplink " + interfaceName + ": " + e.getMessage(), e);
        }
        if (nic == null) { // the JDK lists only interfaces with an IPv4 address (SIOCGIFCONF)
            throw new IOException("uplink " + interfaceName + " has no IPv4 address: its NodePorts are served on its addresses");
        }
        if (nic.isLoopback()) {
            throw new IOException("uplink " + interfaceName + " is the loopback interface: give the NIC outside traffic arrives on");
        }
        final List<String> addresses = new ArrayList<>();
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
            if (address instanceof Inet4Address) {
                addresses.add(address.getHostAddress());
            }
        }
        if (addresses.isEmpty()) {
            throw new IOException("uplink " + interfaceName + " has no IPv4 address: its NodePorts are served on its addresses");
        }
        return List.copyOf(addresses);
    }

    /** The XDP attachment {@code ip link} shows on the interface (its line), if any; empty also when the interface is gone. */
    public static Optional<String> xdpProgramOn(String interfaceName) throws IOException {
        final ExternalCommand.Result shown = ExternalCommand.run(10, List.of("ip", "-o", "link", "show", "dev", interfaceName));
        if (!shown.ok()) {
            return Optional.empty();
        }
        final String line = shown.stdout().strip();
        return XDP_ATTACHED.matcher(line).find() ? Optional.of(line) : Optional.empty();
    }
}
