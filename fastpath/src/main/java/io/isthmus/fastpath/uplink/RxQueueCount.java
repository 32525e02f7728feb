package io.isthmus.fastpath.uplink;

import io.isthmus.fastpath.linux.Errno;
import io.isthmus.fastpath.linux.Ethtool;
import io.isthmus.fastpath.linux.Libc;
import io.isthmus.fastpath.linux.LinuxException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * How many receive queues an interface has, i.e. the values XDP's {@code rx_queue_index} takes on
 * it: the uplink opens one AF_XDP socket per queue.
 *
 * <p>First {@code ETHTOOL_GCHANNELS} ({@link Ethtool}, so it answers for the calling thread's network namespace): queues = combined channels + RX-only channels. A driver
 * without channel information ({@code EOPNOTSUPP}) is read from sysfs instead
 * ({@code /sys/class/net/IF/queues/rx-*}, the kernel's {@code real_num_rx_queues}); a device that has
 * neither has one queue.
 *
 * <pre>
 *   struct ethtool_channels {            offset
 *       u32 cmd;                          0   ETHTOOL_GCHANNELS (0x3c)
 *       u32 max_rx, max_tx, max_other;    4, 8, 12
 *       u32 max_combined;                 16
 *       u32 rx_count;                     20  ◀ read
 *       u32 tx_count, other_count;        24, 28
 *       u32 combined_count;               32  ◀ read
 *   };                                    36 bytes
 * </pre>
 *
 * <p><b>Thread-safety:</b> stateless; slow path only (system calls, allocation).
 */
public final class RxQueueCount {
    static final int ETHTOOL_GCHANNELS = 0x3c;
    private static final int CHANNELS_BYTES = 36;
    private static final int RX_COUNT_OFFSET = 20;
    private static final int COMBINED_COUNT_OFFSET = 32;

    private RxQueueCount() {
    }

    /** The receive queues of {@code interfaceName} (at least 1). Throws naming the interface when it does not exist. */
    public static int of(String interfaceName) {
        final Channels channels = channels(interfaceName);
        if (channels != null) {
            return Math.max(1, channels.rxQueues());
        }
        return Math.max(1, fromSysfs(interfaceName));
    }

    /** The channel counts ethtool reports, or null when the driver has none ({@code EOPNOTSUPP}). */
    static Channels channels(String interfaceName) {
        final int fd = Ethtool.socket();
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment channels = arena.allocate(CHANNELS_BYTES, 4);
            channels.set(ValueLayout.JAVA_INT, 0, ETHTOOL_GCHANNELS);
            try {
                Ethtool.call(fd, arena, interfaceName, channels, "ETHTOOL_GCHANNELS");
            } catch (LinuxException e) {
                if (e.errno() == Errno.EOPNOTSUPP) {
                    return null;
                }
                throw e;
            }
            return new Channels(channels.get(ValueLayout.JAVA_INT, RX_COUNT_OFFSET),
                    channels.get(ValueLayout.JAVA_INT, COMBINED_COUNT_OFFSET));
        } finally {
            Libc.close(fd, "ethtool socket");
        }
    }

    /** The {@code rx-N} directories under /sys/class/net/IF/queues, or 1 when there are none to read. */
    static int fromSysfs(String interfaceName) {
        final Path queues = Path.of("/sys/class/net", interfaceName, "queues");
        if (!Files.isDirectory(queues)) {
            return 1;
        }
        try (Stream<Path> entries = Files.list(queues)) {
            return (int) entries.filter(p -> p.getFileName().toString().startsWith("rx-")).count();
        } catch (IOException e) {
            return 1;
        }
    }

    /** What {@code ETHTOOL_GCHANNELS} says: RX-only channels and combined (RX + TX) channels. */
    record Channels(int rxOnly, int combined) {
        int rxQueues() {
            return rxOnly + combined;
        }
    }
}
