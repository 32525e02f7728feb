package io.isthmus.fastpath.bpf;

import io.isthmus.fastpath.linux.BpfConstants;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small eBPF assembler for the instructions Isthmus's XDP programs need: ALU64/ALU with an
 * immediate or a register, loads and stores (LDX/STX/ST), 64-bit immediates (also map fds),
 * conditional and unconditional jumps to named labels, helper calls and exit.
 *
 * <p>Each instruction is 8 bytes, little-endian:
 * <pre>
 *   0        1        2                4                                8
 *   +--------+--------+----------------+--------------------------------+
 *   | opcode |src|dst |  offset (s16)  |         immediate (s32)        |
 *   +--------+--------+----------------+--------------------------------+
 *   opcode = operation | source (K=imm, X=reg) | class;  byte 1 = src << 4 | dst
 * </pre>
 * LD_IMM64 takes two slots; the second carries the upper 32 bits of the immediate. Jump offsets
 * count slots from the instruction after the jump; labels are resolved by {@link #assemble()}.
 *
 * <p><b>Thread-safety:</b> none; a builder used by one thread, at setup.
 */
public final class BpfAssembler {
    static final int CLASS_LD = 0x00;
    static final int CLASS_LDX = 0x01;
    static final int CLASS_ST = 0x02;
    static final int CLASS_STX = 0x03;
    static final int CLASS_ALU = 0x04;
    static final int CLASS_JMP = 0x05;
    static final int CLASS_ALU64 = 0x07;
    static final int MODE_IMM = 0x00;
    static final int MODE_MEM = 0x60;
    static final int SOURCE_K = 0x00;
    static final int SOURCE_X = 0x08;
    static final int OP_JA = 0x00;
    static final int OP_CALL = 0x80;
    static final int OP_EXIT = 0x90;

    private final List<long[]> slots = new ArrayList<>(); // {encoded, pendingLabelIndex or -1}
    private final List<String> pendingLabels = new ArrayList<>();
    private final Map<String, Integer> labels = new HashMap<>();

    /** Encodes one slot. */
    static long encode(int opcode, BpfRegister dst, BpfRegister src, int offset, int immediate) {
        if (offset < Short.MIN_VALUE || offset > Short.MAX_VALUE) {
            throw new IllegalArgumentException("offset " + offset + " does not fit in 16 bits");
        }
        return (opcode & 0xffL)
                | ((long) ((src.number() << 4) | dst.number()) << 8)
                | ((offset & 0xffffL) << 16)
                | ((immediate & 0xffffffffL) << 32);
    }

    private BpfAssembler emit(long slot) {
        slots.add(new long[] {slot, -1});
        return this;
    }

    private BpfAssembler emitJump(long slot, String label) {
        pendingLabels.add(label);
        slots.add(new long[] {slot, pendingLabels.size() - 1});
        return this;
    }

    /** The number of slots emitted so far (LD_IMM64 counts two). */
    public int size() {
        return slots.size();
    }

    /** Marks the next instruction as {@code name}. */
    public BpfAssembler label(String name) {
        if (labels.putIfAbsent(name, slots.size()) != null) {
            throw new IllegalArgumentException("label " + name + " defined twice");
        }
        return this;
    }

    // ------------------------------------------------------------------ ALU

    /** {@code dst = dst OP imm} on 64 bits. */
    public BpfAssembler alu64(AluOp op, BpfRegister dst, int immediate) {
        return emit(encode(op.bits | SOURCE_K | CLASS_ALU64, dst, BpfRegister.R0, 0, immediate));
    }

    /** {@code dst = dst OP src} on 64 bits. */
    public BpfAssembler alu64(AluOp op, BpfRegister dst, BpfRegister src) {
        return emit(encode(op.bits | SOURCE_X | CLASS_ALU64, dst, src, 0, 0));
    }

    /** {@code dst = (u32) (dst OP imm)}: 32-bit ALU, upper half zeroed. */
    public BpfAssembler alu32(AluOp op, BpfRegister dst, int immediate) {
        return emit(encode(op.bits | SOURCE_K | CLASS_ALU, dst, BpfRegister.R0, 0, immediate));
    }

    /** {@code dst = (u32) (dst OP src)}. */
    public BpfAssembler alu32(AluOp op, BpfRegister dst, BpfRegister src) {
        return emit(encode(op.bits | SOURCE_X | CLASS_ALU, dst, src, 0, 0));
    }

    /** {@code dst = imm} (sign-extended to 64 bits). */
    public BpfAssembler mov64(BpfRegister dst, int immediate) {
        return alu64(AluOp.MOV, dst, immediate);
    }

    /** {@code dst = src}. */
    public BpfAssembler mov64(BpfRegister dst, BpfRegister src) {
        return alu64(AluOp.MOV, dst, src);
    }

    // ------------------------------------------------------------------ memory

    /** {@code dst = *(size *)(src + offset)}. */
    public BpfAssembler ldx(BpfSize size, BpfRegister dst, BpfRegister src, int offset) {
        return emit(encode(MODE_MEM | size.bits | CLASS_LDX, dst, src, offset, 0));
    }

    /** {@code *(size *)(dst + offset) = src}. */
    public BpfAssembler stx(BpfSize size, BpfRegister dst, int offset, BpfRegister src) {
        return emit(encode(MODE_MEM | size.bits | CLASS_STX, dst, src, offset, 0));
    }

    /** {@code *(size *)(dst + offset) = imm}. */
    public BpfAssembler st(BpfSize size, BpfRegister dst, int offset, int immediate) {
        return emit(encode(MODE_MEM | size.bits | CLASS_ST, dst, BpfRegister.R0, offset, immediate));
    }

    /** {@code dst = imm64}: LD_IMM64, two slots. */
    public BpfAssembler ldImm64(BpfRegister dst, long immediate) {
        return ldImm64(dst, BpfRegister.R0, immediate);
    }

    /** {@code dst = map} for the map with file descriptor {@code mapFd} (LD_IMM64 with src = BPF_PSEUDO_MAP_FD). */
    public BpfAssembler ldMapFd(BpfRegister dst, int mapFd) {
        return ldImm64(dst, BpfRegister.values()[BpfConstants.BPF_PSEUDO_MAP_FD], mapFd);
    }

    private BpfAssembler ldImm64(BpfRegister dst, BpfRegister pseudo, long immediate) {
        emit(encode(MODE_IMM | BpfSize.DW.bits | CLASS_LD, dst, pseudo, 0, (int) immediate));
        return emit(encode(0, BpfRegister.R0, BpfRegister.R0, 0, (int) (immediate >>> 32)));
    }

    // ------------------------------------------------------------------ control flow

    /** {@code if (dst OP imm) goto label}. */
    public BpfAssembler jump(JmpOp op, BpfRegister dst, int immediate, String label) {
        return emitJump(encode(op.bits | SOURCE_K | CLASS_JMP, dst, BpfRegister.R0, 0, immediate), label);
    }

    /** {@code if (dst OP src) goto label}. */
    public BpfAssembler jump(JmpOp op, BpfRegister dst, BpfRegister src, String label) {
        return emitJump(encode(op.bits | SOURCE_X | CLASS_JMP, dst, src, 0, 0), label);
    }

    /** {@code goto label}. */
    public BpfAssembler jumpAlways(String label) {
        return emitJump(encode(OP_JA | CLASS_JMP, BpfRegister.R0, BpfRegister.R0, 0, 0), label);
    }

    /** Calls helper function {@code helperId} (enum bpf_func_id); arguments in R1-R5, result in R0. */
    public BpfAssembler call(int helperId) {
        return emit(encode(OP_CALL | CLASS_JMP, BpfRegister.R0, BpfRegister.R0, 0, helperId));
    }

    /** Returns R0. */
    public BpfAssembler exit() {
        return emit(encode(OP_EXIT | CLASS_JMP, BpfRegister.R0, BpfRegister.R0, 0, 0));
    }

    /** The instructions with every jump's offset resolved. */
    public long[] assemble() {
        final long[] out = new long[slots.size()];
        for (int i = 0; i < out.length; i++) {
            final long[] slot = slots.get(i);
            long encoded = slot[0];
            if (slot[1] >= 0) {
                final String name = pendingLabels.get((int) slot[1]);
                final Integer target = labels.get(name);
                if (target == null) {
                    throw new IllegalStateException("jump at instruction " + i + " to undefined label " + name);
                }
                final int offset = target - (i + 1);
                if (offset < Short.MIN_VALUE || offset > Short.MAX_VALUE) {
                    throw new IllegalStateException("jump at instruction " + i + " to " + name + " is too far");
                }
                encoded = (encoded & ~(0xffffL << 16)) | ((offset & 0xffffL) << 16);
            }
            out[i] = encoded;
        }
        return out;
    }
}
