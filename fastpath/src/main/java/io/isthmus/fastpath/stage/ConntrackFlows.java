package io.isthmus.fastpath.stage;

import io.isthmus.conntrack.Addresses;
import io.isthmus.conntrack.ConnectionSpec;
import io.isthmus.conntrack.ConntrackCursor;
import io.isthmus.conntrack.ConntrackDescriptor;
import io.isthmus.conntrack.ConntrackLookupBatch;
import io.isthmus.conntrack.ConntrackState;
import io.isthmus.conntrack.proto.ConntrackTracking;
import io.isthmus.fastpath.packet.Ipv4Descriptor;
import io.isthmus.fastpath.pipeline.PacketBatch;

/**
 * Every use the flow stages make of the conntrack library, in one class (so that a change of the
 * table's API touches only this file): the batch lookup, per-packet tracking, and the insert of a
 * new connection with its NAT mapping. IPv4 only: addresses go to the table IPv4-mapped, in zone
 * {@link #ZONE}.
 *
 * <p>Results of {@link #lookup} are per lookup index {@code j} ({@link #natSrc}, {@link #natDst},
 * {@link #natPorts}: the tuple the packet must be rewritten to, equal to its own without NAT).
 *
 * <p><b>Thread-safety:</b> one instance per worker thread (it owns the worker's cursor, lookup
 * batch and spec); shared by that worker's conntrack and commit stages.
 */
public final class ConntrackFlows {
    /** The conntrack zone pod traffic is tracked in. */
    public static final int ZONE = 0;

    public static final int INSERTED = 0;
    public static final int EXISTS = 1;
    public static final int FULL = 2;
    public static final int CLASH = 3;
    public static final int NO_SNAT_PORT = 4;
    public static final int NOT_TRACKABLE = 5;

    /** Source ports tried, one after the other, when a new connection's reply tuple is taken. */
    static final int REMAP_ATTEMPTS = 8;

    private final ConntrackCursor cursor;
    private final ConntrackLookupBatch lookups = new ConntrackLookupBatch(PacketBatch.CAPACITY);
    private int nowS;
    private int committedRef;
    private int committedSeqZone;
    private int committedSnatPort;
    private int committedSourcePort;

    public ConntrackFlows(ConntrackCursor cursor) {
        this.cursor = cursor;
    }

    /** Once per batch: the table's clock (seconds since its epoch) for last-seen and expiry. */
    public void beginBatch(long unixMs) {
        nowS = cursor.table().nowS(unixMs);
    }

    public int nowS() {
        return nowS;
    }

    /** Sets lookup key {@code j}: the packet's IPv4 tuple ({@code ports} = source &lt;&lt; 16 | destination). */
    public void key(int j, int srcIpv4, int dstIpv4, int ports, int protocol) {
        lookups.key(j, Addresses.IPV4_MAPPED_HI, Addresses.ipv4Lo(srcIpv4), Addresses.IPV4_MAPPED_HI,
                Addresses.ipv4Lo(dstIpv4), ports, protocol, ZONE);
    }

    /**
     * Looks up keys {@code 0..count-1} in passes (hash all, fetch all buckets, fetch the
     * candidates' entry windows, compare), then fetches the hits' byte counters for
     * {@link #track} (a separate cache line of the entry since conntrack layout 3). "Fetch" is
     * a real prefetch once the table is large (conntrack's {@code PrefetchMode.AUTO}), else a touch.
     */
    public void lookup(int count) {
        cursor.lookupBatch(lookups, count);
        cursor.touchForTrack(lookups, count);
    }

    /** Node ref of hit {@code j} (entry &lt;&lt; 1 | direction), or -1 on a miss. */
    public int ref(int j) {
        return lookups.ref[j];
    }

    public int seqZone(int j) {
        return lookups.seqZone(j);
    }

    public static boolean isReply(int ref) {
        return (ref & 1) == ConntrackDescriptor.DIR_REPLY;
    }

    public int natSrc(int j) {
        return Addresses.ipv4(lookups.natSrcLo[j]);
    }

    public int natDst(int j) {
        return Addresses.ipv4(lookups.natDstLo[j]);
    }

    public int natPorts(int j) {
        return lookups.natPorts[j];
    }

    /** Hit {@code j}: the port the connection's first packet came in on (stored at insert as the decision's out port). */
    public int outPort(int j) {
        return ConntrackDescriptor.decisionOutPort(lookups.decision[j]);
    }

    /**
     * Accounts a packet on its connection and advances the protocol state. Returns
     * {@link ConntrackCursor#TRACK_ACCEPT}, {@code TRACK_INVALID} or {@code TRACK_STALE}.
     */
    public int track(int ref, int seqZone, int tcpFlags, int lengthBytes) {
        return cursor.track(ref, seqZone, tcpFlags, lengthBytes, nowS);
    }

