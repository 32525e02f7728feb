package io.isthmus.fastpath.bpf;

/** Arithmetic operations: the {@code BPF_OP} bits of an ALU / ALU64 opcode. */
public enum AluOp {
    ADD(0x00), SUB(0x10), MUL(0x20), DIV(0x30), OR(0x40), AND(0x50), LSH(0x60), RSH(0x70),
    NEG(0x80), MOD(0x90), XOR(0xa0), MOV(0xb0), ARSH(0xc0);

    final int bits;

    AluOp(int bits) {
        this.bits = bits;
    }
}
