package io.isthmus.fastpath.xsk;

import io.isthmus.fastpath.frame.FrameMemory;
import io.isthmus.fastpath.linux.Libc;
import io.isthmus.fastpath.linux.PosixConstants;
import io.isthmus.fastpath.linux.XdpConstants;
import io.isthmus.fastpath.linux.XdpUmemReg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The UMEM of one worker: page-aligned anonymous memory, cut into equal frames, registered with
 * the first AF_XDP socket ({@code XDP_UMEM_REG}) and shared by every other socket of the worker
 * ({@code XDP_SHARED_UMEM}), so a frame received on one port is sent on another without a copy.
 * Exposed to the rest of the fast path as a {@link FrameMemory}.
 *
 * <pre>
 *   mmap(frameCount * frameSize), aligned mode (chunk = frame, no UMEM headroom)
 *   +---------+---------+---------+-- ... --+
 *   | frame 0 | frame 1 | frame 2 |         |     descriptor addr = offset from the start
 *   +---------+---------+---------+-- ... --+
 * </pre>
 *
 * <p><b>Thread-safety:</b> created and closed by the slow path; the frames are owned as
 * {@link FrameMemory} says. {@link #close()} only after every socket using it is closed.
 */
public final class Umem implements AutoCloseable {
    private final MemorySegment mapping;
    private final FrameMemory memory;
    private boolean closed;

    private Umem(MemorySegment mapping, FrameMemory memory) {
        this.mapping = mapping;
        this.memory = memory;
    }

    /** Maps {@code frameCount} frames of {@code frameSizeBytes} (a power of two, 2048 or 4096). */
    public static Umem allocate(int frameCount, int frameSizeBytes) {
        final long bytes = (long) frameCount * frameSizeBytes;
        final MemorySegment mapping = Libc.mmap(bytes, PosixConstants.PROT_READ | PosixConstants.PROT_WRITE,
                PosixConstants.MAP_PRIVATE | PosixConstants.MAP_ANONYMOUS | PosixConstants.MAP_POPULATE, -1, 0,
                "UMEM " + frameCount + "x" + frameSizeBytes);
        try {
            return new Umem(mapping, new FrameMemory(mapping, frameSizeBytes, frameCount));
        } catch (RuntimeException e) {
            Libc.munmap(mapping, "UMEM");
            throw e;
        }
    }

    public FrameMemory memory() {
        return memory;
    }

    /** Registers this memory with the AF_XDP socket {@code socketFd} (the first socket of the worker). */
    void register(int socketFd) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment reg = arena.allocate(XdpUmemReg.LAYOUT);
            XdpUmemReg.ADDR.set(reg, mapping.address());
            XdpUmemReg.LEN.set(reg, mapping.byteSize());
            XdpUmemReg.CHUNK_SIZE.set(reg, memory.frameSizeBytes());
            XdpUmemReg.HEADROOM.set(reg, 0);
            XdpUmemReg.FLAGS.set(reg, 0);
            Libc.setsockopt(socketFd, XdpConstants.SOL_XDP, XdpConstants.XDP_UMEM_REG, reg,
                    "XDP_UMEM_REG " + memory.frameCount() + " frames of " + memory.frameSizeBytes() + " bytes");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Libc.munmap(mapping, "UMEM");
        }
    }
}
