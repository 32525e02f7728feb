package io.isthmus.fastpath.pcap;

import io.isthmus.fastpath.testing.TestFrames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PcapReaderWriterTest {
    @TempDir
    Path dir;

    static byte[] frame(int n) {
        return TestFrames.udpFrame(0x0A0000000001L, 0x0A0000000002L, 0x0AF40102, 0x0AF40103, 64, 1000 + n, 53,
                new byte[n * 3]);
    }

    @ParameterizedTest(name = "nanoseconds={0} order={1}")
    @CsvSource({"false,LITTLE_ENDIAN", "false,BIG_ENDIAN", "true,LITTLE_ENDIAN", "true,BIG_ENDIAN"})
    void roundTripsFramesAndTimestampsInEveryVariant(boolean nanoseconds, String orderName) throws IOException {
        final ByteOrder order = orderName.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        final Path file = dir.resolve("rt.pcap");
        final long t0 = 1_764_000_000_123_456_789L;
        try (PcapWriter writer = PcapWriter.create(file, nanoseconds, order)) {
            for (int n = 0; n < 5; n++) {
                writer.write(frame(n), t0 + n * 1_000_001L);
            }
        }
        try (PcapReader reader = PcapReader.open(file)) {
            assertEquals(nanoseconds, reader.isNanosecondResolution());
            assertEquals(order, reader.byteOrder());
            for (int n = 0; n < 5; n++) {
                assertArrayEquals(frame(n), reader.nextFrame(), "frame " + n);
                final long expectedNs = t0 + n * 1_000_001L;
                assertEquals(nanoseconds ? expectedNs : expectedNs / 1000 * 1000, reader.lastTimestampNs());
                assertEquals(frame(n).length, reader.lastOriginalLength());
            }
            assertNull(reader.nextFrame());
            assertTrue(reader.isAtEnd());
        }
    }

    @Test
    void readsAHandWrittenBigEndianFile() throws IOException {
        final ByteBuffer bytes = ByteBuffer.allocate(24 + 16 + 4).order(ByteOrder.BIG_ENDIAN);
        bytes.putInt(0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        bytes.putInt(1).putInt(500_000).putInt(4).putInt(60).put(new byte[]{1, 2, 3, 4});
        final Path file = dir.resolve("be.pcap");
        Files.write(file, bytes.array());
        try (PcapReader reader = PcapReader.open(file)) {
            assertArrayEquals(new byte[]{1, 2, 3, 4}, reader.nextFrame());
            assertEquals(1_500_000_000L, reader.lastTimestampNs());
            assertEquals(60, reader.lastOriginalLength());
        }
    }

    @Test
    void followsAFileThatIsStillBeingWritten() throws IOException {
        final Path file = dir.resolve("tail.pcap");
        try (FileChannel sink = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             PcapReader reader = PcapReader.follow(file)) {
            assertNull(reader.nextFrame(), "empty file: no header yet");
            final Path whole = dir.resolve("whole.pcap");
            try (PcapWriter writer = PcapWriter.create(whole)) {
                writer.write(frame(1), 0);
            }
            final byte[] all = Files.readAllBytes(whole);
            sink.write(ByteBuffer.wrap(all, 0, 24 + 10));
            assertNull(reader.nextFrame(), "half a record");
            sink.write(ByteBuffer.wrap(all, 24 + 10, all.length - 24 - 10));
            assertArrayEquals(frame(1), reader.nextFrame());
        }
    }

    @Test
    void followsAFileAppendedInOddChunksAcrossRecordBoundaries() throws IOException {
        final Path whole = dir.resolve("whole.pcap");
        try (PcapWriter writer = PcapWriter.create(whole)) {
            for (int n = 0; n < 300; n++) {
                writer.write(frame(n % 40), n);
            }
        }
        final byte[] all = Files.readAllBytes(whole);
        final Path file = dir.resolve("chunks.pcap");
        final java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        int read = 0;
        try (FileChannel sink = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             PcapReader reader = PcapReader.follow(file)) {
            for (int written = 0; written < all.length; ) {
                final int chunk = Math.min(all.length - written, 1 + random.nextInt(300));
                sink.write(ByteBuffer.wrap(all, written, chunk));
                written += chunk;
                for (byte[] frame; (frame = reader.nextFrame()) != null; read++) {
                    assertArrayEquals(frame(read % 40), frame, "frame " + read);
                }
            }
        }
        assertEquals(300, read);
    }

    @Test
    void rejectsWhatIsNotAnEthernetPcapNamingTheFile() throws IOException {
        final Path pcapng = dir.resolve("capture.pcapng");
        Files.write(pcapng, TestFrames.ethernet(0, 0, 0, new byte[30])); // starts with zeros: no magic
        final PcapFormatException notPcap = assertThrows(PcapFormatException.class, () -> PcapReader.open(pcapng).close());
        assertTrue(notPcap.getMessage().contains("capture.pcapng"), notPcap.getMessage());

        final ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(113);
        final Path linuxSll = dir.resolve("sll.pcap");
        Files.write(linuxSll, header.array());
        final PcapFormatException wrongLink = assertThrows(PcapFormatException.class, () -> PcapReader.open(linuxSll).close());
        assertTrue(wrongLink.getMessage().contains("link type 113"), wrongLink.getMessage());
    }
}
