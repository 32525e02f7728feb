package io.isthmus.dns.zone;

import io.isthmus.dns.wire.NameWords;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * A compiled, immutable cluster zone: every owner name with every answer precomputed in wire
 * format, so that answering is a hash lookup and one copy.
 *
 * <pre>
 *  name table (open addressing, linear probing)       entries                answers
 *  slots[hash &amp; mask] = entry + 1 (0 = empty) ──►  hash, key (lower-case  ──► body offset/length in
 *                                                    wire name as 64-bit       bodies, length without
 *                                                    words in keyWords[]),
 *                                                    (type, answer) list,      the additional section,
 *                                                    fallback answer           AN/NS/AR counts
 * </pre>
 *
 * An answer body is everything after the question: the answer, authority and additional
 * sections, exactly as they go on the wire for a question whose name has the entry's length.
 * Its compression pointers may point into the question (offset 12: owner names are
 * {@code 0xC00C}, so the answer echoes the question's case) or into the body, both at offsets
 * fixed at build time because a matching question name always has the same length. The fallback
 * answer of an entry is a CNAME (ExternalName Services) or NODATA (the SOA in the authority
 * section). Names inside the cluster domain that are absent get NXDOMAIN, built from
 * {@link #nxdomainSoa()}: an SOA record without its owner name, which the engine writes as a
 * pointer to the zone suffix of the question.
 *
 * <p>Thread-safety: immutable after construction; any number of threads may read it once it is
 * published (a final field or a volatile reference). A new zone replaces it whole.
 */
public final class Zone {
    /** The lookup missed. */
    public static final int NOT_FOUND = -1;

    private final ZoneSettings settings;
    private final byte[] apexWire;
    private final int[] slots;
    private final int slotMask;
    private final int[] entryHash;
    private final int[] entryKeyWordOffset;
    private final int[] entryKeyLength;
    private final long[] keyWords;
    private final int[] entryTypesStart;
    private final int[] entryTypesCount;
    private final int[] entryFallback;
    private final int[] typeCodes;
    private final int[] typeAnswers;
    private final int[] answerOffset;
    private final int[] answerLength;
    private final int[] answerLengthWithoutAdditional;
    private final long[] answerCounts;
    private final MemorySegment bodies;
    private final MemorySegment nxdomainSoa;
    private final List<String> warnings;
    private final List<String> names;

    Zone(ZoneSettings settings, byte[] apexWire, int[] slots, int[] entryHash, int[] entryKeyWordOffset, int[] entryKeyLength,
         long[] keyWords, int[] entryTypesStart, int[] entryTypesCount, int[] entryFallback, int[] typeCodes, int[] typeAnswers,
         int[] answerOffset, int[] answerLength, int[] answerLengthWithoutAdditional, long[] answerCounts, byte[] bodies,
         byte[] nxdomainSoa, List<String> warnings, List<String> names) {
        this.settings = settings;
        this.apexWire = apexWire;
        this.slots = slots;
        this.slotMask = slots.length - 1;
        this.entryHash = entryHash;
        this.entryKeyWordOffset = entryKeyWordOffset;
        this.entryKeyLength = entryKeyLength;
        this.keyWords = keyWords;
        this.entryTypesStart = entryTypesStart;
        this.entryTypesCount = entryTypesCount;
        this.entryFallback = entryFallback;
        this.typeCodes = typeCodes;
        this.typeAnswers = typeAnswers;
        this.answerOffset = answerOffset;
        this.answerLength = answerLength;
        this.answerLengthWithoutAdditional = answerLengthWithoutAdditional;
        this.answerCounts = answerCounts;
        // Off-heap, so answering is a native-to-native copy into the frame; freed with the zone (GC).
        final Arena arena = Arena.ofAuto();
        this.bodies = arena.allocate(Math.max(1, bodies.length), 8).copyFrom(MemorySegment.ofArray(bodies)).asSlice(0, bodies.length);
        this.nxdomainSoa = arena.allocate(nxdomainSoa.length, 8).copyFrom(MemorySegment.ofArray(nxdomainSoa));
        this.warnings = List.copyOf(warnings);
        this.names = List.copyOf(names);
    }

    public ZoneSettings settings() {
        return settings;
    }

    /** Records that could not be published, each with the object and the reason. */
    public List<String> warnings() {
        return warnings;
    }

    /** Every owner name (empty non-terminals included), lower case, sorted. */
    public List<String> names() {
        return names;
    }

    /** The cluster domain in lower-case wire format. */
    public int apexWireLength() {
        return apexWire.length;
    }

    /** Byte {@code i} of the cluster domain in lower-case wire format. */
    public int apexWireByte(int i) {
        return apexWire[i];
    }

    /**
     * The entry for the uncompressed wire name at {@code message[name, name + nameLength)}, or
     * {@link #NOT_FOUND}. Case-insensitive ({@link NameWords}); reads nothing at or past
     * {@code limit}; allocates nothing.
     */
    public int find(MemorySegment message, long name, int nameLength, long limit) {
        final int words = NameWords.wordCount(nameLength);
        long hashState = 0;
        for (int i = 0; i < words; i++) {
            hashState = NameWords.hashStep(hashState, NameWords.word(message, name, nameLength, i, limit));
        }
        final int hash = NameWords.finish(hashState);
        int slot = hash & slotMask;
        while (true) {
            final int entry = slots[slot] - 1;
            if (entry < 0) {
                return NOT_FOUND;
            }
            if (entryHash[entry] == hash && entryKeyLength[entry] == nameLength && sameName(message, name, nameLength, limit, entry)) {
                return entry;
            }
            slot = (slot + 1) & slotMask;
        }
    }

    private boolean sameName(MemorySegment message, long name, int nameLength, long limit, int entry) {
        final int keyOffset = entryKeyWordOffset[entry];
        final int words = NameWords.wordCount(nameLength);
        for (int i = 0; i < words; i++) {
            if (NameWords.word(message, name, nameLength, i, limit) != keyWords[keyOffset + i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The answer of {@code entry} for {@code qtype}: the precomputed RRset answer when the name
     * has records of that type (or {@code ANY}), else its fallback (CNAME or NODATA).
     */
    public int answerFor(int entry, int qtype) {
        final int start = entryTypesStart[entry];
        final int end = start + entryTypesCount[entry];
        for (int i = start; i < end; i++) {
            if (typeCodes[i] == qtype) {
                return typeAnswers[i];
            }
        }
        return entryFallback[entry];
    }

    /** Where the answer's body starts in {@link #bodies()}. */
    public int bodyOffset(int answer) {
        return answerOffset[answer];
    }

    /** The body's length in bytes, all three sections. */
    public int bodyLength(int answer) {
        return answerLength[answer];
    }

    /** The body's length without its additional section (for a response that must shrink). */
    public int bodyLengthWithoutAdditional(int answer) {
        return answerLengthWithoutAdditional[answer];
    }

    /** ANCOUNT (bits 32-47), NSCOUNT (bits 16-31), ARCOUNT (bits 0-15) of the answer, packed. */
    public long counts(int answer) {
        return answerCounts[answer];
    }

    /** Every answer body, back to back. */
    public MemorySegment bodies() {
        return bodies;
    }

    /** The SOA record of a NXDOMAIN answer from its TYPE field on (the owner is written by the engine). */
    public MemorySegment nxdomainSoa() {
        return nxdomainSoa;
    }

    /** How many types of {@code entry} (entries are numbered in {@link #names()} order) have their own answer. */
    public int typeCount(int entry) {
        return entryTypesCount[entry];
    }

    /** The {@code i}-th type of {@code entry} that has its own answer. */
    public int type(int entry, int i) {
        return typeCodes[entryTypesStart[entry] + i];
    }

    /** The answer of {@code entry} for every other type: a CNAME or NODATA. */
    public int fallbackAnswer(int entry) {
        return entryFallback[entry];
    }

    public int nameCount() {
        return entryHash.length;
    }
}
