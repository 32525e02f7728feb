package io.isthmus.conntrack;

/**
 * The layout of the shared conntrack file (for example {@code /dev/shm/isthmus-conntrack}).
 *
 * <p>All numbers are in the machine's native byte order (the magic, read as a {@code long},
 * tells a reader whether it matches). Addresses are kept as two {@code long}s (high and low
 * 64 bits of the 128-bit address); an IPv4 address is stored IPv4-mapped ({@code ::ffff:a.b.c.d}).
 * Ports are packed two by two into one {@code int}: {@code (sourcePort << 16) | destinationPort}.
 *
 * <pre>
 * File
 * +------------------------------+ 0
 * | header (HEADER_BYTES)        |   identity, sizes, clock, owner, flush mailbox, free list,
 * |                              |   timeouts per state, counter stripes (one per writer)
 * +------------------------------+ HEADER_BYTES
 * | index: buckets x 64 B        |   one cache line per bucket: overflow count + 15 slots
 * +------------------------------+ entriesOffset = HEADER_BYTES + 64 x buckets
 * | entries: capacity x 112 B    |   one entry per connection, found from two slots
 * +------------------------------+
 *
 * Header (offsets in bytes)
 *  0                   8          12          16          20          24
 * +-------------------+-----------+-----------+-----------+-----------+
 * | magic "ISTHCT02"  | version   | entryBytes| capacity  | buckets   |
 * +-------------------+-----------+-----------+-----------+-----------+
 * 24 hashSeed u64 | 32 epochUnixMs u64 | 40 ownerPid u64 | 48 ownerStartMs u64
 * 64  (own cache line) ownerHeartbeatMs u64       written (release) by the owner's housekeeping
 * 128 (own cache line) flush mailbox:
 *     128 flushRequested u64    CAS-incremented by a requester holding the mailbox lock
 *     136 flushCompleted u64    set (release) by the owner when it has carried a request out
 *     144 flushRemoved u64      connections the last completed request removed (owner, before 136)
 *     152 flushLockPid u64      pid of the requester filling the mailbox (CAS 0 -> pid; 0 = free)
 *     160 filterMatch u32       bits: 1 proto, 2 address, 4 port (0 = flush everything)
 *     164 filterProto u32 | 168 filterPort u32 | 176 filterAddrHi u64 | 184 filterAddrLo u64
 *                               matched against the reply source: the original destination
 *                               after DNAT (the backend), else the original destination
 * 192 (own cache line) freeHead u64               stamp (high 32) | entry index + 1 (low 32)
 * 320 timeoutsS u32[32]                           seconds per {@link ConntrackState} id
 * 448 sweepCursor u32                             owner only
 * 512 counter stripes: STRIPES x 64 B, one per writer (workers, the owner's flusher, the
 *     sweeper), each 8 x u64 indexed by {@link ConntrackCounter#id()}; one writer per stripe
 *     (release store), readers sum them (acquire)
 *
 * Index bucket (64 B, one cache line)
 *  0            4            8                                              64
 * +------------+------------+------------+--------- ... ---------+------------+
 * | overflow   | slot 1     | slot 2     |                        | slot 15    |
 * +------------+------------+------------+--------- ... ---------+------------+
 * overflow u32 = nodes whose home is this bucket but that sit in a later bucket
 *
 * Slot (u32)
 *  31       25 24                                                 0
 * +-----------+----------------------------------------------------+
 * | tag (7)   | node ref + 1 (25 bits); slot = 0: empty             |
 * +-----------+----------------------------------------------------+
 * node ref = (entryIndex << 1) | direction   (0 = original, 1 = reply)
 * tag = 7 bits of the key's hash that did not choose the bucket
 *
 * Entry (ENTRY_BYTES = 112)
 *  0                         4                                   8
 * +-------------------------+-----------------------------------+
 * | seq (32)                | status: proto | state+verdict |    |
 * |                         |         flags | zone (8 bits each)|
 * +-------------------------+-----------------------------------+
 * |<------------------- control word (u64) -------------------->|
 *  8 decision u32 = serviceId (low 20 bits) | outPort (high 12 bits);
 *                   while the entry is free: the next free entry's index + 1 (0 = none)
 * 12 lastSeenS u32  (seconds since epochUnixMs)
 * 16 origSrc (hi, lo) | 32 origDst (hi, lo)      original tuple addresses
 * 48 replySrc (hi, lo) | 64 replyDst (hi, lo)    reply tuple addresses
 * 80 origPorts u32 | 84 replyPorts u32           (sport << 16) | dport
 * 88 origPackets u32 | 92 replyPackets u32       wrap at 2^32
 * 96 origBytes u64 | 104 replyBytes u64
 *
 * status u32: proto (bits 0-7) | state (8-12) | verdict (13-15) | flags (16-23) | zone (24-31)
 * </pre>
 *
 * <p>The control word (one aligned u64 at offset 0) holds the seqlock (low 32 bits, a full
 * {@code int}) and the status (high 32 bits). The seqlock is odd while the entry is free or
 * being filled in, even while it is live; every free-and-reuse adds 2, so a reader is fooled
 * only if it stalls while the same entry is freed and reused 2^31 times. The key fields (both
 * tuples, ports, zone, protocol, decision) change only while it is odd. State and flags change
 * by compare-and-set of the whole control word, so an update can never land on an entry that
 * was freed and reused meanwhile.
 *
 * <p>Bytes per connection: 112 (entry) + 16 (index: a quarter of a 64-byte bucket, 3.75 slots
 * for the connection's two nodes, about half full) = 128, both directions included.
 *
 * <p>Thread-safety: this class holds constants only.
 */
