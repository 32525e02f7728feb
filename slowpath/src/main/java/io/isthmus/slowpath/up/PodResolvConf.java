package io.isthmus.slowpath.up;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A pod's {@code /etc/resolv.conf}, as kubelet writes it for {@code dnsPolicy: ClusterFirst}: the
 * cluster DNS Service as nameserver, the pod's namespace first in the search path, ndots 5.
 * {@code ip netns exec NAME} bind-mounts {@code /etc/netns/NAME/resolv.conf} over
 * {@code /etc/resolv.conf} when that file exists, so the pod's processes see it.
 *
 * <p><b>Thread-safety:</b> stateless; one pod's file is written and removed by whoever starts and stops that pod.
 */
final class PodResolvConf {
    static final Path NETNS_ETC = Path.of("/etc/netns");

    private PodResolvConf() {
    }

    /** The file's text for a pod in {@code namespace}. */
    static String text(String clusterDnsIp, String namespace) {
        return "nameserver " + clusterDnsIp + "\n"
                + "search " + namespace + ".svc.cluster.local svc.cluster.local cluster.local\n"
                + "options ndots:5\n";
    }

    static Path fileFor(String netnsName) {
        return NETNS_ETC.resolve(netnsName).resolve("resolv.conf");
    }

    /** Writes the pod's resolv.conf under /etc/netns/{@code netnsName}/. */
    static void write(String netnsName, String clusterDnsIp, String namespace) throws IOException {
        final Path file = fileFor(netnsName);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text(clusterDnsIp, namespace));
        } catch (IOException e) {
            throw new IOException("cannot write the pod's resolv.conf " + file + ": " + e.getMessage(), e);
        }
    }

    /** Removes the file and its directory; nothing when they are gone already. */
    static void delete(String netnsName) throws IOException {
        final Path file = fileFor(netnsName);
        Files.deleteIfExists(file);
        Files.deleteIfExists(file.getParent());
    }
}
