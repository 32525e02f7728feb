package io.isthmus.fastpath.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * The ethtool ioctl ({@code SIOCETHTOOL}): a {@code struct ifreq} naming the interface and pointing
 * at the command's struct, on a datagram socket, so that it answers for the calling thread's
 * network namespace. Callers fill the command struct (its first u32 is the {@code ETHTOOL_*}
 * command) and read the kernel's answer from it.
 *
 * <pre>
 *   struct ifreq { char ifr_name[IFNAMSIZ = 16]; union { ...; void *ifr_data; }; }   40 bytes
 * </pre>
 *
 * <p><b>Thread-safety:</b> stateless; slow path only (system calls, allocation).
 */
public final class Ethtool {
    private static final long SIOCETHTOOL = 0x8946;
    private static final int IFNAMSIZ = 16;
    private static final int IFREQ_BYTES = 40;

    private Ethtool() {
    }

    /** A socket to pass to {@link #call}; the caller closes it ({@link Libc#close}). */
    public static int socket() {
        return Libc.socket(PosixConstants.AF_INET, PosixConstants.SOCK_DGRAM | PosixConstants.SOCK_CLOEXEC, 0);
    }

    /**
     * Runs the ethtool command in {@code command} on {@code interfaceName}; throws a
     * {@link LinuxException} naming {@code what} and the interface when the kernel refuses.
     */
    public static void call(int fd, Arena arena, String interfaceName, MemorySegment command, String what) {
        final byte[] name = interfaceName.getBytes(StandardCharsets.US_ASCII);
        if (name.length == 0 || name.length >= IFNAMSIZ) {
            throw new IllegalArgumentException("interface name '" + interfaceName + "' must be 1.." + (IFNAMSIZ - 1) + " bytes");
        }
        final MemorySegment ifreq = arena.allocate(IFREQ_BYTES, 8);
        MemorySegment.copy(name, 0, ifreq, ValueLayout.JAVA_BYTE, 0, name.length);
        ifreq.set(ValueLayout.ADDRESS, IFNAMSIZ, command);
        Libc.ioctl(fd, SIOCETHTOOL, ifreq, "SIOCETHTOOL " + what + " " + interfaceName);
    }
}
