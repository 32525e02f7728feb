package io.isthmus.slowpath.dns;

import io.isthmus.dns.zone.ZoneSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The server asked by {@code dig} (Debian bind9-dnsutils), over UDP and TCP, with and without
 * EDNS0. Skipped, visibly, when dig is not installed (scripts/install-deps.sh installs it).
 */
class DigConformanceTest {
    private static DnsServer server;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(digAvailable(), "dig is not installed (Debian package bind9-dnsutils; run scripts/install-deps.sh)");
        server = DnsServer.start(ZoneFromManifests.load(DnsConformanceTest.CLUSTER, ZoneSettings.defaults()).zone(),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), new DnsServer.Options(1, 2_000, 16, 1232));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static boolean digAvailable() {
        try {
            final Process process = new ProcessBuilder("dig", "-v").redirectErrorStream(true).start();
            return process.waitFor(5, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs dig against the server only (never the system resolver) and returns its output. */
    private static String dig(String... args) throws Exception {
        final List<String> command = new ArrayList<>(List.of("dig", "@" + server.address().getAddress().getHostAddress(),
                "-p", Integer.toString(server.address().getPort()), "+time=2", "+tries=1", "+norecurse"));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(process.waitFor(10, TimeUnit.SECONDS), "dig finished");
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static List<String> answers(String output) {
        return output.lines().filter(l -> !l.isBlank() && !l.startsWith(";")).map(l -> String.join(" ", l.trim().split("\\s+"))).toList();
    }

    @Test
    void aOverUdpAndTcp() throws Exception {
        for (String transport : List.of("+notcp", "+tcp")) {
            final String output = dig(transport, "+noall", "+answer", "+comments", "kubernetes.default.svc.cluster.local", "A");
            assertTrue(output.contains("status: NOERROR"), output);
            assertTrue(output.contains("flags: qr aa"), output);
            assertEquals(List.of("kubernetes.default.svc.cluster.local. 5 IN A 10.96.0.1"), answers(output), output);
        }
    }

    @Test
    void srvWithAdditionalAndTxtAndPtr() throws Exception {
        final String srv = dig("+noall", "+answer", "+additional", "_pg._tcp.db.default.svc.cluster.local", "SRV");
        assertTrue(answers(srv).contains("_pg._tcp.db.default.svc.cluster.local. 5 IN SRV 0 100 5432 db-0.db.default.svc.cluster.local."), srv);
        assertTrue(answers(srv).contains("db-0.db.default.svc.cluster.local. 5 IN A 10.244.1.10"), srv);
        assertEquals(List.of("\"1.1.0\""), answers(dig("+short", "dns-version.cluster.local", "TXT")));
        assertEquals(List.of("kubernetes.default.svc.cluster.local."), answers(dig("+short", "-x", "10.96.0.1")));
        assertEquals(List.of("kube-dns.kube-system.svc.cluster.local."), answers(dig("+short", "-x", "fd00:10:96::a")));
    }

    @Test
    void nxdomainRefusedAndTruncation() throws Exception {
        assertTrue(dig("missing.default.svc.cluster.local", "A").contains("status: NXDOMAIN"));
        assertTrue(dig("example.org", "A").contains("status: REFUSED"));
        final String truncated = dig("+noedns", "+ignore", "big.default.svc.cluster.local", "A");
        assertTrue(truncated.contains(" tc"), truncated);
        final String retried = dig("+noedns", "+noall", "+answer", "big.default.svc.cluster.local", "A");
        assertEquals(100, answers(retried).size(), "dig retries over TCP and gets all 100: " + retried);
        final String edns = dig("+bufsize=1232", "+noall", "+answer", "+notcp", "+ignore", "medium.default.svc.cluster.local", "A");
        assertEquals(40, answers(edns).size(), edns);
    }
}
