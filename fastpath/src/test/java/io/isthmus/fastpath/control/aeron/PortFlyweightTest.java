package io.isthmus.fastpath.control.aeron;

import io.isthmus.fastpath.control.PortAttachment;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.pipeline.PortKind;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PortFlyweightTest {

    @Test
    void podAndHostAttachmentsRoundTripWithTheirKind() {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocate(256));
        final PortFlyweight port = new PortFlyweight();
        final PortAttachment pod = new PortAttachment("isx0123456789a", Ipv4Address.parse("10.244.0.7"),
                MacAddress.parse("0a:00:00:00:00:07"), "web/echo-0");
        port.write(buffer, 8, ControlProtocol.ATTACH_PORT, 42, pod);
        assertEquals(pod, port.attachment());
        final PortAttachment host = PortAttachment.host("isthmus0p", MacAddress.parse("0e:00:00:00:00:99"));
        port.write(buffer, 8, ControlProtocol.ATTACH_PORT, 43, host);
        assertEquals(host, port.attachment());
        assertEquals(PortKind.HOST, port.kind());
    }

    @Test
    void aMessageOfAnOlderSenderWithoutTheKindMeansAPod() {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocate(256));
        final PortFlyweight port = new PortFlyweight();
        final PortAttachment host = PortAttachment.host("isthmus0p", MacAddress.parse("0e:00:00:00:00:99"));
        final int length = port.write(buffer, 0, ControlProtocol.ATTACH_PORT, 1, host);
        buffer.putInt(MessageHeaderFlyweight.LENGTH_OFFSET, length - 1); // as version-1 senders wrote it
        assertEquals(PortKind.POD, port.kind());
        buffer.putInt(MessageHeaderFlyweight.LENGTH_OFFSET, length);
        buffer.putByte(length - 1, (byte) 77);
        assertEquals("unknown port kind id 77", assertThrows(IllegalArgumentException.class, port::kind).getMessage());
    }
}
