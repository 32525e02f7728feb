package io.isthmus.fastpath.bpf;

import io.isthmus.fastpath.linux.Libc;
import io.isthmus.fastpath.linux.LinuxException;
import io.isthmus.fastpath.linux.PosixConstants;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * What the XDP mode {@code auto} (no mode asked for) means for one interface.
 *
 * <p>A veth whose socket is multi-buffer gets GENERIC. On a veth, native XDP takes the software
 * GSO features (TSO, GSO) away from the PEER end (the kernel's {@code veth_fix_features} while a
 * native program is attached): the pod's stack then segments every TCP send into 1,448-byte
 * segments and the veth runs XDP and copies once per segment. With generic XDP the pod keeps TSO,
 * its 64 KiB super-packets reach the multi-buffer socket whole, and TCP pod to pod measured
 * 0.55-0.65x the kernel's against 0.33-0.37x native (benchmarks/RESULTS.md, sessions 5 and 6); for
 * 64-byte packets the two modes measured alike (RESULTS.md, session 6 (tcp)). Without multi-buffer
 * a super-packet could not be received at all, so there, and on every other driver (a NIC's
 * native XDP runs before any skb exists), it is native first, generic if the driver refuses.
 *
 * <p><b>Thread-safety:</b> stateless; each call opens and closes its own socket.
 */
public final class XdpAutoMode {
    private static final long SIOCETHTOOL = 0x8946;
    private static final int ETHTOOL_GDRVINFO = 0x03;
    /** struct ethtool_drvinfo: u32 cmd, char driver[32], ... (196 bytes). */
    private static final int DRVINFO_BYTES = 196;
    private static final int DRIVER_OFFSET = 4;
    private static final int DRIVER_BYTES = 32;
    private static final int IFREQ_BYTES = 40;
    private static final int IFNAMSIZ = 16;

    private XdpAutoMode() {
    }

    /** The mode to attach in, or null for "native, else generic". */
    public static XdpMode choose(String driver, boolean multiBuffer) {
        return multiBuffer && "veth".equals(driver) ? XdpMode.GENERIC : null;
    }

    /** {@link #choose(String, boolean)} for the interface {@code ifName} of the calling thread's namespace. */
    public static XdpMode forInterface(String ifName, boolean multiBuffer) {
        return multiBuffer ? choose(driverOf(ifName), true) : null;
    }

    /** The interface's driver as ethtool names it ({@code ETHTOOL_GDRVINFO}), or "" when it has none to tell. */
    public static String driverOf(String ifName) {
        final int fd = Libc.socket(PosixConstants.AF_INET, PosixConstants.SOCK_DGRAM | PosixConstants.SOCK_CLOEXEC, 0);
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment info = arena.allocate(DRVINFO_BYTES, 4);
            info.set(ValueLayout.JAVA_INT, 0, ETHTOOL_GDRVINFO);
            final MemorySegment ifreq = arena.allocate(IFREQ_BYTES, 8);
            final byte[] name = ifName.getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(name, 0, ifreq, ValueLayout.JAVA_BYTE, 0, Math.min(name.length, IFNAMSIZ - 1));
            ifreq.set(ValueLayout.ADDRESS, IFNAMSIZ, info);
            Libc.ioctl(fd, SIOCETHTOOL, ifreq, "SIOCETHTOOL ETHTOOL_GDRVINFO " + ifName);
            return info.asSlice(DRIVER_OFFSET, DRIVER_BYTES).getString(0, StandardCharsets.US_ASCII);
        } catch (LinuxException e) {
            return ""; // a device without ethtool operations: not a veth
        } finally {
            Libc.close(fd, "ethtool socket");
        }
    }
}
