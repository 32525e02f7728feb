package io.isthmus.fastpath.control;

import io.isthmus.conntrack.Addresses;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.lb.compile.NodeContext;
import io.isthmus.lb.compile.ServiceCompiler;
import io.isthmus.lb.model.AddressType;
import io.isthmus.lb.model.Endpoint;
import io.isthmus.lb.model.EndpointConditions;
import io.isthmus.lb.model.EndpointPort;
import io.isthmus.lb.model.EndpointSlice;
import io.isthmus.lb.model.Protocol;
import io.isthmus.lb.model.Service;
import io.isthmus.lb.model.ServicePort;
import io.isthmus.lb.model.TargetPort;
import io.isthmus.lb.table.ServiceDecision;
import io.isthmus.lb.table.ServiceTable;
import io.isthmus.lb.table.ServiceVerdict;
import io.isthmus.lb.table.TrafficSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerationReclaimerTest {
    private static final String CLUSTER_IP = "10.96.0.10";
    private static final int SERVICE_PORT = 80;

    /** A table whose one Service (10.96.0.10:80/TCP) forwards to 10.244.0.5:{@code targetPort}. */
    private static ServiceTable tableWithTargetPort(int targetPort) {
        final Service service = Service.builder("default", "web").clusterIPs(CLUSTER_IP)
                .port(new ServicePort("p", Protocol.TCP, SERVICE_PORT, TargetPort.of(targetPort), 0)).build();
        final EndpointSlice slice = new EndpointSlice("default", "web-1", "web", AddressType.IPV4,
                List.of(Endpoint.of("10.244.0.5", EndpointConditions.READY, "node-a")),
                List.of(EndpointPort.of("p", Protocol.TCP, targetPort)), Map.of());
        return new ServiceCompiler(NodeContext.of("node-a", "10.0.0.1")).compile(List.of(service), List.of(slice)).table();
    }

    /** What a worker does with a table: the backend port its one Service forwards to (-1: not forwarded). */
    private static int backendPort(ServiceTable table, ServiceDecision decision) {
        final ServiceVerdict verdict = table.decideNewFlow(Addresses.IPV4_MAPPED_HI, Addresses.ipv4Lo(Ipv4Address.parse(CLUSTER_IP)),
                SERVICE_PORT, 6, Addresses.IPV4_MAPPED_HI, Addresses.ipv4Lo(Ipv4Address.parse("10.244.1.7")), 12345,
                TrafficSource.CLUSTER_POD, 0L, null, decision);
        return verdict == ServiceVerdict.FORWARD ? decision.backendPort() : -1;
    }

    @Test
    void aRetiredGenerationIsFreedOnlyOnceEveryReaderMovedOn() {
        final GenerationReclaimer reclaimer = new GenerationReclaimer(4);
        final ServiceTable first = tableWithTargetPort(8080);
        final Published<ServiceTable> services = new Published<>(first, reclaimer, ServiceTable::free);
        final GenerationReclaimer.Reader a = reclaimer.register("a");
        final GenerationReclaimer.Reader b = reclaimer.register("b");
        a.observe();
        b.observe();
        assertEquals(8080, backendPort(services.current(), new ServiceDecision()));

        services.publish(tableWithTargetPort(8081));
        assertEquals(1, reclaimer.retiredCount());
        assertFalse(first.freed(), "both readers may still be in the batch that read the first generation");

        a.observe();
        assertEquals(0, reclaimer.reclaim());
        assertFalse(first.freed(), "reader b has not moved on yet");

        b.observe();
        assertEquals(1, reclaimer.reclaim());
        assertTrue(first.freed());
        assertFalse(services.current().freed(), "the published generation is never freed");
        assertEquals(0, reclaimer.retiredCount());
    }

    @Test
    void aStoppedReaderPinsNothing() {
        final GenerationReclaimer reclaimer = new GenerationReclaimer(2);
        final ServiceTable first = tableWithTargetPort(8080);
        final Published<ServiceTable> services = new Published<>(first, reclaimer, ServiceTable::free);
        final GenerationReclaimer.Reader stalled = reclaimer.register("stalled");
        services.publish(tableWithTargetPort(8081));
        assertFalse(first.freed(), "a registered reader that has not moved on pins the generation");

        stalled.close();
        assertEquals(GenerationReclaimer.QUIESCENT, stalled.observed());
        reclaimer.reclaim();
        assertTrue(first.freed(), "once the reader deregistered nothing holds the generation");

        // its slot is free again: two more readers fit in a reclaimer of two slots
        reclaimer.register("x").close();
        reclaimer.register("y").close();
        reclaimer.register("z").close();
    }

    @Test
    void aPinHoldsTheGenerationItReadUntilClosed() {
        final GenerationReclaimer reclaimer = new GenerationReclaimer(2);
        final Published<ServiceTable> services = new Published<>(tableWithTargetPort(8080), reclaimer, ServiceTable::free);
        final ServiceTable held;
        try (GenerationReclaimer.Reader pin = reclaimer.pin()) {
            held = services.current();
            services.publish(tableWithTargetPort(8081));
            reclaimer.reclaim();
            assertFalse(held.freed());
            assertEquals(8080, backendPort(held, new ServiceDecision()));
        }
        reclaimer.reclaim();
        assertTrue(held.freed());
    }

    @Test
    void memoryStaysBoundedOverManyGenerationsWithoutAnyGc() {
        final GenerationReclaimer reclaimer = new GenerationReclaimer(2);
        final Published<ServiceTable> services = new Published<>(null, reclaimer, ServiceTable::free);
        final GenerationReclaimer.Reader worker = reclaimer.register("worker");
        final ServiceDecision decision = new ServiceDecision();
        final List<ServiceTable> published = new ArrayList<>();
        final long liveBefore = ServiceTable.liveRegions();
        long maxLiveDelta = 0;
        for (int g = 0; g < 500; g++) {
            final ServiceTable next = tableWithTargetPort(1000 + g);
            published.add(next); // strong references: the cleaner cannot be what frees them
            services.publish(next);
            worker.observe();
            assertEquals(1000 + g, backendPort(services.current(), decision));
            reclaimer.reclaim();
            maxLiveDelta = Math.max(maxLiveDelta, ServiceTable.liveRegions() - liveBefore);
        }
        for (int g = 0; g < published.size() - 1; g++) {
            assertTrue(published.get(g).freed(), "generation " + g + " of 500 was not freed");
        }
        assertFalse(published.getLast().freed());
        assertTrue(maxLiveDelta <= 2, "live table regions grew by " + maxLiveDelta + " over 500 generations");
        assertEquals(499, reclaimer.freedCount());
        worker.close();
    }

    @Test
    void aWorkerReadingContinuouslyNeverSeesAFreedGeneration() throws Exception {
        final GenerationReclaimer reclaimer = new GenerationReclaimer(4);
        final Map<ServiceTable, Integer> expectedPort = new ConcurrentHashMap<>();
        final ServiceTable first = tableWithTargetPort(1000);
        expectedPort.put(first, 1000);
        final Published<ServiceTable> services = new Published<>(first, reclaimer, ServiceTable::free);
        final GenerationReclaimer.Reader slot = reclaimer.register("stress worker");
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong reads = new AtomicLong();
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
        final Thread worker = new Thread(() -> {
            final ServiceDecision decision = new ServiceDecision();
            try {
                while (System.nanoTime() < deadlineNs && failure.get() == null) {
                    slot.observe(); // between batches
                    final ServiceTable table = services.current();
                    for (int i = 0; i < 64; i++) { // one batch: every read must see the table's own data
                        final int port = backendPort(table, decision);
                        final Integer expected = expectedPort.get(table);
                        if (table.freed() || expected == null || port != expected) {
                            throw new AssertionError("batch read " + port + " from a table expecting " + expected
                                    + (table.freed() ? " (freed while in use)" : ""));
                        }
                    }
                    reads.incrementAndGet();
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            } finally {
                slot.close();
            }
        }, "stress-worker");
        worker.start();
        int generations = 0;
        while (System.nanoTime() < deadlineNs && failure.get() == null && generations < 100_000) {
            final int port = 1001 + generations % 60_000;
            final ServiceTable next = tableWithTargetPort(port);
            expectedPort.put(next, port);
            services.publish(next);
            reclaimer.reclaim();
            generations++;
            if (reclaimer.retiredCount() > 1000) {
                Thread.onSpinWait(); // the worker is behind; let it move on
            }
        }
        worker.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(worker.isAlive(), "stress worker did not stop");
        assertNull(failure.get(), () -> "worker failed: " + failure.get());
        reclaimer.reclaim();
        assertEquals(0, reclaimer.retiredCount(), "the stopped worker pins nothing: every retired generation is freed");
        assertTrue(generations > 10, "only " + generations + " generations published");
        assertTrue(reads.get() > 10, "only " + reads.get() + " worker batches");
        assertEquals(generations, reclaimer.freedCount());
        for (ServiceTable table : expectedPort.keySet()) {
            assertEquals(table != services.current(), table.freed());
        }
    }
}
