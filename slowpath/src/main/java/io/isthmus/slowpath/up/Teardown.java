package io.isthmus.slowpath.up;

import io.isthmus.slowpath.cni.PodAttachment;
import io.isthmus.slowpath.netlink.RouteNetlink;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code isthmus down}: removes what {@code up} made, from the state directory alone, so it works
 * after {@code up} crashed and when run twice. First it asks a live session to end itself (SIGTERM:
 * it stops its pods through CNI DEL and its agent); whatever is still there afterwards is removed
 * directly: the pods' processes, their namespaces (which take the veths, and so the XDP
 * attachments, with them), a host veth still left, the agent's host port veth (its addresses and
 * pod CIDR route go with it), the agent's shared-memory files, the state. The uplink's XDP
 * attachment ({@code up --uplink}) is a BPF link of the session's process and ends with it; down
 * checks that it did and says so if the interface still carries a program.
 */
public final class Teardown {
    private static final long SESSION_EXIT_TIMEOUT_SECONDS = 60;

    private Teardown() {
    }

    /** Returns true when there was something to remove. */
    public static boolean down(UpState state, PrintStream out, PrintStream err) throws IOException {
        if (!Files.exists(state.dir())) {
            return false;
        }
        final Optional<ProcessHandle> session = state.sessionProcess().filter(p -> p.pid() != ProcessHandle.current().pid());
        if (session.isPresent()) {
            out.println("isthmus down: ending the session (pid " + session.get().pid() + ")");
            session.get().destroy();
            try {
                session.get().onExit().get(SESSION_EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                err.println("isthmus down: the session did not end in " + SESSION_EXIT_TIMEOUT_SECONDS + " s; killing it");
                session.get().destroyForcibly();
                try {
                    session.get().onExit().get(5, TimeUnit.SECONDS);
                } catch (Exception stillThere) {
                    err.println("isthmus down: pid " + session.get().pid() + " outlived SIGKILL for 5 s");
                }
            }
        }
        for (PodRecord record : state.pods()) { // only what the session could not remove itself
            out.println("isthmus down: removing Pod " + record.key() + " (netns " + record.netnsName() + ")");
            PodRunner.terminate(record);
            NetworkNamespaces.delete(record.netnsName());
            PodResolvConf.delete(record.netnsName());
            deleteHostVeth(PodAttachment.hostInterfaceName(record.containerId(), PodRunner.POD_IFNAME), err);
            Files.deleteIfExists(state.podRecordFile(record.namespace(), record.name()));
        }
        if (Files.exists(state.hostPortFile())) { // the session's agent deletes it on a clean stop
            final String hostPort = Files.readString(state.hostPortFile()).strip();
            if (!hostPort.isEmpty()) {
                deleteHostVeth(hostPort, err);
            }
        }
        if (Files.exists(state.uplinkFile())) { // a BPF link of the session's process: gone with it, even after a crash
            final String uplink = Files.readString(state.uplinkFile()).strip();
            final Optional<String> left = uplink.isEmpty() ? Optional.empty() : UpUplink.xdpProgramOn(uplink);
            left.ifPresent(line -> err.println("isthmus down: the uplink " + uplink + " still carries an XDP program, not removed"
                    + " (another program's? the session's ended): " + line));
        }
        removeLeftoversAndState(state, err);
        return true;
    }

    private static void deleteHostVeth(String name, PrintStream err) {
        try (RouteNetlink netlink = new RouteNetlink()) {
            if (netlink.link(name).isPresent()) {
                netlink.deleteLink(name);
            }
        } catch (RuntimeException e) {
            err.println("isthmus down: cannot delete " + name + ": " + e.getMessage());
        }
    }

    /** Deletes the agent's leftovers listed in the state, then the state directory. */
    static void removeLeftoversAndState(UpState state, PrintStream err) throws IOException {
        for (String leftover : UpSession.lines(state.leftoversFile())) {
            try {
                deleteRecursively(Path.of(leftover));
            } catch (IOException e) {
                err.println("isthmus down: cannot remove " + leftover + ": " + e.getMessage());
            }
        }
        deleteRecursively(state.dir());
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            final List<Path> all = walk.sorted(Comparator.reverseOrder()).toList();
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        }
    }
}
