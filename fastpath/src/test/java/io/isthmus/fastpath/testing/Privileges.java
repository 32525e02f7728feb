package io.isthmus.fastpath.testing;

import io.isthmus.fastpath.linux.Libc;
import io.isthmus.fastpath.linux.LinuxException;
import io.isthmus.fastpath.linux.PosixConstants;
import io.isthmus.fastpath.linux.XdpConstants;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What tests that touch the kernel need, checked once: root (euid 0), a working
 * {@code socket(AF_XDP)}, and the {@code ip} tool. Tests call {@link #assumeRootAndAfXdp()}, which
 * SKIPS them with a message saying what is missing, never silently.
 */
public final class Privileges {
    private static final String MISSING = probe();

    private Privileges() {
    }

    private static String probe() {
        if (Libc.geteuid() != 0) {
            return "not root (euid " + Libc.geteuid() + "): network namespaces, XDP and AF_XDP need root";
        }
        try {
            final int fd = Libc.socket(XdpConstants.AF_XDP, PosixConstants.SOCK_RAW | PosixConstants.SOCK_CLOEXEC, 0);
            Libc.close(fd, "AF_XDP probe");
        } catch (LinuxException e) {
            return "AF_XDP sockets are not available (" + e.getMessage() + "): kernel without CONFIG_XDP_SOCKETS?";
        }
        if (!Shell.run(10, "ip", "-V").ok()) {
            return "the 'ip' tool (iproute2) is missing";
        }
        return null;
    }

    /** Why kernel tests cannot run here, or null when they can. */
    public static String missing() {
        return MISSING;
    }

    /** Skips the calling test, with the reason, unless root and AF_XDP are available. */
    public static void assumeRootAndAfXdp() {
        assumeTrue(MISSING == null, () -> "SKIPPED (needs root + AF_XDP): " + MISSING);
    }
}
