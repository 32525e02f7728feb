package io.isthmus.slowpath.up;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The state directory of {@code isthmus up} (default {@code /run/isthmus/up}): everything
 * {@code status}, {@code exec} and {@code down} need to find what {@code up} made, even after
 * {@code up} crashed.
 *
 * <pre>
 *   up.pid             pid of the process that runs the session (foreground or detached)
 *   ready              written once every pod runs (what --detach waits for)
 *   kubeconfig         how kubectl reaches the embedded API server
 *   metrics.url        where the agent serves its counters
 *   leftovers          paths the agent makes that outlive it (shared memory), one a line
 *   host-port          the host veth the agent makes (written before it exists), for down after a crash
 *   up.log             the detached session's own output
 *   cni/bin/isthmus    the CNI plugin (installed there by up), cni/net.conflist its configuration
 *   cni/ipam/          the addresses handed out
 *   pods/NS.NAME.properties   one {@link PodRecord} per pod, written BEFORE its namespace exists
 *   logs/NS.NAME.log   the pod's container output
 * </pre>
 *
 * <p>Outside the directory, one file is the session's too: its conntrack table
 * ({@link #conntrackTable()}: {@code /dev/shm/isthmus-up-conntrack} for the default directory,
 * {@code /dev/shm/isthmus-up-TAG-conntrack} for another, TAG a hash of the directory), so two
 * sessions with two state directories never open one table, and {@code isthmus conntrack} finds
 * the running session's table from the directory alone ({@link #runningConntrackTable()}).
 *
 * <p><b>Thread-safety:</b> one writer (the session's thread); readers are other processes
 * ({@code status}, {@code exec}, {@code down}). Files are replaced atomically (write, then rename).
 */
public final class UpState {
    /** The default state directory; {@code ISTHMUS_UP_STATE} (or the property {@code isthmus.up.state}) overrides it. */
    public static final Path DEFAULT_DIR = Path.of("/run/isthmus/up");

    /** The conntrack table of the session of {@link #DEFAULT_DIR} (the name sessions 1 to 6 used for every session). */
    public static final Path DEFAULT_CONNTRACK_TABLE = Path.of("/dev/shm/isthmus-up-conntrack");

    private final Path dir;

    public UpState(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** The directory from {@code isthmus.up.state} or {@code ISTHMUS_UP_STATE}, else {@link #DEFAULT_DIR}. */
    public static UpState fromEnvironment() {
        final String override = System.getProperty("isthmus.up.state", System.getenv("ISTHMUS_UP_STATE"));
        return new UpState(override == null || override.isBlank() ? DEFAULT_DIR : Path.of(override));
    }

    public Path dir() {
        return dir;
    }

    /**
     * The session's conntrack table in /dev/shm: {@link #DEFAULT_CONNTRACK_TABLE} for the default
     * directory, else {@code isthmus-up-TAG-conntrack} with {@link #tag()}. {@code down} removes it.
     */
    public Path conntrackTable() {
        return dir.equals(DEFAULT_DIR) ? DEFAULT_CONNTRACK_TABLE : Path.of("/dev/shm/isthmus-up-" + tag() + "-conntrack");
    }

    /** Eight hex digits of the SHA-256 of the directory's path: what this session's machine-wide names carry. */
    public String tag() {
        return NetworkNamespaces.hash(dir.toString()).substring(0, 8);
    }

    /** The conntrack table of the session of this directory while it runs (its pid file names a live process). */
    public Optional<Path> runningConntrackTable() {
        return sessionProcess().map(process -> conntrackTable());
    }

    public Path pidFile() {
        return dir.resolve("up.pid");
    }

    public Path readyFile() {
        return dir.resolve("ready");
    }

    public Path kubeconfig() {
        return dir.resolve("kubeconfig");
    }

    public Path metricsUrlFile() {
        return dir.resolve("metrics.url");
    }

    /** The name of the host end of the agent's host port (the veth {@code down} deletes if a crashed session left it). */
    public Path hostPortFile() {
        return dir.resolve("host-port");
    }

    /** The name of the interface the session attached as its uplink ({@code up --uplink}); absent when none. */
    public Path uplinkFile() {
        return dir.resolve("uplink");
    }

    /** Paths the agent makes that outlive it, one a line ({@link UpAgent#leftovers()}). */
    public Path leftoversFile() {
        return dir.resolve("leftovers");
    }

    public Path sessionLog() {
        return dir.resolve("up.log");
    }

    public Path cniBinDir() {
        return dir.resolve("cni/bin");
    }

    public Path cniConflist() {
        return dir.resolve("cni/net.conflist");
    }

    public Path cniSocket() {
        return dir.resolve("cni/cni.sock");
    }

    public Path ipamDir() {
        return dir.resolve("cni/ipam");
    }

    public Path podsDir() {
        return dir.resolve("pods");
    }

    public Path logsDir() {
        return dir.resolve("logs");
    }

    public Path podLog(String namespace, String name) {
        return logsDir().resolve(namespace + "." + name + ".log");
    }

    public Path podRecordFile(String namespace, String name) {
        return podsDir().resolve(namespace + "." + name + ".properties");
    }

    public void createDirectories() throws IOException {
        Files.createDirectories(podsDir());
        Files.createDirectories(logsDir());
        Files.createDirectories(cniBinDir());
        Files.createDirectories(ipamDir());
    }

    /** Writes {@code text} to {@code file} atomically. */
    public static void writeAtomically(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        final Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(temporary, text, StandardCharsets.UTF_8);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The pid of the session, when its file names a live process. */
    public Optional<ProcessHandle> sessionProcess() {
        try {
            final long pid = Long.parseLong(Files.readString(pidFile()).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Every pod record, in file name order; a record that cannot be read is reported and skipped. */
    public List<PodRecord> pods() throws IOException {
        final List<PodRecord> records = new ArrayList<>();
        if (!Files.isDirectory(podsDir())) {
            return records;
        }
        try (Stream<Path> files = Files.list(podsDir())) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".properties")).sorted().toList()) {
                try {
                    records.add(PodRecord.read(file));
                } catch (IOException | IllegalArgumentException e) {
                    System.getLogger(UpState.class.getName()).log(System.Logger.Level.WARNING, "ignoring an unreadable pod record", "file", file, "error", e.getMessage());
                }
            }
        }
        return records;
    }

    /** The record of {@code namespace/name}, if up made that pod. */
    public Optional<PodRecord> pod(String namespace, String name) throws IOException {
        final Path file = podRecordFile(namespace, name);
        return Files.exists(file) ? Optional.of(PodRecord.read(file)) : Optional.empty();
    }
}
