package io.isthmus.policy.compile;

import io.isthmus.policy.model.Direction;

/**
 * One immutable generation of compiled policy: what a fast-path stage asks for every new
 * connection. A verdict is: resolve each address to a reference (one longest-prefix look-up),
 * then for each end that is a local pod, its {@link VerdictTable} (two look-ups).
 *
 * <p>A reference ({@code ref}) is an int: bits 0..29 the identity, bit 30 {@link #LOCAL_BIT} set
 * when the address is a pod local to where the tables are enforced.
 *
 * <p><b>Conntrack contract:</b> the verdict is for the first packet of a connection (TCP SYN, the
 * first UDP/SCTP datagram of a flow) from its initiator {@code src} to its responder {@code dst}
 * and destination port. Replies and later packets of an allowed connection are allowed by the
 * conntrack entry the fast path creates, not by asking again (NetworkPolicy: "reply traffic for
 * those allowed connections will also be implicitly allowed").
 *
 * <p><b>Thread-safety:</b> immutable. Built by the slow path's compiler thread
 * ({@link PolicyCompiler#snapshot()}), published to workers by a release store (e.g. a volatile
 * field or {@code VarHandle.setRelease}); workers read it with an acquire load at the start of a
 * batch and may keep using an old snapshot until then. No method allocates, locks or throws for
 * valid arguments (identities obtained from this snapshot).
 */
public final class PolicySnapshot {
    public static final int LOCAL_BIT = 1 << 30;
    public static final int IDENTITY_MASK = LOCAL_BIT - 1;

    private final long generation;
    private final PrefixTrie ipv4;
    private final PrefixTrie ipv6;
    private final VerdictTable[] tablesByIdentity;
    private final int[][] layoutsByIdentity;
    private final byte[] kindByIdentity;
    private final long[] portSetBitmaps;
    private final long[] portSetRanges;

    PolicySnapshot(long generation, PrefixTrie ipv4, PrefixTrie ipv6, VerdictTable[] tablesByIdentity, int[][] layoutsByIdentity,
                   byte[] kindByIdentity, long[] portSetBitmaps, long[] portSetRanges) {
        this.generation = generation;
        this.ipv4 = ipv4;
        this.ipv6 = ipv6;
        this.tablesByIdentity = tablesByIdentity;
        this.layoutsByIdentity = layoutsByIdentity;
        this.kindByIdentity = kindByIdentity;
        this.portSetBitmaps = portSetBitmaps;
        this.portSetRanges = portSetRanges;
    }

    /** Increases by one with every snapshot a compiler builds. */
    public long generation() {
        return generation;
    }

    /** The reference of an IPv4 address (network-order int). */
    public int refOfIpv4(int address) {
        return ipv4.lookupIpv4(address);
    }

    /** The reference of an IPv6 address given as two big-endian halves. */
    public int refOfIpv6(long high, long low) {
        return ipv6.lookupIpv6(high, low);
    }

    public static int identityOf(int ref) {
        return ref & IDENTITY_MASK;
    }

    public static boolean isLocal(int ref) {
        return (ref & LOCAL_BIT) != 0;
    }

    /**
     * Whether a new connection from {@code srcRef} to {@code dstRef} with protocol
     * {@code protocolIndex} ({@link io.isthmus.policy.model.Protocol#index()}) and destination
     * port {@code dstPort} is allowed: the source's egress (if it is a local pod, isolated for
     * egress) and the destination's ingress (if it is a local pod, isolated for ingress) must
     * both allow it. A connection from this node's own address into a local pod is always
     * allowed.
     */
    public boolean allows(int srcRef, int dstRef, int protocolIndex, int dstPort) {
        final int src = srcRef & IDENTITY_MASK;
        final int dst = dstRef & IDENTITY_MASK;
        if ((dstRef & LOCAL_BIT) != 0 && kindByIdentity[src] != IdentityKey.KIND_HOST
                && !allowsOneSide(layoutsByIdentity[dst], 0, src, protocolIndex, dstPort)) {
            return false;
        }
        return (srcRef & LOCAL_BIT) == 0 || allowsOneSide(layoutsByIdentity[src], 1, dst, protocolIndex, dstPort);
    }

    /**
     * One direction only: does local identity {@code localIdentity}'s policy allow
     * {@code direction} traffic with {@code remoteIdentity}? ({@code dstPort} is the destination
     * port of the connection in both directions.)
     */
    public boolean allowsDirection(int localIdentity, Direction direction, int remoteIdentity, int protocolIndex, int dstPort) {
        return allowsOneSide(layoutsByIdentity[localIdentity], direction.index(), remoteIdentity, protocolIndex, dstPort);
    }

    /** Whether {@code localIdentity} is isolated for {@code direction}. */
    public boolean isolated(int localIdentity, Direction direction) {
        return tablesByIdentity[localIdentity].isolated(direction.index());
    }

    /** The kind of an identity ({@link IdentityKey#KIND_POD}, ...). */
    public byte kindOf(int identity) {
        return kindByIdentity[identity];
    }

    private boolean allowsOneSide(int[] layout, int direction, int remote, int protocolIndex, int port) {
        if (!VerdictTable.isolated(layout, direction)) {
            return true;
        }
        return PortSets.contains(portSetRanges, portSetBitmaps, VerdictTable.portSet(layout, direction, remote, protocolIndex), port);
    }

    VerdictTable table(int identity) {
        return identity < tablesByIdentity.length ? tablesByIdentity[identity] : null;
    }

    int identityCapacity() {
        return tablesByIdentity.length;
    }
}