    /**
     * Inserts a new connection: original tuple as the first packet arrived, optional DNAT to
     * {@code backendIpv4:backendPort} (when {@code dnat}), optional SNAT to {@code snatIpv4} with a
     * port from the pool. Returns {@link #INSERTED} ({@link #committedRef}, {@link #committedSnatPort}),
     * {@link #EXISTS} (another packet of the flow inserted first: {@link #committedRef} is that
     * entry, the rewrite is in {@link #natSrc}(0) ... after {@link #lookupExisting}), {@link #FULL},
     * {@link #CLASH} (the reply tuple taken even with a remapped source port: see
     * {@link #insertWithRemappedSourcePort}), {@link #NO_SNAT_PORT} or {@link #NOT_TRACKABLE} (this packet cannot open a
     * connection, e.g. a lone TCP RST).
     */
    public int insert(int srcIpv4, int dstIpv4, int ports, int protocol, int tcpFlags,
                      boolean dnat, int backendIpv4, int backendPort, boolean snat, int snatIpv4,
                      int serviceId, int outPort) {
        final ConntrackState first = ConntrackTracking.initialState(protocol, tcpFlags);
        if (first == ConntrackState.NONE) {
            return NOT_TRACKABLE;
        }
        final ConnectionSpec spec = cursor.spec().tuple(Addresses.IPV4_MAPPED_HI, Addresses.ipv4Lo(srcIpv4),
                Addresses.IPV4_MAPPED_HI, Addresses.ipv4Lo(dstIpv4), ConntrackDescriptor.sourcePort(ports),
                ConntrackDescriptor.destinationPort(ports), protocol, ZONE);
        if (dnat) {
            spec.dnat(Addresses.IPV4_MAPPED_HI, Addresses.ipv4Lo(backendIpv4), backendPort);
        }
        spec.state(first).decisions(serviceId & ConntrackDescriptor.MAX_SERVICE_ID, 1, outPort & ConntrackDescriptor.MAX_OUT_PORT);
        int result = snat
                ? cursor.insertWithSnat(spec, Addresses.IPV4_MAPPED_HI, Addresses.ipv4Lo(snatIpv4), nowS)
                : cursor.insert(spec, nowS);
        if (result == ConntrackCursor.INSERT_CLASH && !snat && hasPorts(protocol)) {
            result = insertWithRemappedSourcePort(spec, ConntrackDescriptor.sourcePort(ports));
        }
        if (result >= 0) {
            committedRef = result;
            committedSeqZone = cursor.insertedSeqZone();
            committedSourcePort = ConntrackDescriptor.destinationPort(spec.replyPorts);
            committedSnatPort = snat ? committedSourcePort : 0;
            return INSERTED;
        }
        return switch (result) {
            case ConntrackCursor.INSERT_EXISTS -> EXISTS;
            case ConntrackCursor.INSERT_FULL -> FULL;
            case ConntrackCursor.INSERT_NO_PORT -> NO_SNAT_PORT;
            case ConntrackCursor.INSERT_INVALID -> NOT_TRACKABLE;
            default -> CLASH;
        };
    }

    private static boolean hasPorts(int protocol) {
        return protocol == Ipv4Descriptor.PROTOCOL_TCP
                || protocol == Ipv4Descriptor.PROTOCOL_UDP;
    }

    /**
     * The reply tuple of a new connection is taken by another one: the client's source port is
     * remapped, as Linux's NAT does on such a clash (its implicit source mapping,
     * {@code nf_nat_l4proto_unique_tuple}), rather than dropping every packet of the flow until the
     * other entry expires. The case: a pod sent from port P straight to a backend B:9 (an entry
     * whose reply is B:9 → pod:P), then from the same port P to a ClusterIP DNATed to B:9, whose
     * reply would be B:9 → pod:P too. A few ports in the source port's class (below 512, 512-1023,
     * 1024 and up), from a hash of the tuple, are tried; the address stays the pod's own, so no
     * SNAT port pool is involved and the entry carries no SNAT flag (the table gives nothing back
     * to a pool when it is removed). Returns the last insert's result.
     */
    private int insertWithRemappedSourcePort(ConnectionSpec spec, int sourcePort) {
        final int replySourcePort = ConntrackDescriptor.sourcePort(spec.replyPorts);
        final int first = sourcePort < 512 ? 1 : sourcePort < 1024 ? 600 : 1024;
        final int count = (sourcePort < 512 ? 512 : sourcePort < 1024 ? 1024 : 65536) - first;
        int hint = spec.origPorts * 0x9E3779B1 ^ (int) spec.origSrcLo ^ (int) spec.replySrcLo;
        int result = ConntrackCursor.INSERT_CLASH;
        for (int attempt = 0; attempt < REMAP_ATTEMPTS && result == ConntrackCursor.INSERT_CLASH; attempt++) {
            int port = first + Integer.remainderUnsigned(hint, count);
            if (port == sourcePort) {
                port = first + (port - first + 1) % count;
            }
            spec.replyPorts = ConntrackDescriptor.ports(replySourcePort, port);
            result = cursor.insert(spec, nowS);
            hint = hint * 0x9E3779B1 + 1;
        }
        return result;
    }

    /** After {@link #EXISTS}: looks the flow up again into lookup slot 0; returns its ref or -1. */
    public int lookupExisting(int srcIpv4, int dstIpv4, int ports, int protocol) {
        key(0, srcIpv4, dstIpv4, ports, protocol);
        lookup(1);
        return lookups.ref[0];
    }

    public int committedRef() {
        return committedRef;
    }

    public int committedSeqZone() {
        return committedSeqZone;
    }

    /**
     * The source port the last {@link #INSERTED} connection's packets leave with: the SNAT port,
     * a remapped port after a reply-tuple clash, or else the packet's own.
     */
    public int committedSourcePort() {
        return committedSourcePort;
    }

    /** The SNAT port the last {@link #insert} took (0 without SNAT). */
    public int committedSnatPort() {
        return committedSnatPort;
    }
}
