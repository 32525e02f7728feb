package io.isthmus.fastpath.golden;

import io.isthmus.fastpath.pcap.PcapReader;
import io.isthmus.fastpath.pcap.PcapTcpdump;
import io.isthmus.fastpath.pcap.PcapWriter;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.RouteTableText;
import io.isthmus.fastpath.testing.PipelineHarness;
import io.isthmus.fastpath.testing.TestFrames;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pcap in, pcap out: for every directory under {@code golden/}, the frames of {@code in.pcap}
 * enter the switching pipeline on the ports {@code case.txt} names (one at a time, in order), with
 * the route table of {@code tables.txt}; what each port transmits must equal, byte for byte, the
 * frames of {@code expected.pcap} for that port, and the drops per reason must equal the counts of
 * {@code case.txt}. What came out is also written to {@code target/golden-out/<case>/out.pcap}.
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

    private static void run(Path dir) throws IOException {
        final RouteTable table = RouteTableText.parse(Files.readString(dir.resolve("tables.txt")), dir.resolve("tables.txt").toString());
        final List<Integer> ingress = new ArrayList<>();
        final List<Integer> egress = new ArrayList<>();
        final Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);
        for (String line : Files.readAllLines(dir.resolve("case.txt"))) {
            final String[] words = line.strip().split("\\s+");
            switch (words[0]) {
                case "ingress" -> ports(words, ingress);
                case "egress" -> ports(words, egress);
                case "drop" -> drops.put(DropReason.valueOf(words[1]), Long.parseLong(words[2]));
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

        final Path outDir = Path.of("target", "golden-out", dir.getFileName().toString());
        Files.createDirectories(outDir);
        try (PipelineHarness harness = new PipelineHarness(table);
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
                final List<byte[]> want = new ArrayList<>();
                for (int k = 0; k < expected.size(); k++) {
                    if (egress.get(k) == p) {
                        want.add(expected.get(k));
                    }
                }
                assertEquals(hex(want), hex(sent.get(p)), dir.getFileName() + ": frames out of port " + p);
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

    private static List<byte[]> readAll(Path file) throws IOException {
        final List<byte[]> frames = new ArrayList<>();
        try (PcapReader reader = PcapReader.open(file)) {
            for (byte[] frame; (frame = reader.nextFrame()) != null; ) {
                frames.add(frame);
            }
        }
        return frames;
    }

    private static List<String> hex(List<byte[]> frames) {
        return frames.stream().map(TestFrames::hex).toList();
    }
}
