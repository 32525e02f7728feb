package io.isthmus.slowpath.up;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Plays the container runtime for one pod: makes its network namespace, wires it with the CNI
 * plugin executed as a runtime executes it ({@link CniPluginRunner}), then starts the container's
 * command inside the namespace, in a session of its own, its output appended to a log file of the
 * state directory. {@link #stop} undoes all of it and works from the persisted {@link PodRecord}
 * alone, so {@code down} can use it after {@code up} crashed.
 *
 * <p><b>Thread-safety:</b> not thread-safe; one thread uses it at a time ({@link NodePodWatcher}'s
 * worker, then the thread that closes the session). The launched processes' map alone is
 * concurrent: {@link #exitCode} and {@link #stop} take entries out of it.
 */
public final class PodRunner {
    private static final System.Logger LOG = System.getLogger(PodRunner.class.getName());
    /** The pod's interface name, as kubelet asks for it. */
    public static final String POD_IFNAME = "eth0";
    private static final long STOP_GRACE_MS = 3_000;
    /** The exit code reported for a process whose code cannot be known (not launched by this runner). */
    public static final int UNKNOWN_EXIT_CODE = -1;

    private final UpState state;
    private final CniPluginRunner cni;
    private final String nodeName;
    private final String netnsPrefix;
    private final String clusterDnsIp;
    /** The commands launched whose exit nobody asked for yet, by pid (concurrent: a stop may race an exit). */
    private final Map<Long, Process> launched = new ConcurrentHashMap<>();

    /** @param netnsPrefix what every namespace name starts with ({@link NetworkNamespaces#PREFIX}) */
    public PodRunner(UpState state, CniPluginRunner cni, String nodeName, String netnsPrefix) {
        this(state, cni, nodeName, netnsPrefix, io.isthmus.slowpath.agent.dns.ClusterDnsConfig.DEFAULT_SERVICE_IP);
    }

    /** @param clusterDnsIp the nameserver of the pods' resolv.conf (the agent's cluster DNS address) */
    public PodRunner(UpState state, CniPluginRunner cni, String nodeName, String netnsPrefix, String clusterDnsIp) {
        this.clusterDnsIp = clusterDnsIp;
        this.state = state;
        this.cni = cni;
        this.nodeName = nodeName;
        this.netnsPrefix = netnsPrefix;
    }

    /**
     * Starts {@code pod}: returns its record with address and pid. On failure whatever was made is
     * undone and the cause is thrown.
     */
    public PodRecord start(Pod pod) throws IOException {
        final String namespace = pod.getMetadata().getNamespace() == null ? "default" : pod.getMetadata().getNamespace();
        final String name = pod.getMetadata().getName();
        try { // a pod that cannot run is refused before anything is made for it
            ContainerCommand.of(pod, "", nodeName);
        } catch (IllegalArgumentException e) {
            throw new UnrunnableSpec(e.getMessage(), e);
        }
        final String netns = NetworkNamespaces.nameFor(netnsPrefix, namespace, name);
        final Path recordFile = state.podRecordFile(namespace, name);
        final Optional<PodRecord> earlier = state.pod(namespace, name);
        if (earlier.isPresent()) { // an earlier attempt whose undoing failed part-way (CNI DEL refused): finish it first
            LOG.log(System.Logger.Level.INFO, "removing what an earlier attempt left", "pod", earlier.get().key(),
                    "containerId", earlier.get().containerId());
            stop(earlier.get());
        }
        PodRecord record = new PodRecord(namespace, name, netns, netns + "-" + UUID.randomUUID().toString().substring(0, 8), "", 0);
        record.write(recordFile); // first: a crash from here on leaves enough for 'down'
        try {
            NetworkNamespaces.add(netns);
        } catch (IOException e) { // e.g. the name is taken: that namespace is not ours to remove
            Files.deleteIfExists(recordFile);
            throw e;
        }
        try {
            PodResolvConf.write(netns, clusterDnsIp, namespace);
            final JsonNode result = cni.add(record.containerId(), record.netnsPath(), POD_IFNAME, cniArgs(record));
            record = record.withAddress(CniPluginRunner.firstAddress(result));
            record.write(recordFile);
            final ContainerCommand command = ContainerCommand.of(pod, record.podIp(), nodeName);
            requireExecutable(command);
            final Process process = launch(netns, command, state.podLog(namespace, name));
            launched.put(process.pid(), process);
            record = record.withPid(process.pid());
            record.write(recordFile);
            return record;
        } catch (IOException | RuntimeException e) {
            try {
                stop(record);
            } catch (IOException | RuntimeException cleanupFailure) {
                e.addSuppressed(cleanupFailure);
            }
            throw e instanceof IOException io ? io : new IOException("cannot start Pod " + record.key() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs the pod's command again in its existing namespace, with its address (the sandbox stays:
     * no new CNI ADD), as a kubelet restarts a container; returns the record with the new pid, also
     * written to the state directory. Throws when the command cannot be started (its executable is
     * gone, ...), leaving the sandbox as it was.
     */
    public PodRecord restart(Pod pod, PodRecord record) throws IOException {
        final ContainerCommand command;
        try {
            command = ContainerCommand.of(pod, record.podIp(), nodeName);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        requireExecutable(command);
        final Process process = launch(record.netnsName(), command, state.podLog(record.namespace(), record.name()));
        launched.put(process.pid(), process);
        final PodRecord restarted = record.withPid(process.pid());
        restarted.write(state.podRecordFile(record.namespace(), record.name()));
        return restarted;
    }

    /**
     * The exit code of the command {@code record} started, once it exits ({@link #UNKNOWN_EXIT_CODE}
     * for a process this runner did not launch). Each record's exit is asked for once.
     */
    public CompletableFuture<Integer> exitCode(PodRecord record) {
        final Process process = launched.remove(record.pid());
        if (process != null) {
            return process.onExit().thenApply(Process::exitValue);
        }
        return ProcessHandle.of(record.pid()).map(handle -> handle.onExit().thenApply(ended -> UNKNOWN_EXIT_CODE))
                .orElse(CompletableFuture.completedFuture(UNKNOWN_EXIT_CODE));
    }

    /**
     * The pod's spec is one {@code up} cannot run (no command, an unsupported field): trying again
     * cannot help, as a pod's spec does not change.
     */
    public static final class UnrunnableSpec extends IOException {
        UnrunnableSpec(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Refuses a command whose executable is missing, as a container runtime refuses to create the
     * container ({@code executable file not found}), instead of starting a process that ends at once.
     * A name without a slash is looked up in the command's {@code PATH}.
     */
    static void requireExecutable(ContainerCommand command) throws IOException {
        final String program = command.argv().getFirst();
        if (program.contains("/")) {
            final Path path = Path.of(command.workingDir()).resolve(program);
            if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
                throw new IOException("executable " + program + " not found (or not executable)");
            }
            return;
        }
        final String searchPath = command.environment().getOrDefault("PATH", "");
        for (String directory : searchPath.split(":")) {
            final Path candidate = Path.of(directory.isEmpty() ? "." : directory).resolve(program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return;
            }
        }
        throw new IOException("executable " + program + " not found in PATH " + searchPath);
    }

    /** {@code CNI_ARGS} as kubelet passes them: which pod the sandbox is for. */
    static String cniArgs(PodRecord record) {
        return "IgnoreUnknown=1;K8S_POD_NAMESPACE=" + record.namespace() + ";K8S_POD_NAME=" + record.name()
                + ";K8S_POD_INFRA_CONTAINER_ID=" + record.containerId();
    }

    /** Runs {@code command} in {@code netns} as the leader of a new session; output appended to {@code log}. */
    static Process launch(String netns, ContainerCommand command, Path log) throws IOException {
        final List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", netns, "setsid"));
        argv.addAll(command.argv());
        final ProcessBuilder builder = new ProcessBuilder(argv)
                .directory(Path.of(command.workingDir()).toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().clear();
        builder.environment().putAll(command.environment());
        Files.createDirectories(log.getParent());
        return builder.start();
    }

    /**
     * Undoes {@link #start}: ends every process in the pod's namespace (SIGTERM, then SIGKILL after
     * 3 s), runs CNI DEL, deletes the namespace (which takes the veth with it) and the record.
     * Idempotent. When CNI DEL fails (no agent after a crash) the namespace is still deleted, the
     * record is kept (the next {@link #start} of the pod, or {@code down}, finishes the job: the
     * address is released only by CNI DEL) and the failure is thrown at the end.
     */
    public void stop(PodRecord record) throws IOException {
        terminate(record);
        launched.remove(record.pid());
        IOException cniFailure = null;
        try {
            cni.delete(record.containerId(), record.netnsPath(), POD_IFNAME, cniArgs(record), null);
        } catch (IOException e) {
            cniFailure = e;
        }
        NetworkNamespaces.delete(record.netnsName());
        PodResolvConf.delete(record.netnsName());
        if (cniFailure != null) {
            throw cniFailure;
        }
        Files.deleteIfExists(state.podRecordFile(record.namespace(), record.name()));
    }

    /** Ends the pod's processes: those in its namespace and the recorded leader. Bounded in time. */
    static void terminate(PodRecord record) {
        final List<ProcessHandle> processes = new ArrayList<>();
        for (long pid : NetworkNamespaces.processesIn(record.netnsName())) {
            ProcessHandle.of(pid).ifPresent(processes::add);
        }
        if (record.pid() > 0) {
            Optional<ProcessHandle> leader = ProcessHandle.of(record.pid());
            // only if it still is the pod's process (a recycled pid would be someone else's)
            leader.filter(p -> inNamespace(p, record.netnsName())).ifPresent(processes::add);
        }
        processes.forEach(ProcessHandle::destroy);
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_GRACE_MS);
        for (ProcessHandle process : processes) {
            final long leftNs = deadline - System.nanoTime();
            try {
                process.onExit().get(Math.max(leftNs, 1), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                process.destroyForcibly(); // SIGKILL: gone within the next second
                try {
                    process.onExit().get(1, TimeUnit.SECONDS);
                } catch (Exception stillThere) {
                    LOG.log(System.Logger.Level.WARNING, "a pod process outlived SIGKILL for 1 s", "pid", process.pid(), "pod", record.key());
                }
            }
        }
    }

    private static boolean inNamespace(ProcessHandle process, String netns) {
        return NetworkNamespaces.processesIn(netns).contains(process.pid());
    }
}
