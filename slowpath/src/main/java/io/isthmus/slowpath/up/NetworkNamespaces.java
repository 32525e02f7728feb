package io.isthmus.slowpath.up;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Named network namespaces ({@code /var/run/netns/NAME}) for the pods of {@code up}, made and
 * removed with iproute2's {@code ip netns}, the tool container runtimes' users know (an exception
 * to the slow path's "no shelling out": it is how {@code up} plays a container runtime, not how
 * the agent configures the network).
 */
public final class NetworkNamespaces {
    /** Where named namespaces live. */
    public static final Path NETNS_DIR = Path.of("/var/run/netns");
    /** Every namespace {@code up} makes starts with this. */
    public static final String PREFIX = "isthmus-";
    private static final int MAX_NAME_LENGTH = 40;

    private NetworkNamespaces() {
    }

    public static Path path(String name) {
        return NETNS_DIR.resolve(name);
    }

    /**
     * {@code isthmus-NAMESPACE-POD}, shortened to 40 characters with a hash of the full name so two
     * long names never collide.
     */
    public static String nameFor(String namespace, String pod) {
        return nameFor(PREFIX, namespace, pod);
    }

    /** {@link #nameFor(String, String)} with another prefix (tests keep theirs apart with one). */
    public static String nameFor(String prefix, String namespace, String pod) {
        final String full = prefix + namespace + "-" + pod;
        if (full.length() <= MAX_NAME_LENGTH) {
            return full;
        }
        return full.substring(0, MAX_NAME_LENGTH - 9) + "-" + hash(namespace + "/" + pod).substring(0, 8);
    }

    public static void add(String name) throws IOException {
        final ExternalCommand.Result result = ExternalCommand.run(30, List.of("ip", "netns", "add", name));
        if (!result.ok()) {
            throw new IOException("cannot create network namespace " + name + ": " + result.describe());
        }
    }

    /** Deletes the namespace; returns false when there was none (idempotent). */
    public static boolean delete(String name) throws IOException {
        if (!Files.exists(path(name))) {
            return false;
        }
        final ExternalCommand.Result result = ExternalCommand.run(30, List.of("ip", "netns", "delete", name));
        if (!result.ok() && Files.exists(path(name))) {
            throw new IOException("cannot delete network namespace " + name + ": " + result.describe());
        }
        return true;
    }

    /**
     * The pids of every process whose network namespace is {@code name}'s, found by comparing
     * {@code /proc/PID/ns/net} with the namespace file's inode (so children the container command
     * forked are found too).
     */
    public static List<Long> processesIn(String name) {
        final List<Long> pids = new ArrayList<>();
        final long inode;
        try {
            inode = ((Number) Files.getAttribute(path(name), "unix:ino")).longValue();
        } catch (IOException | UnsupportedOperationException e) {
            return pids;
        }
        final String expected = "net:[" + inode + "]";
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : entries.toList()) {
                final String pid = entry.getFileName().toString();
                if (!pid.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    if (expected.equals(Files.readSymbolicLink(entry.resolve("ns/net")).toString())) {
                        pids.add(Long.parseLong(pid));
                    }
                } catch (IOException e) {
                    // the process ended meanwhile, or is a kernel thread: not ours
                }
            }
        } catch (IOException e) {
            return pids;
        }
        return pids;
    }

    static String hash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)))
                    .toLowerCase(Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }
}
