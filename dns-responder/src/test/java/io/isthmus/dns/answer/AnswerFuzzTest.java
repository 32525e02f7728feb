package io.isthmus.dns.answer;

import io.isthmus.dns.wire.MessageDecoder;
import io.isthmus.dns.zone.Zone;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random and mutated queries through the answer engine and the decoder: nothing throws, nothing
 * is written outside the buffer's capacity, and every response the engine sends decodes. Bounded:
 * a fixed seed and a fixed count.
 */
class AnswerFuzzTest {
    private static final int ROUNDS = 40_000;

    @Test
    void randomAndMutatedInputsNeverCrashAndResponsesAlwaysDecode() throws Exception {
        final Zone zone = TestZones.standard();
        final AnswerEngine engine = new AnswerEngine();
        final List<byte[]> seeds = new ArrayList<>();
        for (String name : List.of("kubernetes.default.svc.cluster.local.", "_http._tcp.headless.default.svc.cluster.local.",
                "nope.cluster.local.", "1.0.96.10.in-addr.arpa.", "ext.default.svc.cluster.local.", "example.com.",
                "10-0-0-1.default.pod.cluster.local.")) {
            final Message query = Message.newQuery(Record.newRecord(Name.fromString(name), Type.ANY, DClass.IN));
            seeds.add(query.toWire());
            query.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
            seeds.add(query.toWire());
        }
        final SplittableRandom random = new SplittableRandom(20261126L);
        final byte[] buffer = new byte[700];
        for (int round = 0; round < ROUNDS; round++) {
            final byte[] input;
            if (round % 4 == 0) {
                input = new byte[random.nextInt(0, 300)];
                random.nextBytes(input);
            } else {
                final byte[] seed = seeds.get(random.nextInt(seeds.size()));
                input = Arrays.copyOf(seed, Math.max(0, seed.length + random.nextInt(-8, 9)));
                for (int flips = random.nextInt(1, 6); flips > 0 && input.length > 0; flips--) {
                    input[random.nextInt(input.length)] = (byte) random.nextInt(256);
                }
                if (input.length > 3 && random.nextBoolean()) {
                    input[2] &= 0x7F; // keep it a query most of the time
                }
            }
            Arrays.fill(buffer, (byte) 0x77);
            System.arraycopy(input, 0, buffer, 0, input.length);
            final int capacity = Math.max(input.length, 512);
            final int length = assertDoesNotThrow(() -> engine.answer(zone, MemorySegment.ofArray(buffer), 0, input.length, capacity,
                    input.length % 2 == 0 ? Transport.UDP : Transport.TCP));
            assertTrue(length >= 0 && length <= capacity, "length " + length);
            for (int i = capacity; i < buffer.length; i++) {
                assertTrue(buffer[i] == 0x77, "wrote past capacity at " + i);
            }
            if (length > 12) {
                final MessageDecoder.Result decoded = MessageDecoder.decode(Arrays.copyOf(buffer, length));
                assertTrue(decoded.ok(), "round " + round + ": our response does not decode: " + decoded.error());
            }
            assertDoesNotThrow(() -> MessageDecoder.decode(input));
        }
    }
}
