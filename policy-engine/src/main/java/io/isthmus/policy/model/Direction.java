package io.isthmus.policy.model;

/** A policy direction as seen from the selected pod (API: {@code policyTypes}). */
public enum Direction {
    /** Connections into the selected pod. */
    INGRESS,
    /** Connections out of the selected pod. */
    EGRESS;

    /** 0 for ingress, 1 for egress: the index in compiled tables. */
    public int index() {
        return ordinal();
    }

    /** The API spelling ("Ingress", "Egress"). */
    public String apiName() {
        return this == INGRESS ? "Ingress" : "Egress";
    }

    public String lowerName() {
        return this == INGRESS ? "ingress" : "egress";
    }
}
