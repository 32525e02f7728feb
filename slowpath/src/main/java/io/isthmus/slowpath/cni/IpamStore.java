package io.isthmus.slowpath.cni;

import java.io.IOException;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Pod addresses from the node's pod CIDR, persisted so that an agent restart never hands out an
 * address twice. One file per address, {@code DIR/NETWORK/A.B.C.D}, holding the container ID and
 * interface name (the layout of the reference host-local plugin); creating the file is the
 * allocation, so a crash between steps can leak an address until GC, never duplicate one.
 * Allocation rotates from the last address handed out, so a freed address is not reused at once.
 *
 * <p><b>Thread-safety:</b> single writer. The CNI server calls it from its one request thread;
 * nothing else writes the directory.
 */
public final class IpamStore {
    private static final System.Logger LOG = System.getLogger(IpamStore.class.getName());
    private static final String LAST_RESERVED = "last_reserved_ip";

    private final Path directory;
    private final Ipv4Cidr podCidr;

    public IpamStore(Path directory, Ipv4Cidr podCidr) {
        if (podCidr.prefixLength() > 30) {
            throw new IllegalArgumentException("pod CIDR " + podCidr + " is too small (at most /30)");
        }
        this.directory = directory;
        this.podCidr = podCidr;
    }

    public Ipv4Cidr podCidr() {
        return podCidr;
    }

    /** The attachment's address, if it has one. */
    public Optional<Allocation> find(String network, String containerId, String ifName) throws IOException {
        for (Allocation allocation : all(network)) {
            if (allocation.sameAttachment(network, containerId, ifName)) {
                return Optional.of(allocation);
            }
        }
        return Optional.empty();
    }

    /** The networks that have (or had) addresses handed out, by name. */
    public List<String> networks() throws IOException {
        final List<String> names = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return names;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(directory, Files::isDirectory)) {
            for (Path dir : dirs) {
                names.add(dir.getFileName().toString());
            }
        }
        names.sort(null);
        return names;
    }

    /** Every address handed out in {@code network}, in address order. */
    public List<Allocation> all(String network) throws IOException {
        final Path networkDir = networkDirectory(network);
        final List<Allocation> found = new ArrayList<>();
        if (!Files.isDirectory(networkDir)) {
            return found;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(networkDir, "*.*.*.*")) {
            for (Path file : files) {
                final List<String> lines;
                try {
                    lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                } catch (NoSuchFileException e) {
                    continue;
                }
                if (lines.size() >= 2) {
                    found.add(new Allocation(network, lines.get(0), lines.get(1), Ipv4Cidr.parseAddress(file.getFileName().toString())));
                }
            }
        }
        found.sort(Comparator.comparingLong(a -> Integer.toUnsignedLong(Ipv4Cidr.toInt(a.address()))));
        return found;
    }

    /**
     * A new address for the attachment. Throws {@link CniException#ALREADY_ATTACHED} when it has one
     * and {@link CniException#ADDRESSES_EXHAUSTED} when the pod CIDR is full.
     */
    public Allocation allocate(String network, String containerId, String ifName) throws IOException, CniException {
        if (find(network, containerId, ifName).isPresent()) {
            throw new CniException(CniException.ALREADY_ATTACHED,
                    "container " + containerId + " interface " + ifName + " is already attached to network " + network);
        }
        final Path networkDir = networkDirectory(network);
        Files.createDirectories(networkDir);
        final int first = podCidr.network() + 1;                       // not the network address
        final long usable = podCidr.size() - 2;                         // nor the broadcast address
        final int start = lastReserved(networkDir).map(last -> Ipv4Cidr.toInt(last) + 1).orElse(first);
        for (long i = 0; i < usable; i++) {
            final int candidate = first + (int) Math.floorMod((long) (start - first) + i, usable);
            final Inet4Address address = Ipv4Cidr.toAddress(candidate);
            try {
                Files.writeString(networkDir.resolve(address.getHostAddress()), containerId + "\n" + ifName + "\n",
                        StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException taken) {
                continue;
            }
            writeLastReserved(networkDir, address);
            return new Allocation(network, containerId, ifName, address);
        }
        throw new CniException(CniException.ADDRESSES_EXHAUSTED, "no free address left in pod CIDR " + podCidr);
    }

    /** Gives the attachment's address back. Returns what was released, if anything (idempotent). */
    public Optional<Allocation> release(String network, String containerId, String ifName) throws IOException {
        final Optional<Allocation> allocation = find(network, containerId, ifName);
        if (allocation.isPresent()) {
            Files.deleteIfExists(networkDirectory(network).resolve(allocation.get().address().getHostAddress()));
        }
        return allocation;
    }

    private Path networkDirectory(String network) {
        if (network.isEmpty() || network.contains("/") || network.startsWith(".")) {
            throw new IllegalArgumentException("network name '" + network + "' cannot name a directory");
        }
        return directory.resolve(network);
    }

    private Optional<Inet4Address> lastReserved(Path networkDir) {
        try {
            final Inet4Address last = Ipv4Cidr.parseAddress(Files.readString(networkDir.resolve(LAST_RESERVED)).trim());
            return podCidr.contains(last) ? Optional.of(last) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static void writeLastReserved(Path networkDir, Inet4Address address) {
        try {
            final Path temporary = networkDir.resolve(LAST_RESERVED + ".tmp");
            Files.writeString(temporary, address.getHostAddress());
            Files.move(temporary, networkDir.resolve(LAST_RESERVED), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) { // only a hint for rotation: the allocation itself (the file) stands
            LOG.log(System.Logger.Level.WARNING, "cannot record the last reserved address", "dir", networkDir, "error", e.getMessage());
        }
    }
}