public final class ConntrackDescriptor {

    private ConntrackDescriptor() {
    }

    /** "ISTHCT02" as a little-endian long. */
    public static final long MAGIC = 0x3230544348545349L;
    public static final int VERSION = 2;

    public static final int HEADER_BYTES = 8192;
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 8;
    public static final int ENTRY_BYTES_OFFSET = 12;
    public static final int CAPACITY_OFFSET = 16;
    public static final int BUCKET_COUNT_OFFSET = 20;
    public static final int HASH_SEED_OFFSET = 24;
    public static final int EPOCH_UNIX_MS_OFFSET = 32;
    public static final int OWNER_PID_OFFSET = 40;
    public static final int OWNER_START_MS_OFFSET = 48;
    public static final int OWNER_HEARTBEAT_MS_OFFSET = 64;
    public static final int FLUSH_REQUESTED_OFFSET = 128;
    public static final int FLUSH_COMPLETED_OFFSET = 136;
    public static final int FLUSH_REMOVED_OFFSET = 144;
    public static final int FLUSH_LOCK_PID_OFFSET = 152;
    public static final int FLUSH_FILTER_MATCH_OFFSET = 160;
    public static final int FLUSH_FILTER_PROTO_OFFSET = 164;
    public static final int FLUSH_FILTER_PORT_OFFSET = 168;
    public static final int FLUSH_FILTER_ADDR_HI_OFFSET = 176;
    public static final int FLUSH_FILTER_ADDR_LO_OFFSET = 184;
    public static final int FREE_HEAD_OFFSET = 192;
    public static final int TIMEOUTS_OFFSET = 320;
    public static final int TIMEOUT_SLOTS = 32;
    public static final int SWEEP_CURSOR_OFFSET = 448;
    public static final int STRIPES_OFFSET = 512;
    public static final int STRIPE_BYTES = 64;
    /**
     * Counter stripes: worker ids 0..STRIPES-3; STRIPES-2 is the owner's flusher
     * ({@link ConntrackFlusher}), the last one the sweeper's.
     */
    public static final int STRIPES = 64;
    public static final int FLUSHER_STRIPE = STRIPES - 2;
    public static final int SWEEPER_STRIPE = STRIPES - 1;

    // ------------------------------------------------------------------ index

    public static final int BUCKET_BYTES = 64;
    public static final int SLOTS_PER_BUCKET = 16;
    /** Slot 0 of a bucket is its overflow count; slots 1..15 hold nodes. */
    public static final int FIRST_SLOT = 1;
    public static final int OVERFLOW = 0;
    /** Buckets after the home bucket that may hold its overflow. */
    public static final int MAX_OVERFLOW_BUCKETS = 8;
    public static final int SLOT_REF_BITS = 25;
    public static final int SLOT_REF_MASK = (1 << SLOT_REF_BITS) - 1;
    public static final int TAG_BITS = 32 - SLOT_REF_BITS;
    /** Node refs + 1 must fit {@link #SLOT_REF_BITS} bits. */
    public static final int MAX_CAPACITY = (1 << (SLOT_REF_BITS - 1)) - 1;

    public static int slot(int tag, int ref) {
        return tag << SLOT_REF_BITS | (ref + 1);
    }

    public static int slotRef(int slot) {
        return (slot & SLOT_REF_MASK) - 1;
    }

    public static int slotTag(int slot) {
        return slot >>> SLOT_REF_BITS;
    }

    // ------------------------------------------------------------------ entry

    public static final int ENTRY_BYTES = 112;
    public static final int CONTROL = 0;
    public static final int SEQ = 0;
    public static final int STATUS = 4;
    public static final int DECISION = 8;
    public static final int LAST_SEEN_S = 12;
    public static final int ORIG_SRC_HI = 16;
    public static final int ORIG_SRC_LO = 24;
    public static final int ORIG_DST_HI = 32;
    public static final int ORIG_DST_LO = 40;
    public static final int REPLY_SRC_HI = 48;
    public static final int REPLY_SRC_LO = 56;
    public static final int REPLY_DST_HI = 64;
    public static final int REPLY_DST_LO = 72;
    public static final int ORIG_PORTS = 80;
    public static final int REPLY_PORTS = 84;
    public static final int ORIG_PACKETS = 88;
    public static final int REPLY_PACKETS = 92;
    public static final int ORIG_BYTES = 96;
    public static final int REPLY_BYTES = 104;

