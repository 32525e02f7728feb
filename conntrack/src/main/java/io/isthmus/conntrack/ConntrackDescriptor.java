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
 * | index: buckets x 64 B        |   one cache line per bucket: 12 tags, overflow count, 12 refs
 * +------------------------------+ entriesOffset = HEADER_BYTES + 64 x buckets
 * | entries: capacity x 112 B    |   one entry per connection, found from two slots;
 * |                              |   a hot 64-byte window inside each (see Entry)
 * +------------------------------+
 *
 * Header (offsets in bytes)
 *  0                   8          12          16          20          24
 * +-------------------+-----------+-----------+-----------+-----------+
 * | magic "ISTHCT04"  | version   | entryBytes| capacity  | buckets   |
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
 * Index bucket (64 B, one cache line; layout 4)
 *  0    1         11   12           16           20                        60           64
 * +----+-- ... --+----+------------+------------+---------- ... ---------+------------+
 * |tag0|         |tg11| overflow   | slot 0 ref | slot 1 ref ...          | slot 11 ref|
 * +----+-- ... --+----+------------+------------+---------- ... ---------+------------+
 * tag k u8   = 8 bits of the hash of slot k's key that did not choose the bucket (never 0);
 *              0 while slot k is empty, being filled or being emptied
 * overflow u32 = count (bits 0-7): nodes whose home is this bucket but that sit in a later bucket
 *                | reach (bits 8-15): the farthest later bucket that ever held one (raised before
 *                  the node is placed, never lowered but by a rebuild): lookups probe that far only
 * slot k ref u32 = node ref + 1; 0: empty
 * node ref = (entryIndex << 1) | direction   (0 = original, 1 = reply)
 *
 * The 12 tags sit side by side in the first 16 bytes so that a lookup compares all of them with
 * two long operations ("which bytes equal the tag": XOR with the tag in every byte, then the
 * zero-byte test), instead of one lane per slot word (layout 3: 15 u32 slots of a 7-bit tag and a
 * 25-bit ref, eight longs per scan). A slot's ref word is the one an inserter or remover takes
 * with compareAndSet; its tag byte is written only by the thread whose node the ref word names:
 * the inserter after its compareAndSet (release), the remover (back to 0) before its
 * compareAndSet to 0. A lookup trusts a tag only as a hint and compares the key in the entry.
 *
 * Entry (ENTRY_BYTES = 112; layout 3): a hot window and cold words
 *
 * Entry i starts at entriesOffset + 112 x i. Entries are not line-aligned (112 = 1.75 lines),
 * but every entry holds exactly one aligned 64-byte line, at 16 x (i mod 4) bytes into it:
 *
 *   i mod 4 = 0   [ window 0..63        ][ cold 64..111 ]
 *   i mod 4 = 1   [ cold 0..15 ][ window 16..79  ][ cold 80..111 ]
 *   i mod 4 = 2   [ cold 0..31 ][ window 32..95  ][ cold 96..111 ]
 *   i mod 4 = 3   [ cold 0..47 ][ window 48..111 ]
 *
 * The window holds everything a lookup hit of an IPv4 connection reads, so such a hit costs
 * its bucket line and ONE entry line (layout 2 spread the same fields over two or three).
 * Offsets below are from the window's start (the "entry address" of the code):
 *
 * Window (64 B, one aligned cache line)
 *  0                         4                                   8
 * +-------------------------+-----------------------------------+
 * | seq (32)                | status: proto | state+verdict |    |
 * |                         |         flags | zone (8 bits each)|
 * +-------------------------+-----------------------------------+
 * |<------------------- control word (u64) -------------------->|
 *  8 decision u32 = serviceId (low 20 bits) | outPort (high 12 bits);
 *                   while the entry is free: the next free entry's index + 1 (0 = none)
 * 12 lastSeenS u32  (seconds since epochUnixMs)
 * 16 origSrcLo u64 | 24 origDstLo u64            low 64 bits of the original tuple's addresses
 * 32 replySrcLo u64 | 40 replyDstLo u64          low 64 bits of the reply tuple's addresses
 * 48 origPorts u32 | 52 replyPorts u32           (sport << 16) | dport
 * 56 origPackets u32 | 60 replyPackets u32       wrap at 2^32
 *
 * Cold words (six u64, the entry's other 48 bytes, in this order around the window: cold word
 * c sits at entry byte 8c when 8c < 16 x (i mod 4), else at 8c + 64)
 *  c0 origSrcHi | c1 origDstHi | c2 replySrcHi | c3 replyDstHi   high 64 bits of the addresses
 *  c4 origBytes | c5 replyBytes
 *
 * The high address words of an IPv4 connection are all 0 (IPv4-mapped); the table keeps the
 * {@link ConntrackFlags#IPV6} flag set on every entry where any of the four is not 0, so a
 * lookup of an IPv4 key (both high words 0) in an entry without that flag needs no cold word.
 *
 * status u32: proto (bits 0-7) | state (8-12) | verdict (13-15) | flags (16-23) | zone (24-31)
 * </pre>
 *
 * <p>The control word (one aligned u64 at offset 0) holds the seqlock (low 32 bits, a full
 * {@code int}) and the status (high 32 bits). The seqlock is odd while the entry is free or
 * being filled in, even while it is live; every free-and-reuse adds 2, so a reader is fooled
 * only if it stalls while the same entry is freed and reused 2^31 times. The key fields (both
 * tuples, ports, zone, protocol, the {@link ConntrackFlags#IPV6} flag, decision) change only while it is odd. State and flags change
 * by compare-and-set of the whole control word, so an update can never land on an entry that
 * was freed and reused meanwhile.
 *
 * <p>Bytes per connection: 112 (entry, IPv4 or IPv6) + 16 (index: a quarter of a 64-byte bucket, 3 slots
 * for the connection's two nodes, two thirds full when the table is) = 128, both directions included.
 *
 * <p>Thread-safety: this class holds constants only.
 */
public final class ConntrackDescriptor {

    private ConntrackDescriptor() {
    }

    /** "ISTHCT04" as a little-endian long. */
    public static final long MAGIC = 0x3430544348545349L;
    /** "ISTHCT03": layout 3 (the same entries, buckets of 15 u32 slots with 7-bit tags in them). */
    public static final long MAGIC_VERSION_3 = 0x3330544348545349L;
    /** "ISTHCT02": layout 2 (the same index, entries without the hot window). */
    public static final long MAGIC_VERSION_2 = 0x3230544348545349L;
    public static final int VERSION = 4;

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
    public static final int SLOTS_PER_BUCKET = 12;
    /** Tag byte of slot k: bucket + TAGS_OFFSET + k. */
    public static final int TAGS_OFFSET = 0;
    /** The bucket's overflow word (u32): count (bits 0-7) | reach (bits 8-15). */
    public static final int OVERFLOW_OFFSET = 12;
    /** Nodes whose home is the bucket but that sit in a later one (at most 16 x 12 = 192). */
    public static final int OVERFLOW_COUNT_MASK = 0xFF;
    /** The farthest later bucket that has held one of them (1..16; it only grows, until a rebuild). */
    public static final int OVERFLOW_REACH_SHIFT = 8;

    public static int overflowCount(int overflowWord) {
        return overflowWord & OVERFLOW_COUNT_MASK;
    }

    public static int overflowReach(int overflowWord) {
        return (overflowWord >>> OVERFLOW_REACH_SHIFT) & 0xFF;
    }
    /** Ref word of slot k: bucket + REFS_OFFSET + 4k. */
    public static final int REFS_OFFSET = 16;
    /**
     * Buckets after the home bucket that may hold its overflow. Lookups probe only as far as a
     * bucket's reach (nearly always 1); inserts give up (INSERT_FULL) only when all are full,
     * which at 12 slots a bucket and 8 buckets happened about once per million inserts into an
     * almost full table; 16 make that negligible.
     */
    public static final int MAX_OVERFLOW_BUCKETS = 16;
    /** Bits of a node ref + 1 (the capacity's limit; the ref word is a whole u32). */
    public static final int SLOT_REF_BITS = 25;
    public static final int TAG_BITS = 8;
    /** Node refs + 1 must fit {@link #SLOT_REF_BITS} bits. */
    public static final int MAX_CAPACITY = (1 << (SLOT_REF_BITS - 1)) - 1;

    /** The ref word naming node {@code ref} (never 0). */
    public static int slotWord(int ref) {
        return ref + 1;
    }

    /** The node ref of a ref word (-1 for an empty slot). */
    public static int slotRef(int word) {
        return word - 1;
    }

    public static long tagOffset(int slot) {
        return TAGS_OFFSET + slot;
    }

    public static long refOffset(int slot) {
        return REFS_OFFSET + 4L * slot;
    }

    // ------------------------------------------------------------------ entry

    public static final int ENTRY_BYTES = 112;
    /** Bytes the window moves, from one entry to the next, within its entry (0, 16, 32, 48). */
    public static final int WINDOW_STEP = 16;
    public static final int WINDOW_BYTES = 64;
    // Window fields: offsets from the window's start.
    public static final int CONTROL = 0;
    public static final int SEQ = 0;
    public static final int STATUS = 4;
    public static final int DECISION = 8;
    public static final int LAST_SEEN_S = 12;
    public static final int ORIG_SRC_LO = 16;
    public static final int ORIG_DST_LO = 24;
    public static final int REPLY_SRC_LO = 32;
    public static final int REPLY_DST_LO = 40;
    public static final int ORIG_PORTS = 48;
    public static final int REPLY_PORTS = 52;
    public static final int ORIG_PACKETS = 56;
    public static final int REPLY_PACKETS = 60;
    // Cold words: numbers c for coldOffset.
    public static final int COLD_ORIG_SRC_HI = 0;
    public static final int COLD_ORIG_DST_HI = 1;
    public static final int COLD_REPLY_SRC_HI = 2;
    public static final int COLD_REPLY_DST_HI = 3;
    public static final int COLD_ORIG_BYTES = 4;
    public static final int COLD_REPLY_BYTES = 5;
    public static final int COLD_WORDS = 6;

    /** Distance between the original and reply copies of the low address words and the ports in the window. */
    public static final int REPLY_ADDRESS_DELTA = REPLY_SRC_LO - ORIG_SRC_LO;
    public static final int REPLY_PORTS_DELTA = REPLY_PORTS - ORIG_PORTS;
    /** Distance between the original and reply high address words, in cold word numbers. */
    public static final int REPLY_COLD_DELTA = COLD_REPLY_SRC_HI - COLD_ORIG_SRC_HI;

    /** Offset of entry {@code entryIndex}'s window from the start of the entries. */
    public static long windowOffset(int entryIndex) {
        return (long) ENTRY_BYTES * entryIndex + WINDOW_STEP * (entryIndex & 3);
    }

    /**
     * Offset of cold word {@code c} of entry {@code entryIndex} from the entry's window (negative
     * for the words before the window).
     */
    public static long coldOffset(int entryIndex, int c) {
        final int windowStart = WINDOW_STEP * (entryIndex & 3);
        final int at = 8 * c;
        return at < windowStart ? at - windowStart : at + WINDOW_BYTES - windowStart;
    }

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

    /** The {@link ConntrackFlags#IPV6} bit in a status word: set when any high address word is not 0. */
    public static final int STATUS_IPV6 = ConntrackFlags.IPV6 << 16;

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

    /** Buckets for a capacity: 16 index bytes per connection, 3 slots for its 2 nodes (at least one bucket). */
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
