package io.isthmus.lb.affinity;

/**
 * Layout of one {@link AffinityTable} entry in its off-heap segment: one 64-byte cache line.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |  version (long): 0 never used, odd being written, even stable  | +0  VERSION
 *  +                                                               +
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |              client address, hi word (long)                   | +8  CLIENT_HI
 *  |              client address, lo word (long)                   | +16 CLIENT_LO
 *  +---------------------------------------------------------------+
 *  |                 service port id (int)                         | +24 SERVICE_PORT_ID
 *  |                 backend port (int)                            | +28 BACKEND_PORT
 *  +---------------------------------------------------------------+
 *  |              backend address, hi word (long)                  | +32 BACKEND_HI
 *  |              backend address, lo word (long)                  | +40 BACKEND_LO
 *  +---------------------------------------------------------------+
 *  |        expires at, ns on the caller's nanoTime clock (long)   | +48 EXPIRES_AT_NS
 *  |                      reserved (long)                          | +56
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class AffinityTableDescriptor {

    public static final int ENTRY_BYTES = 64;

    public static final long VERSION = 0;
    public static final long CLIENT_HI = 8;
    public static final long CLIENT_LO = 16;
    public static final long SERVICE_PORT_ID = 24;
    public static final long BACKEND_PORT = 28;
    public static final long BACKEND_HI = 32;
    public static final long BACKEND_LO = 40;
    public static final long EXPIRES_AT_NS = 48;

    private AffinityTableDescriptor() {
    }
}