    /** Distance between the original and reply copies of the address and port fields. */
    public static final int REPLY_ADDRESS_DELTA = REPLY_SRC_HI - ORIG_SRC_HI;
    public static final int REPLY_PORTS_DELTA = REPLY_PORTS - ORIG_PORTS;

    public static final int DIR_ORIGINAL = 0;
    public static final int DIR_REPLY = 1;

    public static final int MAX_STATE = 31;
    public static final int MAX_VERDICT = 7;
    public static final int MAX_ZONE = 255;

    // status word: proto (bits 0-7) | state (8-12) | verdict (13-15) | flags (16-23) | zone (24-31)
    public static int statusProto(int status) {
        return status & 0xFF;
    }

    public static int statusState(int status) {
        return (status >>> 8) & 0x1F;
    }

    public static int statusVerdict(int status) {
        return (status >>> 13) & 0x7;
    }

    public static int statusFlags(int status) {
        return (status >>> 16) & 0xFF;
    }

    public static int statusZone(int status) {
        return status >>> 24;
    }

    /** The key half of a status word: protocol and zone (what a lookup compares). */
    public static final int STATUS_KEY_MASK = 0xFF00_00FF;

    public static int statusKey(int proto, int zone) {
        return (proto & 0xFF) | (zone & 0xFF) << 24;
    }

    public static int status(int proto, int state, int flags, int verdict, int zone) {
        return (proto & 0xFF) | (state & 0x1F) << 8 | (verdict & 0x7) << 13 | (flags & 0xFF) << 16 | (zone & 0xFF) << 24;
    }

    public static int status(int proto, int state, int flags, int verdict) {
        return status(proto, state, flags, verdict, 0);
    }

    public static int withState(int status, int state) {
        return (status & ~0x1F00) | (state & 0x1F) << 8;
    }

    public static int withFlags(int status, int flags) {
        return status | (flags & 0xFF) << 16;
    }

    public static int withFlagsReplaced(int status, int flags) {
        return (status & 0xFF00_FFFF) | (flags & 0xFF) << 16;
    }

    // control word: seq (low 32 bits) | status (high 32 bits)
    public static int controlSeq(long control) {
        return (int) control;
    }

    /** The seqlock half of the control word (named for the earlier layout that also held the zone). */
    public static int controlSeqZone(long control) {
        return (int) control;
    }

    public static int controlStatus(long control) {
        return (int) (control >>> 32);
    }

    public static long control(int seq, int status) {
        return (seq & 0xFFFF_FFFFL) | (long) status << 32;
    }

    public static boolean seqOdd(long control) {
        return (control & 1) != 0;
    }

    /** The control word with the seqlock advanced by one and the status replaced. */
    public static long advanceSeq(long control, int status) {
        return control((int) control + 1, status);
    }

    public static final int SERVICE_ID_BITS = 20;
    public static final int MAX_SERVICE_ID = (1 << SERVICE_ID_BITS) - 1;
    public static final int MAX_OUT_PORT = (1 << (32 - SERVICE_ID_BITS)) - 1;

    public static int decision(int serviceId, int outPort) {
        return (serviceId & MAX_SERVICE_ID) | outPort << SERVICE_ID_BITS;
    }

    public static int decisionServiceId(int decision) {
        return decision & MAX_SERVICE_ID;
    }

    public static int decisionOutPort(int decision) {
        return decision >>> SERVICE_ID_BITS;
    }

    public static int ports(int sourcePort, int destinationPort) {
        return (sourcePort & 0xFFFF) << 16 | (destinationPort & 0xFFFF);
    }

    public static int sourcePort(int ports) {
        return ports >>> 16;
    }

    public static int destinationPort(int ports) {
        return ports & 0xFFFF;
    }

    public static long bucketsOffset() {
        return HEADER_BYTES;
    }

    /** Buckets for a capacity: 16 index bytes per connection (at least one bucket). */
    public static int bucketCountFor(int capacity) {
        return Math.max(1, (int) (((long) capacity + 3) / 4));
    }

    public static long entriesOffset(int bucketCount) {
        return HEADER_BYTES + (long) BUCKET_BYTES * bucketCount;
    }

    public static long fileBytes(int capacity, int bucketCount) {
        return entriesOffset(bucketCount) + (long) ENTRY_BYTES * capacity;
    }

    public static long stripeOffset(int stripe, ConntrackCounter counter) {
        return STRIPES_OFFSET + (long) stripe * STRIPE_BYTES + 8L * counter.id();
    }

    /** Flush filter bits ({@code filterMatch} in the header, {@link ConntrackFlushFilter}). */
    public static final int FILTER_PROTO = 1;
    public static final int FILTER_ADDRESS = 2;
    public static final int FILTER_PORT = 4;
}
