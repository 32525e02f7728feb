package io.isthmus.fastpath.golden;

import io.isthmus.fastpath.pcap.PcapPort;
import io.isthmus.fastpath.pcap.PcapReader;
import io.isthmus.fastpath.pcap.PcapTcpdump;
import io.isthmus.fastpath.pcap.PcapWriter;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.fastpath.pipeline.RouteTableText;
import io.isthmus.fastpath.testing.PipelineHarness;
import io.isthmus.fastpath.worker.Worker;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.isthmus.fastpath.testing.PcapFrames.hex;
import static io.isthmus.fastpath.testing.PcapFrames.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pcap in, pcap out: for every directory under {@code golden/}, the frames of {@code in.pcap}
 * enter the switching pipeline on the ports {@code case.txt} names (one at a time, in order), with
 * the route table of {@code tables.txt}; what each port transmits must equal, byte for byte, the
 * frames of {@code expected.pcap} for that port, and the drops per reason must equal the counts of
 * {@code case.txt}. What came out is also written to {@code target/golden-out/<case>/out.pcap}.
 * The same cases run a second time with {@link PcapPort}s as the ports (pcap files as wires).
 */
class GoldenPcapTest {

    @TestFactory
    Stream<DynamicTest> everyGoldenCase() throws IOException, URISyntaxException {
        final Path root = Path.of(GoldenPcapTest.class.getResource("/golden").toURI());
        final List<Path> cases;
        try (Stream<Path> dirs = Files.list(root)) {
            cases = dirs.filter(Files::isDirectory).sorted().toList();
        }
        assertTrue(cases.size() >= 6, "golden cases found: " + cases);
        return cases.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> run(dir)));
    }

    /**
     * The same cases with pcap files as the ports' wires: each input frame is appended to the input
     * file of its ingress port (followed by a {@link PcapPort}), the worker runs until idle, and each
     * port's output file must hold the expected frames for that port.
     */
    @TestFactory
    Stream<DynamicTest> everyGoldenCaseThroughPcapPorts() throws IOException, URISyntaxException {
        final Path root = Path.of(GoldenPcapTest.class.getResource("/golden").toURI());
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(Files::isDirectory).sorted().toList().stream()
                    .map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> runThroughPcapPorts(dir)));
        }
    }

    @TestFactory
    Stream<DynamicTest> tcpdumpFindsTheExpectedChecksumsCorrect() throws IOException, URISyntaxException {
        final Path root = Path.of(GoldenPcapTest.class.getResource("/golden").toURI());
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(Files::isDirectory).sorted().toList().stream()
                    .map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
                        final String output = PcapTcpdump.readVerbose(dir.resolve("expected.pcap"));
                        assertFalse(output.contains("bad cksum"), output);
                        assertFalse(output.contains("incorrect"), output);
                        assertFalse(output.contains("wrong icmp cksum"), output);
                    }));
        }
    }

    /** One golden case read from its directory. */
    private record GoldenCase(RouteTable table, List<String> caseLines, Path caseFile, List<Integer> ingress, List<Integer> egress, Map<DropReason, Long> drops,
                              List<byte[]> in, List<byte[]> expected) {
        /** The expected frames that leave on {@code port}, in order. */
        /** Fresh flow tables (a new conntrack table) for one run, or null for the plain switching path. */
        io.isthmus.fastpath.testing.FlowTables flow() {
            return GoldenFlowTables.parse(caseLines, table, caseFile);
        }

        List<byte[]> expectedOn(int port) {
            final List<byte[]> want = new ArrayList<>();
            for (int k = 0; k < expected.size(); k++) {
                if (egress.get(k) == port) {
                    want.add(expected.get(k));
                }
            }
            return want;
        }
    }

    private static void runThroughPcapPorts(Path dir) throws IOException {
        final GoldenCase golden = load(dir);
        final int portCount = golden.table().portCount();
        final Path work = Files.createTempDirectory("golden-" + dir.getFileName());
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            final io.isthmus.fastpath.frame.FramePool pool = new io.isthmus.fastpath.frame.FramePool(
                    io.isthmus.fastpath.frame.FrameMemory.allocate(arena, 256, 2048));
            final PcapWriter[] wires = new PcapWriter[portCount];
            final io.isthmus.fastpath.port.Port[] ports = new io.isthmus.fastpath.port.Port[portCount];
            for (int p = 0; p < portCount; p++) {
                wires[p] = PcapWriter.create(work.resolve("in-" + p + ".pcap"));
                ports[p] = new PcapPort(p, "pcap" + p, pool, PcapReader.follow(work.resolve("in-" + p + ".pcap")),
                        PcapWriter.create(work.resolve("out-" + p + ".pcap")), () -> 0L, 256);
            }
            final io.isthmus.fastpath.testing.FlowTables flow = golden.flow();
            final Worker worker = flow == null
                    ? Worker.switching("golden", ports, pool, new RouteTableRef(golden.table()), () -> 0L)
                    : Worker.switching("golden", ports, pool, flow.tables(), flow.conntrack(), flow.settings(), () -> 0L);
            for (int n = 0; n < golden.in().size(); n++) {
                wires[golden.ingress().get(n)].write(golden.in().get(n), n);
                wires[golden.ingress().get(n)].flush();
                for (int cycle = 0; worker.doWork() > 0; cycle++) {
                    assertTrue(cycle < 100, "worker still busy after 100 cycles");
                }
            }
            worker.onClose();
            for (PcapWriter wire : wires) {
                wire.close();
            }
            assertEquals(pool.capacity(), pool.available(), "every frame back in the pool");
            for (int p = 0; p < portCount; p++) {
                assertNull(((PcapPort) ports[p]).failure(), "pcap port " + p);
                assertEquals(hex(golden.expectedOn(p)), hex(readAll(work.resolve("out-" + p + ".pcap"))),
                        dir.getFileName() + ": out-" + p + ".pcap");
            }
            for (DropReason reason : DropReason.values()) {
                assertEquals(golden.drops().getOrDefault(reason, 0L), worker.drops().get(reason),
                        dir.getFileName() + ": drops " + reason);
            }
        } finally {
            try (Stream<Path> files = Files.list(work)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(work);
        }
    }

    private static GoldenCase load(Path dir) throws IOException {
        final RouteTable table = RouteTableText.parse(Files.readString(dir.resolve("tables.txt")), dir.resolve("tables.txt").toString());
        final List<Integer> ingress = new ArrayList<>();
        final List<Integer> egress = new ArrayList<>();
        final Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);
        final List<String> lines = Files.readAllLines(dir.resolve("case.txt"));
        for (String line : lines) {
            final String[] words = line.strip().split("\\s+");
            switch (words[0]) {
                case "ingress" -> ports(words, ingress);
                case "egress" -> ports(words, egress);
                case "drop" -> drops.put(DropReason.valueOf(words[1]), Long.parseLong(words[2]));
                case "flow", "service", "pod", "deny-ingress", "allow-ingress" -> {
                    // flow tables: GoldenFlowTables
                }
                default -> {
                    if (!words[0].isEmpty() && !words[0].startsWith("#")) {
                        throw new IllegalArgumentException(dir.resolve("case.txt") + ": unknown directive " + words[0]);
                    }
                }
            }
        }
        final List<byte[]> in = readAll(dir.resolve("in.pcap"));
        final List<byte[]> expected = readAll(dir.resolve("expected.pcap"));
        assertEquals(in.size(), ingress.size(), "case.txt names an ingress port for every frame of in.pcap");
        assertEquals(expected.size(), egress.size(), "case.txt names an egress port for every frame of expected.pcap");
        return new GoldenCase(table, lines, dir.resolve("case.txt"), ingress, egress, drops, in, expected);
    }

    private static void run(Path dir) throws IOException {
        final GoldenCase golden = load(dir);
        final RouteTable table = golden.table();
        final List<Integer> ingress = golden.ingress();
        final List<byte[]> in = golden.in();
        final Map<DropReason, Long> drops = golden.drops();

        final Path outDir = Path.of("target", "golden-out", dir.getFileName().toString());
        Files.createDirectories(outDir);
        final io.isthmus.fastpath.testing.FlowTables flow = golden.flow();
        try (PipelineHarness harness = flow == null ? new PipelineHarness(table)
                : new PipelineHarness(flow.tables(), flow.conntrack(), flow.settings(), table.portCount());
             PcapWriter out = PcapWriter.create(outDir.resolve("out.pcap"))) {
            final List<List<byte[]>> sent = new ArrayList<>();
            for (int p = 0; p < table.portCount(); p++) {
                sent.add(new ArrayList<>());
            }
            for (int n = 0; n < in.size(); n++) {
                harness.send(ingress.get(n), in.get(n));
                harness.run();
                for (int p = 0; p < table.portCount(); p++) {
                    for (byte[] frame : harness.transmitted(p)) {
                        sent.get(p).add(frame);
                        out.write(frame, n);
                    }
                }
            }
            for (int p = 0; p < table.portCount(); p++) {
                assertEquals(hex(golden.expectedOn(p)), hex(sent.get(p)), dir.getFileName() + ": frames out of port " + p);
            }
            for (DropReason reason : DropReason.values()) {
                assertEquals(drops.getOrDefault(reason, 0L), harness.drops(reason), dir.getFileName() + ": drops " + reason);
            }
        }
    }

    private static void ports(String[] words, List<Integer> into) {
        for (int i = 1; i < words.length; i++) {
            into.add(Integer.parseInt(words[i]));
        }
    }
}
