package io.isthmus.lb.affinity;

import static io.isthmus.lb.affinity.AffinityTableDescriptor.BACKEND_HI;
import static io.isthmus.lb.affinity.AffinityTableDescriptor.BACKEND_LO;
import static io.isthmus.lb.affinity.AffinityTableDescriptor.BACKEND_PORT;
import static io.isthmus.lb.affinity.AffinityTableDescriptor.CLIENT_HI;
import static io.isthmus.lb.affinity.AffinityTableDescriptor.CLIENT_LO;
import static io.isthmus.lb.affinity.AffinityTableDescriptor.ENTRY_BYTES;
import static io.isthmus.lb.affinity.AffinityTableDescriptor.EXPIRES_AT_NS;
import static io.isthmus.lb.affinity.AffinityTableDescriptor.SERVICE_PORT_ID;
import static io.isthmus.lb.affinity.AffinityTableDescriptor.VERSION;

import io.isthmus.lb.maglev.MaglevHash;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * Session affinity for {@code sessionAffinity: ClientIP}: (client address, service port id) →
 * backend, with an expiry. Fixed capacity, off-heap, open addressing with a bounded probe.
 *
 * <p><b>Thread-safety.</b> Every fast-path worker reads <em>and</em> writes it concurrently; no
 * locks. Each entry is a seqlock: a writer claims an entry by {@code compareAndSet} of its
 * version from even {@code v} to odd {@code v+1}, writes the fields, and publishes with
 * {@code setRelease(v+2)}. A writer that loses the race, or finds an entry of its probe window
 * being written, gives up (the flow keeps its Maglev choice; the affinity is recorded by the next
 * new flow), so that two workers pinning the same client at once never leave two entries for it. A reader takes the version with
 * {@code getAcquire}, reads the fields, issues an acquire fence and re-reads the version; a torn
 * or odd read counts as a miss. No one waits for anyone. Entries are never emptied, only
 * overwritten when expired (or when their key is recorded again), so a probe chain stops at the
 * first never-used entry. The slow path only creates and closes the table (close after every
 * worker has stopped).
 *
 * <p>Kube-proxy semantics: iptables' {@code recent} match refreshes the client's timestamp on every
 * new connection through the same endpoint; {@link #remember} does the same when called for a hit.
 */
public final class AffinityTable implements AutoCloseable {

    /** Entries looked at per operation; a neighbourhood this full means the affinity is not recorded. */
    public static final int MAX_PROBES = 8;

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final Arena ownArena;
    private final MemorySegment entries;
    private final int mask;

    /** @param capacityEntries a power of two; memory is {@code 64 × capacityEntries} bytes, freed by {@link #close()} */
    public AffinityTable(int capacityEntries) {
        this(capacityEntries, Arena.ofShared(), true);
    }

    /** A table in memory of the caller's arena (which the caller closes; {@link #close()} does not). */
    public AffinityTable(int capacityEntries, Arena arena) {
        this(capacityEntries, arena, false);
    }

    private AffinityTable(int capacityEntries, Arena arena, boolean owned) {
        if (capacityEntries < MAX_PROBES || Integer.bitCount(capacityEntries) != 1) {
            throw new IllegalArgumentException("affinity capacity must be a power of two >= " + MAX_PROBES + ", got " + capacityEntries);
        }
        this.ownArena = owned ? arena : null;
        this.entries = arena.allocate((long) capacityEntries * ENTRY_BYTES, ENTRY_BYTES);
        this.mask = capacityEntries - 1;
    }

    public int capacityEntries() {
        return mask + 1;
    }

    /**
     * Finds a live affinity for the client. Reads only; allocates nothing.
     *
     * @return true with {@code into} filled when an unexpired entry exists
     */
    public boolean lookup(long clientHi, long clientLo, int servicePortId, long nowNs, AffinityBackend into) {
        int start = home(clientHi, clientLo, servicePortId);
        for (int probe = 0; probe < MAX_PROBES; probe++) {
            long entry = (long) ((start + probe) & mask) * ENTRY_BYTES;
            long version = (long) LONG.getAcquire(entries, entry + VERSION);
            if (version == 0) {
                return false;
            }
            if ((version & 1) != 0) {
                continue;
            }
            long cHi = entries.get(ValueLayout.JAVA_LONG, entry + CLIENT_HI);
            long cLo = entries.get(ValueLayout.JAVA_LONG, entry + CLIENT_LO);
            int spId = entries.get(ValueLayout.JAVA_INT, entry + SERVICE_PORT_ID);
            int bPort = entries.get(ValueLayout.JAVA_INT, entry + BACKEND_PORT);
            long bHi = entries.get(ValueLayout.JAVA_LONG, entry + BACKEND_HI);
            long bLo = entries.get(ValueLayout.JAVA_LONG, entry + BACKEND_LO);
            long expiresAtNs = entries.get(ValueLayout.JAVA_LONG, entry + EXPIRES_AT_NS);
            VarHandle.acquireFence();
            if ((long) LONG.getAcquire(entries, entry + VERSION) != version) {
                continue;
            }
            if (cHi == clientHi && cLo == clientLo && spId == servicePortId) {
                if (expiresAtNs - nowNs <= 0) {
                    return false;
                }
                into.addressHi = bHi;
                into.addressLo = bLo;
                into.port = bPort;
                return true;
            }
        }
        return false;
    }

    /**
     * Records (or refreshes) the client's backend, keeping at most one entry per (client, service
     * port) in the probe window. The entry written is chosen from the window's contents alone, the
     * same for every worker whatever its clock: the client's own entry if present; else the first
     * never-used entry (the client cannot be further on); else the window's earliest-expiring
     * entry, if it has expired at {@code nowNs}. When an entry of the window is being written by
     * another worker (odd version, or it changed while read) the call gives up: that write may be
     * this very client's, and writing elsewhere would leave two copies of it.
     *
     * @return false when the window is full of live entries, another worker is writing in it, or
     *         another worker won the entry
     */
    public boolean remember(long clientHi, long clientLo, int servicePortId,
                            long backendHi, long backendLo, int backendPort, long expiresAtNs, long nowNs) {
        int start = home(clientHi, clientLo, servicePortId);
        long target = -1;
        long targetVersion = 0;
        long oldest = -1;
        long oldestVersion = 0;
        long oldestExpiresNs = 0;
        for (int probe = 0; probe < MAX_PROBES; probe++) {
            long entry = (long) ((start + probe) & mask) * ENTRY_BYTES;
            long version = (long) LONG.getAcquire(entries, entry + VERSION);
            if (version == 0) {
                target = entry;
                targetVersion = 0;
                break;
            }
            if ((version & 1) != 0) {
                return false;
            }
            long cHi = entries.get(ValueLayout.JAVA_LONG, entry + CLIENT_HI);
            long cLo = entries.get(ValueLayout.JAVA_LONG, entry + CLIENT_LO);
            int spId = entries.get(ValueLayout.JAVA_INT, entry + SERVICE_PORT_ID);
            long expires = entries.get(ValueLayout.JAVA_LONG, entry + EXPIRES_AT_NS);
            VarHandle.acquireFence();
            if ((long) LONG.getAcquire(entries, entry + VERSION) != version) {
                return false;
            }
            if (cHi == clientHi && cLo == clientLo && spId == servicePortId) {
                target = entry;
                targetVersion = version;
                break;
            }
            if (oldest < 0 || expires - oldestExpiresNs < 0) {
                oldest = entry;
                oldestVersion = version;
                oldestExpiresNs = expires;
            }
        }
        if (target < 0 && oldest >= 0 && oldestExpiresNs - nowNs <= 0) {
            target = oldest;
            targetVersion = oldestVersion;
        }
        if (target < 0 || !LONG.compareAndSet(entries, target + VERSION, targetVersion, targetVersion + 1)) {
            return false;
        }
        VarHandle.storeStoreFence();
        entries.set(ValueLayout.JAVA_LONG, target + CLIENT_HI, clientHi);
        entries.set(ValueLayout.JAVA_LONG, target + CLIENT_LO, clientLo);
        entries.set(ValueLayout.JAVA_INT, target + SERVICE_PORT_ID, servicePortId);
        entries.set(ValueLayout.JAVA_INT, target + BACKEND_PORT, backendPort);
        entries.set(ValueLayout.JAVA_LONG, target + BACKEND_HI, backendHi);
        entries.set(ValueLayout.JAVA_LONG, target + BACKEND_LO, backendLo);
        entries.set(ValueLayout.JAVA_LONG, target + EXPIRES_AT_NS, expiresAtNs);
        LONG.setRelease(entries, target + VERSION, targetVersion + 2);
        return true;
    }

    /**
     * Stable entries of the client's probe window holding (client, service port), live or not
     * (tests: the table keeps at most one). Reads only.
     */
    int copiesOf(long clientHi, long clientLo, int servicePortId) {
        int start = home(clientHi, clientLo, servicePortId);
        int copies = 0;
        for (int probe = 0; probe < MAX_PROBES; probe++) {
            long entry = (long) ((start + probe) & mask) * ENTRY_BYTES;
            long version = (long) LONG.getAcquire(entries, entry + VERSION);
            if (version != 0 && (version & 1) == 0
                    && entries.get(ValueLayout.JAVA_LONG, entry + CLIENT_HI) == clientHi
                    && entries.get(ValueLayout.JAVA_LONG, entry + CLIENT_LO) == clientLo
                    && entries.get(ValueLayout.JAVA_INT, entry + SERVICE_PORT_ID) == servicePortId) {
                copies++;
            }
        }
        return copies;
    }

    /** The entries (tests in this package play a worker caught in the middle of a write). */
    MemorySegment segment() {
        return entries;
    }

    private int home(long clientHi, long clientLo, int servicePortId) {
        long h = MaglevHash.fmix64(clientHi * 0x9e3779b97f4a7c15L ^ clientLo ^ ((long) servicePortId << 40));
        return (int) h & mask;
    }

    /** Frees the memory (if this table owns its arena). Only after every worker has stopped using the table. */
    @Override
    public void close() {
        if (ownArena != null) {
            ownArena.close();
        }
    }
}
