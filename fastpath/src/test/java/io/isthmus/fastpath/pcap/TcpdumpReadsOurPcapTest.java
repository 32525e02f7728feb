package io.isthmus.fastpath.pcap;

import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.testing.TestFrames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteOrder;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Our writer's files are read by tcpdump, which also checks the checksums our builders produce. */
class TcpdumpReadsOurPcapTest {
    static final long POD_MAC = MacAddress.parse("0a:00:00:00:00:0a");
    static final long SWITCH_MAC = MacAddress.parse("02:00:00:00:00:01");
    static final int A = Ipv4Address.parse("10.244.1.2");
    static final int B = Ipv4Address.parse("10.244.1.3");

    @TempDir
    Path dir;

    @Test
    void tcpdumpDecodesMicrosecondAndNanosecondFilesWithCorrectChecksums() throws Exception {
        for (boolean nanoseconds : new boolean[]{false, true}) {
            final Path file = dir.resolve(nanoseconds ? "ns.pcap" : "us.pcap");
            try (PcapWriter writer = PcapWriter.create(file, nanoseconds, ByteOrder.LITTLE_ENDIAN)) {
                writer.write(TestFrames.arpRequestFrame(POD_MAC, A, Ipv4Address.parse("169.254.1.1")), 1_000_000_000L);
                writer.write(TestFrames.icmpEchoFrame(SWITCH_MAC, POD_MAC, A, B, 64, 8, 1), 1_000_000_001L);
                writer.write(TestFrames.udpFrame(SWITCH_MAC, POD_MAC, A, B, 64, 40000, 53, "query".getBytes()), 1_000_001_000L);
                writer.write(TestFrames.ipv4Frame(SWITCH_MAC, POD_MAC, A, B, 64, TestFrames.PROTO_TCP,
                        TestFrames.tcp(A, B, 34567, 80, 1000, 0, 0x02, 65535, new byte[0])), 1_002_000_000L);
            }
            final String output = PcapTcpdump.readVerbose(file);
            assertTrue(output.contains("Request who-has 169.254.1.1 tell 10.244.1.2"), output);
            assertTrue(output.contains("10.244.1.2 > 10.244.1.3: ICMP echo request"), output);
            assertTrue(output.contains("10.244.1.2.40000 > 10.244.1.3.53"), output);
            assertTrue(output.contains("[udp sum ok]"), output);
            assertTrue(output.contains("10.244.1.2.34567 > 10.244.1.3.80: Flags [S]"), output);
            assertTrue(output.contains("(correct)"), output);
            assertFalse(output.contains("bad cksum"), output);
            assertFalse(output.contains("incorrect"), output);
            assertFalse(output.contains("wrong icmp cksum"), output);
        }
    }
}
