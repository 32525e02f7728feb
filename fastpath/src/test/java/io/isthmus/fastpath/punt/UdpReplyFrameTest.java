package io.isthmus.fastpath.punt;

import io.isthmus.fastpath.packet.InternetChecksum;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.testing.TestFrames;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class UdpReplyFrameTest {
    private static final long SWITCH = MacAddress.parse("02:00:00:00:00:01");
    private static final long POD = MacAddress.parse("0a:00:00:00:00:0a");
    private static final int POD_IP = Ipv4Address.parse("10.244.1.2");
    private static final int SERVER_IP = Ipv4Address.parse("10.96.0.10");

    @Test
    void theReplyIsWhatTheServerWouldHaveSentForEveryPayloadLength() {
        final Random random = new Random(7);
        for (int length = 0; length <= 300; length++) {
            final byte[] request = TestFrames.udpFrame(SWITCH, POD, POD_IP, SERVER_IP, 63, 40000, 53, new byte[5]);
            final byte[] payload = new byte[length];
            random.nextBytes(payload);
            final byte[] frame = Arrays.copyOf(request, 2048);
            System.arraycopy(payload, 0, frame, UdpReplyFrame.PAYLOAD_OFFSET, length);
            final int replyLength = UdpReplyFrame.turnAround(MemorySegment.ofArray(frame), 0, length);
            final byte[] expected = TestFrames.ethernet(POD, SWITCH, TestFrames.ETHER_IPV4,
                    TestFrames.ipv4(SERVER_IP, POD_IP, 64, TestFrames.PROTO_UDP, 0, TestFrames.udp(SERVER_IP, POD_IP, 53, 40000, payload)));
            assertEquals(TestFrames.hex(expected), TestFrames.hex(Arrays.copyOf(frame, replyLength)), "payload of " + length + " bytes");
        }
    }

    @Test
    void eightByteSumEqualsTheReferenceSum() {
        final Random random = new Random(11);
        final byte[] bytes = new byte[2048];
        random.nextBytes(bytes);
        final MemorySegment segment = MemorySegment.ofArray(bytes);
        for (int offset = 0; offset < 9; offset++) {
            for (int length = 0; length < 2000; length += 1 + random.nextInt(40)) {
                assertEquals(InternetChecksum.fold(InternetChecksum.sum(segment, offset, length)),
                        InternetChecksum.fold(UdpReplyFrame.sum8(segment, offset, length)), offset + "/" + length);
            }
        }
    }
}
