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
 * <p>The frames sit on 2 MiB boundaries and are advised as transparent huge pages
 * ({@code MADV_HUGEPAGE}; THP's usual "madvise" mode needs the advice): the copies in and out of
 * the UMEM (the AF_XDP receive copy, the AF_PACKET send of a super-packet, which reads it through
 * this process's page tables) then walk one TLB entry per 2 MiB instead of one per 4 KiB, which
 * matters most in a virtual machine, where every TLB miss is a two-level walk. Where the kernel
 * refuses the advice the memory stays in 4 KiB pages (same behaviour, slower copies).
 *
 * <p><b>Thread-safety:</b> created and closed by the slow path; the frames are owned as
 * {@link FrameMemory} says. {@link #close()} only after every socket using it is closed.
 */
public final class Umem implements AutoCloseable {
    /** The huge page size the frames are aligned to. */
    static final long HUGE_PAGE_BYTES = 2L << 20;

    /** {@code -Disthmus.umem.hugePages=false}: 4 KiB pages (for side-by-side measurements). */
    private static final boolean HUGE_PAGES = !"false".equals(System.getProperty("isthmus.umem.hugePages"));

    /** The whole mapping (what munmap takes): the frames plus up to one huge page of alignment slack. */
    private final MemorySegment mapping;
    /** The frames: {@code mapping} from its first 2 MiB boundary on. */
    private final MemorySegment frames;
    private final FrameMemory memory;
    private final boolean hugePagesAdvised;
    private boolean closed;

    private Umem(MemorySegment mapping, MemorySegment frames, FrameMemory memory, boolean hugePagesAdvised) {
        this.mapping = mapping;
        this.frames = frames;
        this.memory = memory;
        this.hugePagesAdvised = hugePagesAdvised;
    }

    /** Maps {@code frameCount} frames of {@code frameSizeBytes} (a power of two, 2048 or 4096). */
    public static Umem allocate(int frameCount, int frameSizeBytes) {
        final long bytes = (long) frameCount * frameSizeBytes;
        final MemorySegment mapping = Libc.mmap(bytes + HUGE_PAGE_BYTES, PosixConstants.PROT_READ | PosixConstants.PROT_WRITE,
                PosixConstants.MAP_PRIVATE | PosixConstants.MAP_ANONYMOUS, -1, 0, "UMEM " + frameCount + "x" + frameSizeBytes);
        try {
            final long slack = (HUGE_PAGE_BYTES - (mapping.address() & (HUGE_PAGE_BYTES - 1))) & (HUGE_PAGE_BYTES - 1);
            final MemorySegment frames = mapping.asSlice(slack, bytes);
            final boolean huge = HUGE_PAGES && Libc.madvise(frames, PosixConstants.MADV_HUGEPAGE) == 0;
            if (Libc.madvise(frames, PosixConstants.MADV_POPULATE_WRITE) != 0) {
                frames.fill((byte) 0); // a kernel before 5.14: fault every page in now, as MAP_POPULATE did
            }
            return new Umem(mapping, frames, new FrameMemory(frames, frameSizeBytes, frameCount), huge);
        } catch (RuntimeException e) {
            Libc.munmap(mapping, "UMEM");
            throw e;
        }
    }

    /** True when the kernel took the huge page advice (it may still back some of it with 4 KiB pages). */
    public boolean hugePagesAdvised() {
        return hugePagesAdvised;
    }

    public FrameMemory memory() {
        return memory;
    }

    /** Registers this memory with the AF_XDP socket {@code socketFd} (the first socket of the worker). */
    void register(int socketFd) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment reg = arena.allocate(XdpUmemReg.LAYOUT);
            XdpUmemReg.ADDR.set(reg, frames.address());
            XdpUmemReg.LEN.set(reg, frames.byteSize());
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
