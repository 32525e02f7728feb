package io.isthmus.fastpath.stage;

import io.isthmus.dns.zone.Zone;
import io.isthmus.fastpath.control.Published;
import io.isthmus.fastpath.frame.FrameMemory;
import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.pcap.PcapTcpdump;
import io.isthmus.fastpath.pcap.PcapWriter;
import io.isthmus.fastpath.pipeline.PipelineContext;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.fastpath.port.InMemoryPort;
import io.isthmus.fastpath.port.Port;
import io.isthmus.fastpath.punt.PuntQueue;
import io.isthmus.fastpath.worker.Worker;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.isthmus.fastpath.stage.DnsStageFixtures.*;
import static io.isthmus.fastpath.testing.PcapFrames.hex;
import static io.isthmus.fastpath.testing.PcapFrames.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pcap in, pcap out for the inline DNS answer: the frames of {@code dns-golden/inline-answer/in.pcap}
 * enter the switching pipeline with the DNS stage on the ports {@code case.txt} names; what the
 * ports transmit must equal {@code expected.pcap} byte for byte (written to
 * {@code target/dns-golden-out/out.pcap} too), and the outside name must be punted as it came.
 * The checked-in files must also equal what {@link DnsStageGoldenCase} builds, and tcpdump must
 * read the expected replies as DNS with correct checksums.
 */
class DnsStageGoldenPcapTest {

    private static Path caseDir() throws URISyntaxException {
        return Path.of(DnsStageGoldenPcapTest.class.getResource("/dns-golden/inline-answer").toURI());
    }

    @Test
    void theCheckedInFilesAreWhatTheCaseBuilds() throws Exception {
        final DnsStageGoldenCase golden = DnsStageGoldenCase.build();
        assertEquals(hex(golden.in), hex(readAll(caseDir().resolve("in.pcap"))));
        assertEquals(hex(golden.expected), hex(readAll(caseDir().resolve("expected.pcap"))));
        assertEquals(golden.caseText(), Files.readString(caseDir().resolve("case.txt")));
    }

    @Test
    void inlineAnswersLeaveByteForByteAsExpected() throws Exception {
        final DnsStageGoldenCase golden = DnsStageGoldenCase.build();
        final List<byte[]> in = readAll(caseDir().resolve("in.pcap"));
        final List<byte[]> expected = readAll(caseDir().resolve("expected.pcap"));
        final Path outDir = Path.of("target", "dns-golden-out");
        Files.createDirectories(outDir);
        try (Arena arena = Arena.ofConfined(); PuntQueue punts = new PuntQueue();
             PcapWriter out = PcapWriter.create(outDir.resolve("out.pcap"))) {
            final FramePool pool = new FramePool(FrameMemory.allocate(arena, 256, 2048));
            final InMemoryPort[] ports = {new InMemoryPort(0, "pod-a", pool), new InMemoryPort(1, "pod-b", pool)};
            final PipelineContext context = new PipelineContext(ports.clone(), pool, new RouteTableRef(StageFixtures.table()),
                    Worker.ARP_REQUEST_INTERVAL_NS);
            final Worker worker = new Worker("dns-golden", ports.clone(), context, SwitchingPipeline.create(context,
                    new DnsStageSettings(DNS_SERVICE_IP, DNS_PORT, new Published<Zone>(DnsStageFixtures.zone()), punts)), () -> 0L);
            final List<List<byte[]>> sent = List.of(new ArrayList<>(), new ArrayList<>());
            final List<byte[]> puntedFrames = new ArrayList<>();
            for (int n = 0; n < in.size(); n++) {
                assertTrue(ports[golden.ingress.get(n)].inject(in.get(n)));
                for (int cycle = 0; worker.doWork() > 0; cycle++) {
                    assertTrue(cycle < 100, "worker still busy after 100 cycles");
                }
                for (int p = 0; p < ports.length; p++) {
                    for (byte[] frame; (frame = ports[p].pollTransmitted()) != null; ) {
                        sent.get(p).add(frame);
                        out.write(frame, DnsStageGoldenCase.FIRST_TIMESTAMP_NS + n * 1_000_000L);
                    }
                }
                punts.drain((memory, offset, length, port) -> puntedFrames.add(memory.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE)), 10);
            }
            for (int p = 0; p < ports.length; p++) {
                final List<byte[]> want = new ArrayList<>();
                for (int k = 0; k < expected.size(); k++) {
                    if (golden.egress.get(k) == p) {
                        want.add(expected.get(k));
                    }
                }
                assertEquals(hex(want), hex(sent.get(p)), "frames out of port " + p);
            }
            assertEquals(golden.punted, puntedFrames.size());
            assertArrayEquals(in.getLast(), puntedFrames.getFirst(), "the outside query punted as it came");
            assertEquals(0, worker.drops().total(), worker.drops().describe());
            assertEquals(pool.capacity(), pool.available(), "every frame back in the pool");
        }
    }

    @Test
    void tcpdumpReadsTheExpectedRepliesAsDnsWithGoodChecksums() throws Exception {
        final String output = PcapTcpdump.readVerbose(caseDir().resolve("expected.pcap"));
        assertFalse(output.contains("bad cksum"), output);
        assertFalse(output.contains("incorrect"), output);
        assertTrue(output.contains("10.96.0.10.53 > 10.244.1.2.40000"), output);
        assertTrue(output.contains("A 10.96.0.20"), output);
        assertTrue(output.contains("NXDomain"), output);
        assertTrue(output.contains("261*-| q: A? big.default.svc.cluster.local. 0/0/0"), "the reply without EDNS0 is truncated (tcpdump marks TC with |): " + output);
    }
}
