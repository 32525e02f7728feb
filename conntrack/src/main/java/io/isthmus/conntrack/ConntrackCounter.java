package io.isthmus.conntrack;

/**
 * Table counters with stable ids (the slot in a header counter stripe; see
 * {@link ConntrackDescriptor}). Each worker writes its own stripe; readers sum the stripes.
 */
public enum ConntrackCounter {
    /** Connections inserted (both tuples linked). */
    INSERTS(0),
    /** Connections removed (expired, flushed, early-dropped or clashing). */
    DELETES(1),
    /** Unassured connections dropped to make room for a new one. */
    EARLY_DROPS(2),
    /** New connections refused because the table was full and nothing could be dropped. */
    REFUSED(3),
    /** Entries compared by lookups and insert checks (slots whose tag matched). */
    SEARCHED(4),
    /** Inserts that lost a race or clashed on their reply tuple. */
    INSERT_FAILED(5),
    /** Lookups that had to restart (layout 1's chains; the index of layout 2 never restarts: stays 0, the id is kept). */
    SEARCH_RESTARTS(6);

    private final int id;

    ConntrackCounter(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
