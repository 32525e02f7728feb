package io.isthmus.slowpath.reconcile;

import io.isthmus.fastpath.control.DesiredKind;

/**
 * One record the slow path wants the fast path to hold: what {@code FastpathControl.upsert} takes.
 *
 * @param payload a record of {@code kind.payloadType()}
 */
public record DesiredRecord(DesiredKind kind, String key, Object payload) {

    /** The identity of the record (its kind and key), regardless of payload. */
    public String slot() {
        return kind + " " + key;
    }
}
