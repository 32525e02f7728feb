package io.isthmus.slowpath.dns;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResolvConfTest {

    @Test
    void nameserversInOrderOnPort53() throws IOException {
        final Path file = Files.createTempFile("resolv", ".conf");
        try {
            Files.writeString(file, """
                    # generated
                    search default.svc.cluster.local svc.cluster.local
                    nameserver 192.0.2.53
                    ; a comment
                    nameserver   2001:db8::53
                    nameserver fe80::1%eth0
                    options ndots:5 timeout:1
                    """);
            assertEquals(List.of(new InetSocketAddress(InetAddress.ofLiteral("192.0.2.53"), 53),
                    new InetSocketAddress(InetAddress.ofLiteral("2001:db8::53"), 53),
                    new InetSocketAddress(InetAddress.ofLiteral("fe80::1"), 53)), ResolvConf.nameservers(file));
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void errorsNameTheFileAndTheLine(@TempDir Path dir) throws IOException {
        final Path bad = dir.resolve("resolv.conf");
        Files.writeString(bad, "nameserver 192.0.2.1\nnameserver dns.example\n");
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> ResolvConf.nameservers(bad));
        assertTrue(error.getMessage().contains(bad + " line 2"), error.getMessage());
        assertTrue(error.getMessage().contains("dns.example"), error.getMessage());
        Files.writeString(bad, "search example\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ResolvConf.nameservers(bad)).getMessage().contains("no nameserver"));
        assertThrows(NoSuchFileException.class, () -> ResolvConf.nameservers(dir.resolve("missing")));
    }
}
