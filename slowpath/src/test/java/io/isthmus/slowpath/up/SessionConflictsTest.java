package io.isthmus.slowpath.up;

import io.isthmus.fastpath.testing.Privileges;
import io.isthmus.fastpath.testing.Shell;
import io.isthmus.slowpath.agent.host.HostPortConfig;
import io.isthmus.slowpath.cni.Ipv4Cidr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A second session's claims: each taken one (a port, a host port device, the pod CIDR's route) is
 * named with the setting that chooses another; the conntrack table differs per state directory
 * and {@code isthmus conntrack} finds it only while the session runs.
 */
class SessionConflictsTest {
    @TempDir
    Path dir;

    private final String tag = UUID.randomUUID().toString().substring(0, 6);
    /** A documentation address no interface of a test machine has. */
    private static final java.net.Inet4Address NOT_LOCAL = Ipv4Cidr.parseAddress("198.51.100.77");

    @Test
    void eachStateDirectoryHasItsOwnConntrackTableFoundWhileItsSessionRuns() throws IOException {
        assertEquals(UpState.DEFAULT_CONNTRACK_TABLE, new UpState(UpState.DEFAULT_DIR).conntrackTable(), "the default session keeps its name");
        final UpState one = new UpState(dir.resolve("one"));
        final UpState two = new UpState(dir.resolve("two"));
        assertNotEquals(one.conntrackTable(), two.conntrackTable());
        assertNotEquals(UpState.DEFAULT_CONNTRACK_TABLE, one.conntrackTable());
        assertEquals(one.conntrackTable(), new UpState(dir.resolve("x/../one")).conntrackTable(), "one directory, one name");
        assertTrue(one.conntrackTable().toString().startsWith("/dev/shm/isthmus-up-"), one.conntrackTable().toString());

        assertEquals(Optional.empty(), one.runningConntrackTable(), "no session: no table");
        one.createDirectories();
        UpState.writeAtomically(one.pidFile(), ProcessHandle.current().pid() + "\n"); // a live pid, as a running session writes it
        assertEquals(Optional.of(one.conntrackTable()), one.runningConntrackTable());
        UpState.writeAtomically(one.pidFile(), "999999999\n");
        assertEquals(Optional.empty(), one.runningConntrackTable(), "a dead session's table is not offered");
    }

    @Test
    void aPortInUseIsRefusedNamingItsSetting() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("0.0.0.0", 0));
            final int port = taken.getLocalPort();
            final IOException refused = assertThrows(IOException.class, () -> SessionConflicts.refuseTaken(
                    new SessionConflicts.Claims(dir.resolve("table"), Ipv4Cidr.parse("10.251.0.0/24"), NOT_LOCAL, null, port, freePort())));
            assertTrue(refused.getMessage().contains("HTTP port " + port + " is in use") && refused.getMessage().contains("ISTHMUS_INGRESS_HTTP_PORT="),
                    refused.getMessage());
            assertFalse(refused.getMessage().contains("HTTPS"), "only what is taken: " + refused.getMessage());
        }
        SessionConflicts.refuseTaken(new SessionConflicts.Claims(dir.resolve("table"), Ipv4Cidr.parse("10.251.0.0/24"), NOT_LOCAL, null, freePort(), freePort()));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aHostPortDeviceOrAPodCidrRouteThatExistsIsRefusedNamingItsSetting() throws Exception {
        Privileges.assumeRootAndAfXdp();
        final String device = "iscf" + tag;
        final Ipv4Cidr cidr = Ipv4Cidr.parse("10.251." + (1 + (int) (Math.random() * 250)) + ".0/24");
        try {
            Shell.check("ip", "link", "add", device, "type", "veth", "peer", "name", device + "p"); // (no dummy module here)
            Shell.check("ip", "link", "set", device, "up");
            Shell.check("ip", "route", "add", cidr.toString(), "dev", device);

            assertEquals(Optional.of(device), SessionConflicts.routeDevice(cidr));
            final IOException refused = assertThrows(IOException.class, () -> SessionConflicts.refuseTaken(
                    new SessionConflicts.Claims(dir.resolve("table"), cidr, NOT_LOCAL, HostPortConfig.named(device), freePort(), freePort())));
            assertTrue(refused.getMessage().contains("device " + device + " exists") && refused.getMessage().contains("ISTHMUS_HOST_PORT=NAME"),
                    refused.getMessage());
            assertTrue(refused.getMessage().contains("pod CIDR " + cidr + " is routed already (dev " + device + ")")
                    && refused.getMessage().contains("ISTHMUS_UP_POD_CIDR="), refused.getMessage());

            final IOException onlyTheRoute = assertThrows(IOException.class, () -> SessionConflicts.refuseTaken(
                    new SessionConflicts.Claims(dir.resolve("table"), cidr, NOT_LOCAL, HostPortConfig.named("iscg" + tag), freePort(), freePort())));
            assertFalse(onlyTheRoute.getMessage().contains("device"), onlyTheRoute.getMessage());
            SessionConflicts.refuseTaken(new SessionConflicts.Claims(dir.resolve("table"), cidr, NOT_LOCAL, null, freePort(), freePort())); // no host port: no route
        } finally {
            Shell.run(10, "ip", "link", "del", device); // takes the route with it
        }
        assertEquals(Optional.empty(), SessionConflicts.routeDevice(cidr));
    }

    @Test
    void aClusterDnsAddressThisMachineHasAlreadyIsRefusedWithAHostPortOnly() throws IOException {
        final Ipv4Cidr unrouted = Ipv4Cidr.parse("10.251.254.0/24");
        final java.net.Inet4Address local = Ipv4Cidr.parseAddress("127.0.0.1"); // as another session's host end holds 10.96.0.10
        final IOException refused = assertThrows(IOException.class, () -> SessionConflicts.refuseTaken(new SessionConflicts.Claims(
                dir.resolve("table"), unrouted, local, HostPortConfig.named("iscn" + tag), freePort(), freePort())));
        assertTrue(refused.getMessage().contains("cluster DNS address 127.0.0.1") && refused.getMessage().contains("ISTHMUS_UP_CLUSTER_DNS="),
                refused.getMessage());
        SessionConflicts.refuseTaken(new SessionConflicts.Claims(dir.resolve("table"), unrouted, local, null, freePort(), freePort()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
