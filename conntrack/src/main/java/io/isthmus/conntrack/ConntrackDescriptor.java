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
 * +---------------------------+ 0
 * | header (HEADER_BYTES)     |   identity, sizes, clock, owner, flush mailbox, free list,
 * |                           |   timeouts per state, counter stripes (one per worker)
 * +---------------------------+ HEADER_BYTES
 * | buckets: 2 x capacity u32 |   head link of each hash chain, bit 31 = unlink lock
 * +---------------------------+ entriesOffset (64-byte aligned)
 * | entries: capacity x 120 B |   one entry per connection, found from two chains
 * +---------------------------+
 *
 * Header (offsets in bytes)
 *  0                   8          12          16          20          24
 * +-------------------+-----------+-----------+-----------+-----------+
 * | magic "ISTHCT01"  | version   | entryBytes| capacity  | buckets   |
 * +-------------------+-----------+-----------+-----------+-----------+
 * 24 hashSeed u64 | 32 epochUnixMs u64 | 40 ownerPid u64
 * 64  (own cache line) ownerHeartbeatMs u64       written by the owner's sweeper, release
 * 128 (own cache line) flushRequested u64         CAS-incremented by `isthmus conntrack flush`
 * 136                  flushCompleted u64         set (release) by the owner's sweeper
 * 192 (own cache line) freeHead u64               stamp (high 32) | entry index + 1 (low 32)
 * 256 (own cache line) recycleEpoch u64           bumped (volatile) before an entry is reused
 * 320 timeoutsS u32[32]                           seconds per {@link ConntrackState} id
 * 448 sweepCursor u32                             owner only
 * 512 counter stripes: STRIPES x 64 B, one per worker id (and one for the sweeper), each
 *     8 x u64 indexed by {@link ConntrackCounter#id()}; one writer per stripe (release store)
 *
 * Bucket (u32)
 *  31 30                                                     0
 * +--+--------------------------------------------------------+
 * |L | link: 0 = empty chain, else node ref + 1                |
 * +--+--------------------------------------------------------+
 * node ref = (entryIndex << 1) | direction   (0 = original, 1 = reply)
 *
 * Entry (ENTRY_BYTES = 120)
 *  0                     4                          8          12         16
 * +----------------------+--------------------------+----------+----------+
 * | seq (16) | zone (16) | proto|state|flags|verdict| nextOrig | nextReply|
 * +----------------------+--------------------------+----------+----------+
 * |<------------- control word (u64) -------------->|
 * 16 decision u32 = serviceId (low 20 bits) | outPort (high 12 bits)
 * 20 lastSeenS u32  (seconds since epochUnixMs)
 * 24 origSrc (hi, lo) | 40 origDst (hi, lo)      original tuple addresses
 * 56 replySrc (hi, lo) | 72 replyDst (hi, lo)    reply tuple addresses
 * 88 origPorts u32 | 92 replyPorts u32           (sport << 16) | dport
 * 96 origPackets u32 | 100 replyPackets u32      wrap at 2^32
 * 104 origBytes u64 | 112 replyBytes u64
 * </pre>
 *
 * <p>The control word (one aligned u64 at offset 0, little-endian) holds the seqlock (low 16
 * bits), the zone (next 16) and the status (protocol, state, flags, verdict). The seqlock is odd
 * while the entry is free or being filled in, even while it is live; every free-and-reuse adds 2.
 * The key fields (zone, protocol, both tuples, decision) change only while it is odd. State and
 * flags change by compare-and-set of the whole control word, so an update can never land on an
 * entry that was freed and reused meanwhile.
 *
 * <p>Bytes per connection: 120 (entry) + 8 (two buckets per connection, one per node) = 128,
 * both directions included.
 *
 * <p>Thread-safety: this class holds constants only.
 */
public final class ConntrackDescriptor {

    private ConntrackDescriptor() {
    }

    /** "ISTHCT01" as a little-endian long. */
    public static final long MAGIC = 0x3130544348545349L;
    public static final int VERSION = 1;

    public static final int HEADER_BYTES = 8192;
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 8;
    public static final int ENTRY_BYTES_OFFSET = 12;
    public static final int CAPACITY_OFFSET = 16;
    public static final int BUCKET_COUNT_OFFSET = 20;
    public static final int HASH_SEED_OFFSET = 24;
    public static final int EPOCH_UNIX_MS_OFFSET = 32;
    public static final int OWNER_PID_OFFSET = 40;
    public static final int OWNER_HEARTBEAT_MS_OFFSET = 64;
    public static final int FLUSH_REQUESTED_OFFSET = 128;
    public static final int FLUSH_COMPLETED_OFFSET = 136;
    public static final int FREE_HEAD_OFFSET = 192;
    public static final int RECYCLE_EPOCH_OFFSET = 256;
    public static final int TIMEOUTS_OFFSET = 320;
    public static final int TIMEOUT_SLOTS = 32;
    public static final int SWEEP_CURSOR_OFFSET = 448;
    public static final int STRIPES_OFFSET = 512;
    public static final int STRIPE_BYTES = 64;
    /** Counter stripes: worker ids 0..STRIPES-2, the last one is the sweeper's. */
    public static final int STRIPES = 64;
    public static final int SWEEPER_STRIPE = STRIPES - 1;

    public static final int BUCKET_LOCK = 0x8000_0000;
    public static final int BUCKET_LINK_MASK = 0x7FFF_FFFF;
    /** Node refs must fit 31 bits with the +1, and 2 x capacity buckets an int. */
    public static final int MAX_CAPACITY = (1 << 30) - 2;

    public static final int ENTRY_BYTES = 120;
    public static final int CONTROL = 0;
    public static final int SEQ_ZONE = 0;
    public static final int STATUS = 4;
    public static final int NEXT_ORIG = 8;
    public static final int NEXT_REPLY = 12;
    public static final int DECISION = 16;
    public static final int LAST_SEEN_S = 20;
    public static final int ORIG_SRC_HI = 24;
    public static final int ORIG_SRC_LO = 32;
    public static final int ORIG_DST_HI = 40;
    public static final int ORIG_DST_LO = 48;
    public static final int REPLY_SRC_HI = 56;
    public static final int REPLY_SRC_LO = 64;
    public static final int REPLY_DST_HI = 72;
    public static final int REPLY_DST_LO = 80;
    public static final int ORIG_PORTS = 88;
    public static final int REPLY_PORTS = 92;
    public static final int ORIG_PACKETS = 96;
    public static final int REPLY_PACKETS = 100;
    public static final int ORIG_BYTES = 104;
    public static final int REPLY_BYTES = 112;

    /** Distance between the original and reply copies of the address and port fields. */
    public static final int REPLY_ADDRESS_DELTA = REPLY_SRC_HI - ORIG_SRC_HI;
    public static final int REPLY_PORTS_DELTA = REPLY_PORTS - ORIG_PORTS;

    public static final int DIR_ORIGINAL = 0;
    public static final int DIR_REPLY = 1;

    // status word: proto (bits 0-7) | state (8-15) | flags (16-23) | verdict (24-31)
    public static int statusProto(int status) {
        return status & 0xFF;
    }

    public static int statusState(int status) {
        return (status >>> 8) & 0xFF;
    }

    public static int statusFlags(int status) {
        return (status >>> 16) & 0xFF;
    }

    public static int statusVerdict(int status) {
        return status >>> 24;
    }

    public static int status(int proto, int state, int flags, int verdict) {
        return (proto & 0xFF) | (state & 0xFF) << 8 | (flags & 0xFF) << 16 | (verdict & 0xFF) << 24;
    }

    public static int withState(int status, int state) {
        return (status & 0xFFFF_00FF) | (state & 0xFF) << 8;
    }

    public static int withFlags(int status, int flags) {
        return status | (flags & 0xFF) << 16;
    }

    // control word: seqZone (low 32 bits) | status (high 32 bits)
    public static int controlSeqZone(long control) {
        return (int) control;
    }

    public static int controlStatus(long control) {
        return (int) (control >>> 32);
    }

    public static long control(int seqZone, int status) {
        return (seqZone & 0xFFFF_FFFFL) | (long) status << 32;
    }

    public static boolean seqOdd(long control) {
        return (control & 1) != 0;
    }

    /** The control word with the seqlock advanced by one (zone kept) and the status replaced. */
    public static long advanceSeq(long control, int status) {
        final int seqZone = (int) control;
        return control((seqZone & 0xFFFF_0000) | ((seqZone + 1) & 0xFFFF), status);
    }

    public static int seqZoneZone(int seqZone) {
        return seqZone >>> 16;
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

    public static long entriesOffset(int bucketCount) {
        return (HEADER_BYTES + 4L * bucketCount + 63) & ~63L;
    }

    public static long fileBytes(int capacity, int bucketCount) {
        return entriesOffset(bucketCount) + (long) ENTRY_BYTES * capacity;
    }

    public static long stripeOffset(int stripe, ConntrackCounter counter) {
        return STRIPES_OFFSET + (long) stripe * STRIPE_BYTES + 8L * counter.id();
    }
}
