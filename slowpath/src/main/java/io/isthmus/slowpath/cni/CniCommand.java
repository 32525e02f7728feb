package io.isthmus.slowpath.cni;

/** The operations of the CNI specification (VERSION is answered by the shim as well). */
public enum CniCommand {
    ADD, DEL, CHECK, VERSION, GC, STATUS;

    /** Whether the command acts on one attachment, and so needs CNI_CONTAINERID and CNI_IFNAME. */
    boolean namesAnAttachment() {
        return this == ADD || this == DEL || this == CHECK;
    }
}
