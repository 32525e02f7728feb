package io.isthmus.fastpath.bpf;

/** The access size of a load or store: the {@code BPF_SIZE} bits of the opcode. */
public enum BpfSize {
    /** 4 bytes. */
    W(0x00),
    /** 2 bytes. */
    H(0x08),
    /** 1 byte. */
    B(0x10),
    /** 8 bytes. */
    DW(0x18);

    final int bits;

    BpfSize(int bits) {
        this.bits = bits;
    }
}
