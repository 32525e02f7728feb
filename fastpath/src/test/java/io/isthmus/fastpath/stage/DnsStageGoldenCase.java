package io.isthmus.fastpath.stage;

import io.isthmus.dns.answer.AnswerEngine;
import io.isthmus.dns.answer.Transport;
import io.isthmus.fastpath.pcap.PcapWriter;
import io.isthmus.fastpath.testing.TestFrames;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.isthmus.fastpath.stage.DnsStageFixtures.*;
import static io.isthmus.fastpath.stage.StageFixtures.*;

/**
 * The golden case {@code dns-golden/inline-answer}: pods A (port 0) and B (port 1) ask the cluster
 * DNS (10.96.0.10:53) for an A record, an AAAA that is NODATA, a search-path probe (NXDOMAIN), a
 * large RRset with EDNS0 (answered whole) and without (TC), and a name outside the cluster
 * (punted, so no reply in expected.pcap). The expected replies are built without the stage:
 * the DNS message by the answer engine of dns-responder (checked against dnsjava in its own
 * tests), the headers by {@link TestFrames} from what a reply must be (MACs, addresses and ports
 * swapped, TTL 64, DF, identification 0, checksums from scratch).
 * Run by hand to rewrite: {@code java ... DnsStageGoldenCase fastpath/src/test/resources/dns-golden/inline-answer}.
 */
final class DnsStageGoldenCase {
    static final long FIRST_TIMESTAMP_NS = 1_764_115_200_000_000_000L;

    final List<byte[]> in = new ArrayList<>();
    final List<Integer> ingress = new ArrayList<>();
    final List<byte[]> expected = new ArrayList<>();
    final List<Integer> egress = new ArrayList<>();
    int punted;

    static DnsStageGoldenCase build() {
        final DnsStageGoldenCase golden = new DnsStageGoldenCase();
        golden.answered(0, query("web.default.svc.cluster.local.", Type.A, 0x0101, false));
        golden.answered(1, query("web.default.svc.cluster.local.", Type.AAAA, 0x0102, false));
        golden.answered(0, query("www.example.com.default.svc.cluster.local.", Type.A, 0x0103, false));
        golden.answered(1, query("big.default.svc.cluster.local.", Type.A, 0x0104, true));
        golden.answered(0, query("big.default.svc.cluster.local.", Type.A, 0x0105, false));
        golden.in.add(queryFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, query("www.example.com.", Type.A, 0x0106, false)));
        golden.ingress.add(0);
        golden.punted++;
        return golden;
    }

    private static byte[] query(String name, int type, int id, boolean edns) {
        try {
            final Message message = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
            message.getHeader().setID(id);
            if (edns) {
                message.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
            }
            return message.toWire();
        } catch (TextParseException e) {
            throw new IllegalArgumentException(name, e);
        }
    }

    private void answered(int port, byte[] query) {
        final long podMac = port == 0 ? POD_MAC_A : POD_MAC_B;
        final long switchMac = port == 0 ? SWITCH_MAC_0 : SWITCH_MAC_1;
        final int podIp = port == 0 ? POD_A : POD_B;
        in.add(queryFrame(switchMac, podMac, podIp, query));
        ingress.add(port);
        final byte[] buffer = Arrays.copyOf(query, 2048 - 42);
        final int length = new AnswerEngine().answer(DnsStageFixtures.zone(), MemorySegment.ofArray(buffer), 0, query.length,
                buffer.length, Transport.UDP);
        final byte[] response = Arrays.copyOf(buffer, length);
        expected.add(TestFrames.ethernet(podMac, switchMac, TestFrames.ETHER_IPV4,
                TestFrames.ipv4(DNS_SERVICE_IP, podIp, 64, TestFrames.PROTO_UDP, 0,
                        TestFrames.udp(DNS_SERVICE_IP, podIp, DNS_PORT, POD_PORT, response))));
        egress.add(port);
    }

    String caseText() {
        return "# pcap in, pcap out through parse → learn → ARP → DNS → route → rewrite → TX (DnsStageGoldenPcapTest)\n"
                + "# the cluster DNS is 10.96.0.10:53; the zone is DnsStageFixtures.zone()\n"
                + "ingress" + join(ingress) + "\n"
                + "egress" + join(egress) + "\n"
                + "punted " + punted + "\n";
    }

    private static String join(List<Integer> ports) {
        final StringBuilder text = new StringBuilder();
        ports.forEach(port -> text.append(' ').append(port));
        return text.toString();
    }

    static void writePcap(Path file, List<byte[]> frames) throws IOException {
        try (PcapWriter writer = PcapWriter.create(file)) {
            long timestampNs = FIRST_TIMESTAMP_NS;
            for (byte[] frame : frames) {
                writer.write(frame, timestampNs);
                timestampNs += 1_000_000L;
            }
        }
    }

    public static void main(String[] args) throws IOException {
        final Path dir = Path.of(args.length > 0 ? args[0] : "fastpath/src/test/resources/dns-golden/inline-answer");
        Files.createDirectories(dir);
        final DnsStageGoldenCase golden = build();
        writePcap(dir.resolve("in.pcap"), golden.in);
        writePcap(dir.resolve("expected.pcap"), golden.expected);
        Files.writeString(dir.resolve("case.txt"), golden.caseText());
    }
}
