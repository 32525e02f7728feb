package io.isthmus.fastpath.linux;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LibcTest {

    @Test
    void missingInterfaceNamesTheCallAndTheErrno() {
        final LinuxException e = assertThrows(LinuxException.class, () -> Libc.ifNameToIndex("isx-nope0"));
        assertEquals(Errno.ENODEV, e.errno());
        assertTrue(e.getMessage().startsWith("if_nametoindex(isx-nope0) failed: errno 19 ENODEV ("), e.getMessage());
        assertTrue(e.getMessage().contains("No such device"), e.getMessage());
    }

    @Test
    void loopbackHasAnIndex() {
        assertTrue(Libc.ifNameToIndex("lo") > 0);
    }

    @Test
    void mmapAndMunmapAnonymousMemory() {
        final MemorySegment m = Libc.mmap(8192, PosixConstants.PROT_READ | PosixConstants.PROT_WRITE,
                PosixConstants.MAP_PRIVATE | PosixConstants.MAP_ANONYMOUS, -1, 0, "test");
        assertEquals(0, m.address() % 4096);
        m.set(java.lang.foreign.ValueLayout.JAVA_LONG, 8184, 42L);
        assertEquals(42L, m.get(java.lang.foreign.ValueLayout.JAVA_LONG, 8184));
        Libc.munmap(m, "test");
    }

    @Test
    void rawCallsReturnMinusOneAndLeaveErrnoInTheCallState() {
        try (Arena arena = Arena.ofConfined()) {
            final CallState state = new CallState(arena);
            assertEquals(-1L, Libc.sendtoRaw(state, -1, PosixConstants.MSG_DONTWAIT));
            assertEquals(Errno.EBADF, state.errno());
            assertEquals(-1L, Libc.recvfromRaw(state, -1, PosixConstants.MSG_DONTWAIT));
            assertEquals(Errno.EBADF, state.errno());
        }
    }

    @Test
    void closeOfABadFdThrowsEbadf() {
        final LinuxException e = assertThrows(LinuxException.class, () -> Libc.close(-1, "nothing"));
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("EBADF", Errno.name(e.errno()));
    }

    @Test
    void openAndCloseOurNetworkNamespace() {
        final int fd = Libc.open("/proc/self/ns/net", PosixConstants.O_RDONLY | PosixConstants.O_CLOEXEC);
        assertTrue(fd >= 0);
        Libc.close(fd, "netns");
    }
}
