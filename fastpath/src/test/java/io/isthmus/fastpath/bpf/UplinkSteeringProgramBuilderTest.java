package io.isthmus.fastpath.bpf;

import io.isthmus.fastpath.packet.Ipv4Address;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the uplink steering builder refuses and how its constants are laid out (no kernel needed). */
class UplinkSteeringProgramBuilderTest {
    @Test
    void aProgramThatWouldSteerNothingOrEverythingIsRefused() {
        assertThrows(IllegalStateException.class, () -> new UplinkSteeringProgramBuilder(9).build());
        assertThrows(IllegalArgumentException.class, () -> new UplinkSteeringProgramBuilder(9).serviceCidr(0, 0),
                "a /0 would take the host's own traffic");
        assertThrows(IllegalArgumentException.class, () -> new UplinkSteeringProgramBuilder(9).nodePortRange(32767, 30000));
        assertThrows(IllegalArgumentException.class, () -> new UplinkSteeringProgramBuilder(9).nodeAddress(0));
    }

    @Test
    void addressesAreComparedAsTheLittleEndianLoadOfTheirNetworkBytes() {
        assertEquals(0x0A4DA8C0, UplinkSteeringProgramBuilder.loaded(Ipv4Address.parse("192.168.77.10")));
        final long[] insns = new UplinkSteeringProgramBuilder(9).nodeAddress(Ipv4Address.parse("192.168.77.10")).build();
        boolean found = false;
        for (long insn : insns) {
            // mov32 r3, imm: opcode 0xb4, dst r3
            found |= (insn & 0xff) == 0xb4 && ((insn >>> 8) & 0xf) == 3 && (int) (insn >>> 32) == 0x0A4DA8C0;
        }
        assertTrue(found, "the node address is moved into r3 with a 32-bit move (no sign extension)");
        assertEquals(0x95, insns[insns.length - 1] & 0xff, "the program ends with exit");
    }
}
