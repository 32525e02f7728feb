package io.isthmus.fastpath.bpf;

/**
 * One "this frame belongs to the host, XDP_PASS it" test of an XDP program, emitted by
 * {@link XdpRedirectProgramBuilder} in front of the redirect.
 *
 * <p>Contract for {@link #emit}: the context ({@code struct xdp_md *}) is in {@code ctx} (R6, which
 * survives helper calls); the check may use R0-R5 and R7-R9 freely, must leave {@code ctx}
 * unchanged, jumps to {@code passLabel} for frames the host keeps, and falls through otherwise.
 * Labels it defines must be prefixed with {@code labelPrefix} so checks do not collide.
 */
@FunctionalInterface
public interface HostTrafficCheck {
    void emit(BpfAssembler asm, BpfRegister ctx, String passLabel, String labelPrefix);
}
