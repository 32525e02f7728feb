package io.isthmus.fastpath.bpf;

import io.isthmus.fastpath.linux.BpfConstants;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static io.isthmus.fastpath.bpf.BpfRegister.R0;
import static io.isthmus.fastpath.bpf.BpfRegister.R1;
import static io.isthmus.fastpath.bpf.BpfRegister.R10;
import static io.isthmus.fastpath.bpf.BpfRegister.R2;
import static io.isthmus.fastpath.bpf.BpfRegister.R3;
import static io.isthmus.fastpath.bpf.BpfRegister.R6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Encodings checked against the byte sequences of the kernel's instruction-set documentation. */
class BpfAssemblerTest {

    /** The instructions as the little-endian bytes the kernel reads, in hex, one slot per entry. */
    private static String hex(long[] insns) {
        final StringBuilder s = new StringBuilder();
        for (long insn : insns) {
            final byte[] b = new byte[8];
            for (int i = 0; i < 8; i++) {
                b[i] = (byte) (insn >>> (8 * i));
            }
            s.append(s.isEmpty() ? "" : " ").append(HexFormat.of().formatHex(b));
        }
        return s.toString();
    }

    private static String one(java.util.function.Consumer<BpfAssembler> emit) {
        final BpfAssembler asm = new BpfAssembler();
        emit.accept(asm);
        return hex(asm.assemble());
    }

    @Test
    void aluEncodings() {
        assertEquals("b700000002000000", one(a -> a.mov64(R0, 2)));
        assertEquals("bf16000000000000", one(a -> a.mov64(R6, R1)));
        assertEquals("07010000ffffffff", one(a -> a.alu64(AluOp.ADD, R1, -1)));
        assertEquals("0f21000000000000", one(a -> a.alu64(AluOp.ADD, R1, R2)));
        assertEquals("5702000000ff0000", one(a -> a.alu64(AluOp.AND, R2, 0xff00)));
        assertEquals("b400000007000000", one(a -> a.alu32(AluOp.MOV, R0, 7)));
        assertEquals("ac32000000000000", one(a -> a.alu32(AluOp.XOR, R2, R3)));
        assertEquals("7701000008000000", one(a -> a.alu64(AluOp.RSH, R1, 8)));
    }

    @Test
    void memoryEncodings() {
        assertEquals("6112100000000000", one(a -> a.ldx(BpfSize.W, R2, R1, 16)));
        assertEquals("7112020000000000", one(a -> a.ldx(BpfSize.B, R2, R1, 2)));
        assertEquals("6912040000000000", one(a -> a.ldx(BpfSize.H, R2, R1, 4)));
        assertEquals("791200000000000" + "0", one(a -> a.ldx(BpfSize.DW, R2, R1, 0)));
        assertEquals("7b1af8ff00000000", one(a -> a.stx(BpfSize.DW, R10, -8, R1)));
        assertEquals("620afcff2a000000", one(a -> a.st(BpfSize.W, R10, -4, 42)));
    }

    @Test
    void ldImm64TakesTwoSlotsAndCarriesTheUpperHalfInTheSecond() {
        assertEquals("1801000078563412 00000000f0debc9a", one(a -> a.ldImm64(R1, 0x9abcdef012345678L)));
        assertEquals("1811000005000000 0000000000000000", one(a -> a.ldMapFd(R1, 5)));
    }

    @Test
    void callAndExit() {
        assertEquals("8500000033000000", one(a -> a.call(BpfConstants.BPF_FUNC_REDIRECT_MAP)));
        assertEquals("9500000000000000", one(BpfAssembler::exit));
    }

    @Test
    void jumpsResolveLabelsForwardAndBackwardCountingLdImm64AsTwoSlots() {
        final BpfAssembler asm = new BpfAssembler()
                .label("top")                             // 0
                .jump(JmpOp.JEQ, R1, 7, "out")            // 0: to 5 -> +4
                .ldImm64(R2, 1)                           // 1,2
                .jump(JmpOp.JNE, R1, R2, "top")           // 3: to 0 -> -4
                .jumpAlways("out")                        // 4: to 5 -> +0
                .label("out")
                .exit();                                  // 5
        final String[] slots = hex(asm.assemble()).split(" ");
        assertEquals("1501040007000000", slots[0]);
        assertEquals("5d21fcff00000000", slots[3]);
        assertEquals("0500000000000000", slots[4]);
    }

    @Test
    void undefinedOrDuplicateLabelsAreErrors() {
        assertThrows(IllegalStateException.class, () -> new BpfAssembler().jumpAlways("nowhere").exit().assemble());
        assertThrows(IllegalArgumentException.class, () -> new BpfAssembler().label("a").exit().label("a"));
    }

    @Test
    void theRedirectProgramIsTheSixSlotProgram() {
        final String program = hex(new XdpRedirectProgramBuilder(9).build());
        assertEquals("6112100000000000"        // r2 = *(u32 *)(r1 + 16)  rx_queue_index
                + " 1811000009000000 0000000000000000" // r1 = map fd 9
                + " b703000002000000"          // r3 = XDP_PASS
                + " 8500000033000000"          // call bpf_redirect_map
                + " 9500000000000000", program);
    }

    @Test
    void checksRunFirstWithTheContextInR6AndJumpToThePassTail() {
        final long[] insns = new XdpRedirectProgramBuilder(9)
                .passWhen((asm, ctx, pass, prefix) -> asm
                        .ldx(BpfSize.W, R2, ctx, BpfConstants.XDP_MD_INGRESS_IFINDEX)
                        .jump(JmpOp.JEQ, R2, 1, pass))
                .build();
        final String[] slots = hex(insns).split(" ");
        assertEquals(11, slots.length);
        assertEquals("bf16000000000000", slots[0]);      // r6 = r1
        assertEquals("61620c0000000000", slots[1]);      // r2 = ingress_ifindex
        assertEquals("1502060001000000", slots[2]);      // if r2 == 1 goto pass (slot 9)
        assertEquals("6162100000000000", slots[3]);      // r2 = *(u32 *)(r6 + 16)
        assertEquals("b700000002000000", slots[9]);      // pass: r0 = XDP_PASS
        assertEquals("9500000000000000", slots[10]);
    }
}
