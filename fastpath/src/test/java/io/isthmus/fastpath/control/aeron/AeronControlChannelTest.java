package io.isthmus.fastpath.control.aeron;

import io.isthmus.fastpath.control.DesiredKind;
import io.isthmus.fastpath.control.PortAttachment;
import io.isthmus.fastpath.pipeline.DropCounters;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.policy.model.NamespaceInfo;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The control protocol end to end over a real embedded media driver (IPC; no root needed). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AeronControlChannelTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private EmbeddedMediaDriver driver;
    private RecordingControl target;
    private AeronControlServer server;

    @BeforeEach
    void driverAndServer() {
        driver = EmbeddedMediaDriver.launchUnique();
        target = new RecordingControl();
        server = AeronControlServer.start(driver.directory(), target);
    }

    @AfterEach
    void closeAll() {
        server.close();
        driver.close();
        assertFalse(Files.exists(driver.directory()), "the driver's directory is deleted on close");
    }

    @Test
    void everyRequestArrivesInOrderAndEveryPayloadKindExactly() throws Exception {
        final Map<DesiredKind, Object> examples = DesiredPayloads.examples();
        try (AeronFastpathControl client = AeronFastpathControl.connect(driver.directory(), TIMEOUT, ControlEventListener.NONE)) {
            client.beginSync(42);
            for (Map.Entry<DesiredKind, Object> example : examples.entrySet()) {
                client.upsert(example.getKey(), "shop/" + example.getKey(), example.getValue());
            }
            client.delete(DesiredKind.DNS_POD, "shop/gone");
            client.endSync(42);
            final PortAttachment port = new PortAttachment("isx0123456789a", 0x0AF40102, 0x0201_0304_0506L, "shop/web-0");
            client.attachPort(port).get(10, TimeUnit.SECONDS);
            client.detachPort("isx0123456789a").get(10, TimeUnit.SECONDS);
            assertTrue(client.awaitAnswers(TIMEOUT));

            final List<RecordingControl.Call> expected = new ArrayList<>();
            expected.add(new RecordingControl.Call("beginSync", null, null, null, 42));
            examples.forEach((kind, payload) -> expected.add(new RecordingControl.Call("upsert", kind, "shop/" + kind, payload, 0)));
            expected.add(new RecordingControl.Call("delete", DesiredKind.DNS_POD, "shop/gone", null, 0));
            expected.add(new RecordingControl.Call("endSync", null, null, null, 42));
            expected.add(new RecordingControl.Call("attach", null, port.hostIfName(), port, 0));
            expected.add(new RecordingControl.Call("detach", null, port.hostIfName(), null, 0));
            assertEquals(expected, target.calls);
            assertEquals(0, client.failedRequests());
            assertEquals(expected.size(), server.appliedRequests());
        }
    }

    @Test
    void aRefusedAttachFailsItsFutureWithTheFastPathsReason() throws Exception {
        try (AeronFastpathControl client = AeronFastpathControl.connect(driver.directory(), TIMEOUT, ControlEventListener.NONE)) {
            final ExecutionException failure = assertThrows(ExecutionException.class,
                    () -> client.attachPort(new PortAttachment("bad0", 1, 2, "x")).get(10, TimeUnit.SECONDS));
            assertTrue(failure.getCause().getMessage().contains("no interface bad0"), failure.getCause().getMessage());
            assertEquals(1, client.failedRequests());
        }
    }

    @Test
    void aSecondClientAfterTheFirstClosedResynchronises() throws Exception {
        try (AeronFastpathControl first = AeronFastpathControl.connect(driver.directory(), TIMEOUT, ControlEventListener.NONE)) {
            first.beginSync(1);
            first.upsert(DesiredKind.POLICY_NAMESPACE, "a", NamespaceInfo.of("a", Map.of()));
            first.endSync(1);
            assertTrue(first.awaitAnswers(TIMEOUT));
        }
        try (AeronFastpathControl second = AeronFastpathControl.connect(driver.directory(), TIMEOUT, ControlEventListener.NONE)) {
            second.beginSync(2);
            second.upsert(DesiredKind.POLICY_NAMESPACE, "b", NamespaceInfo.of("b", Map.of()));
            second.endSync(2);
            assertTrue(second.awaitAnswers(TIMEOUT));
        }
        assertEquals(List.of("beginSync", "upsert", "endSync", "beginSync", "upsert", "endSync"),
                target.calls.stream().map(RecordingControl.Call::what).toList());
        assertEquals(2, target.calls.get(3).epoch());
    }

    @Test
    void puntsAndEventsReachTheSlowPath() throws Exception {
        final List<String> heard = new CopyOnWriteArrayList<>();
        final List<byte[]> frames = new CopyOnWriteArrayList<>();
        final ControlEventListener listener = new ControlEventListener() {
            @Override
            public void onPunt(int portId, int reason, byte[] frame) {
                heard.add("punt " + portId + " " + reason);
                frames.add(frame);
            }

            @Override
            public void onEvent(short eventType, int portId, int code, long count) {
                heard.add("event " + eventType + " " + portId + " " + code + " " + count);
            }
        };
        try (AeronFastpathControl client = AeronFastpathControl.connect(driver.directory(), TIMEOUT, listener)) {
            final EventPublisher publisher = server.newEventPublisher();
            final byte[] frame = new byte[60];
            for (int i = 0; i < frame.length; i++) {
                frame[i] = (byte) i;
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!publisher.punt(3, 7, new UnsafeBuffer(frame), 0, frame.length)) {
                assertTrue(System.nanoTime() < deadline, "the punt never went out");
                Thread.sleep(5);
            }
            assertTrue(publisher.event(EventFlyweight.DROP, 3, 12, 99));
            while (heard.size() < 2) {
                assertTrue(System.nanoTime() < deadline, "heard only " + heard);
                Thread.sleep(5);
            }
            assertEquals(List.of("punt 3 7", "event 1 3 12 99"), heard);
            assertArrayEquals(frame, frames.getFirst());
        }
    }

    @Test
    void dropIncreasesArePublishedAsEvents() throws Exception {
        server.close();
        final DropCounters drops = new DropCounters();
        server = AeronControlServer.start(driver.directory(), target, drops);
        final List<String> heard = new CopyOnWriteArrayList<>();
        final ControlEventListener listener = new ControlEventListener() {
            @Override
            public void onEvent(short eventType, int portId, int code, long count) {
                heard.add(eventType + " " + portId + " " + code + " " + count);
            }
        };
        try (AeronFastpathControl client = AeronFastpathControl.connect(driver.directory(), TIMEOUT, listener)) {
            for (int i = 0; i < 5; i++) {
                drops.increment(DropReason.NO_ROUTE);
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (heard.isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "no DROP event within 10 s");
                Thread.sleep(20);
            }
            assertEquals(EventFlyweight.DROP + " -1 " + DropReason.NO_ROUTE.id() + " 5", heard.getFirst());
            Thread.sleep(1500);
            assertEquals(1, heard.size(), "nothing new dropped, nothing new published: " + heard);
        }
    }

    @Test
    void aClientWithNoFastPathSaysSo() {
        server.close();
        server = AeronControlServer.start(driver.directory(), target); // keep @AfterEach simple
        final EmbeddedMediaDriver other = EmbeddedMediaDriver.launchUnique();
        try {
            final IllegalStateException error = assertThrows(IllegalStateException.class,
                    () -> AeronFastpathControl.connect(other.directory(), Duration.ofMillis(500), ControlEventListener.NONE));
            assertTrue(error.getMessage().startsWith("no fast path is serving the control channel of " + other.directory()),
                    error.getMessage());
        } finally {
            other.close();
        }
    }
}
