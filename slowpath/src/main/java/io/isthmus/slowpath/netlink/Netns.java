package io.isthmus.slowpath.netlink;

import io.isthmus.fastpath.linux.Libc;
import io.isthmus.fastpath.linux.PosixConstants;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs work inside another network namespace. A thread's network namespace is its own
 * ({@code setns(2)} moves only the calling thread), so the work runs on a fresh platform thread that
 * enters the namespace and then ends: no thread of the JVM is left in the wrong namespace.
 */
public final class Netns {
    private Netns() {
    }

    /** Opens the namespace file (e.g. {@code /var/run/netns/NAME} or {@code /proc/PID/ns/net}); the caller closes it. */
    public static int open(Path netnsPath) {
        return Libc.open(netnsPath.toString(), PosixConstants.O_RDONLY | PosixConstants.O_CLOEXEC);
    }

    /** Runs {@code work} inside the namespace at {@code netnsPath} and returns its result. */
    public static <T> T run(Path netnsPath, Callable<T> work) throws Exception {
        final int fd = open(netnsPath);
        try {
            final AtomicReference<T> result = new AtomicReference<>();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread thread = Thread.ofPlatform().name("isthmus-netns").start(() -> {
                try {
                    Libc.setns(fd, PosixConstants.CLONE_NEWNET, netnsPath.toString());
                    result.set(work.call());
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            thread.join();
            switch (failure.get()) {
                case null -> { }
                case Exception e -> throw e;
                case Error e -> throw e;
                case Throwable t -> throw new IllegalStateException(t);
            }
            return result.get();
        } finally {
            Libc.close(fd, "netns " + netnsPath);
        }
    }
}
