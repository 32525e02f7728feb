package io.isthmus.fastpath.pcap;

import io.isthmus.fastpath.frame.FrameMemory;
import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.port.PortCounters;
import io.isthmus.fastpath.testing.TestFrames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PcapPortTest {
    @TempDir
    Path dir;

    @Test
    void receivesFramesFromTheInputFileAndWritesTransmittedFramesToTheOutput() throws Exception {
        final Path inFile = dir.resolve("in.pcap");
        final Path outFile = dir.resolve("out.pcap");
        try (PcapWriter writer = PcapWriter.create(inFile)) {
            for (int n = 0; n < 70; n++) {
                writer.write(PcapReaderWriterTest.frame(n), n);
            }
            writer.write(new byte[3000], 99); // larger than a 2048-byte frame: skipped and counted
        }
        try (Arena arena = Arena.ofConfined()) {
            final FramePool pool = new FramePool(FrameMemory.allocate(arena, 128, 2048));
            final PcapPort port = new PcapPort(3, "pcap", pool, PcapReader.open(inFile), PcapWriter.create(outFile),
                    () -> 42_000L, 256);
            final PacketBatch batch = new PacketBatch(pool.memory());
            assertEquals(64, port.receive(batch));
            for (int i = 0; i < batch.size(); i++) {
                assertEquals(3, batch.ingressPort[i]);
                final byte[] bytes = batch.segment().asSlice(batch.address[i], batch.length[i]).toArray(ValueLayout.JAVA_BYTE);
                assertArrayEquals(PcapReaderWriterTest.frame(i), bytes);
                assertTrue(port.transmit(batch.address[i], batch.length[i]));
            }
            batch.clear();
            assertEquals(6, port.receive(batch));
            releaseAll(pool, batch);
            assertEquals(0, port.receive(batch));
            assertTrue(port.isInputDrained());
            assertEquals(1, port.oversizedFrames());
            assertEquals(64, port.flush());
            port.close();
            assertNull(port.failure());
            assertEquals(pool.capacity(), pool.available());
            assertEquals(70, port.counters().get(PortCounters.Counter.RX_PACKETS));
            assertEquals(64, port.counters().get(PortCounters.Counter.TX_PACKETS));
        }
        try (PcapReader reader = PcapReader.open(outFile)) {
            for (int n = 0; n < 64; n++) {
                assertArrayEquals(PcapReaderWriterTest.frame(n), reader.nextFrame());
                assertEquals(42_000L, reader.lastTimestampNs());
            }
            assertNull(reader.nextFrame());
        }
    }

    @Test
    void aCorruptInputStopsReceivingWithoutThrowing() throws Exception {
        final Path inFile = dir.resolve("bad.pcap");
        Files.write(inFile, new byte[0]);
        try (Arena arena = Arena.ofConfined()) {
            final FramePool pool = new FramePool(FrameMemory.allocate(arena, 8, 2048));
            final PcapPort port = new PcapPort(0, "bad", pool, PcapReader.follow(inFile), null, System::nanoTime, 8);
            Files.write(inFile, new byte[64]); // the followed file turns out not to be pcap
            final PacketBatch batch = new PacketBatch(pool.memory());
            assertEquals(0, port.receive(batch));
            assertNotNull(port.failure());
            assertTrue(port.failure().getMessage().contains("bad.pcap"));
            assertEquals(0, port.receive(batch));
            assertEquals(pool.capacity(), pool.available());
            port.close();
        }
    }

    @Test
    void aPortAtTheEndOfACompleteFileStopsReadingTheFile() throws Exception {
        final Path inFile = dir.resolve("complete.pcap");
        try (PcapWriter writer = PcapWriter.create(inFile)) {
            for (int n = 0; n < 5; n++) {
                writer.write(PcapReaderWriterTest.frame(n), n);
            }
        }
        final CountingChannel channel = new CountingChannel(FileChannel.open(inFile, StandardOpenOption.READ));
        try (Arena arena = Arena.ofConfined()) {
            final FramePool pool = new FramePool(FrameMemory.allocate(arena, 16, 2048));
            final PcapPort port = new PcapPort(0, "complete", pool, new PcapReader(channel, inFile.toString()), null, () -> 0L, 8);
            final PacketBatch batch = new PacketBatch(pool.memory());
            assertEquals(5, port.receive(batch));
            releaseAll(pool, batch);
            assertEquals(0, port.receive(batch));
            assertTrue(port.isInputDrained());
            final long readsAtEnd = channel.reads;
            for (int cycle = 0; cycle < 1000; cycle++) {
                assertEquals(0, port.receive(batch));
            }
            assertEquals(readsAtEnd, channel.reads, "read() calls in 1,000 cycles after the end of a complete file");
            assertTrue(port.isInputDrained());
            assertNull(port.failure());
            port.close();
            assertEquals(pool.capacity(), pool.available());
        }
    }

    private static void releaseAll(FramePool pool, PacketBatch batch) {
        for (int i = 0; i < batch.size(); i++) {
            pool.release(batch.address[i]);
        }
        batch.clear();
    }

    /** A channel that counts read() calls (each one a system call on a file). */
    private static final class CountingChannel implements ReadableByteChannel {
        private final ReadableByteChannel channel;
        long reads;

        CountingChannel(ReadableByteChannel channel) {
            this.channel = channel;
        }

        @Override
        public int read(ByteBuffer destination) throws IOException {
            reads++;
            return channel.read(destination);
        }

        @Override
        public boolean isOpen() {
            return channel.isOpen();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
