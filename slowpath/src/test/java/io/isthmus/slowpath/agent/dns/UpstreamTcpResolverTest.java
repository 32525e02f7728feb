package io.isthmus.slowpath.agent.dns;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class UpstreamTcpResolverTest {

    private static byte[] query(int id) throws Exception {
        final Message query = Message.newQuery(Record.newRecord(Name.fromString("www.example.org."), Type.A, DClass.IN));
        query.getHeader().setID(id);
        return query.toWire();
    }

    @Test
    void aQueryIsRelayedToTheFirstUpstreamThatAnswersAndItsAnswerReturnedAsItCame() throws Exception {
        final InetSocketAddress closed;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = (InetSocketAddress) probe.getLocalSocketAddress(); // nobody listens there afterwards
        }
        try (FakeTcpUpstream upstream = new FakeTcpUpstream(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "192.0.2.77")) {
            final UpstreamTcpResolver resolver = new UpstreamTcpResolver(List.of(closed, upstream.address()), Duration.ofSeconds(2));
            final byte[] query = query(4242);
            final byte[] response = new byte[70_000];
            final int length = resolver.answer(query, 0, query.length, response, 2);
            final Message answer = new Message(Arrays.copyOfRange(response, 2, 2 + length));
            assertEquals(4242, answer.getHeader().getID());
            assertEquals(Rcode.NOERROR, answer.getRcode());
            assertEquals("192.0.2.77", ((ARecord) answer.getSection(Section.ANSWER).getFirst()).getAddress().getHostAddress());
            assertEquals(1, upstream.queries(), "the refusing upstream was skipped, the next one asked once");
        }
    }

    @Test
    void withoutAnUpstreamThatAnswersTheClientGetsServfailWithItsQuestion() throws Exception {
        final InetSocketAddress closed;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = (InetSocketAddress) probe.getLocalSocketAddress();
        }
        final UpstreamTcpResolver resolver = new UpstreamTcpResolver(List.of(closed), Duration.ofSeconds(1));
        final byte[] query = query(7);
        final byte[] response = new byte[512];
        final int length = resolver.answer(query, 0, query.length, response, 0);
        final Message answer = new Message(Arrays.copyOf(response, length));
        assertEquals(7, answer.getHeader().getID());
        assertEquals(Rcode.SERVFAIL, answer.getRcode());
        assertEquals(Name.fromString("www.example.org."), answer.getQuestion().getName());
        assertEquals(0, answer.getSection(Section.ANSWER).size());
        assertEquals(0, resolver.answer(new byte[5], 0, 5, response, 0), "shorter than a header: no answer");
        assertThrows(IllegalArgumentException.class, () -> new UpstreamTcpResolver(List.of(), Duration.ofSeconds(1)));
    }
}
