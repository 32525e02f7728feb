package io.isthmus.slowpath.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isthmus.cni.shim.CniWire;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A request the agent does not finish in time gets the CNI "try again later" error (code 11) saying
 * it timed out, instead of a closed connection (which the shim reports as "agent not reachable");
 * and a slow request does not hold the others behind it for ever.
 */
@Timeout(60)
class CniServerTimeoutTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofMillis(500);
    private static final long SLOW_BOUND_NS = TimeUnit.SECONDS.toNanos(20);

    @TempDir
    Path dir;
    private CniServer server;
    private final SlowBackend backend = new SlowBackend();

    @AfterEach
    void stop() throws IOException {
        backend.release.countDown();
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aSlowAddAnswersTryAgainLaterSayingItTimedOut() throws Exception {
        start();
        final CniWire.Response response = request("ADD", "slow-interruptible");
        assertEquals(1, response.exitCode(), stdout(response));
        final JsonNode error = JSON.readTree(response.stdout());
        assertEquals(CniException.TRY_AGAIN_LATER, error.path("code").asInt(), stdout(response));
        assertTrue(error.path("msg").asText().contains("timed out"), stdout(response));
        assertEquals("1.0.0", error.path("cniVersion").asText());
    }

    @Test
    void theTimedOutRequestIsInterruptedAndTheNextOneIsServed() throws Exception {
        start();
        assertEquals(1, request("ADD", "slow-interruptible").exitCode());
        final CniWire.Response next = request("ADD", "fast");
        assertEquals(0, next.exitCode(), "the request thread was freed: " + stdout(next));
        assertTrue(backend.interrupted, "the timed-out operation was interrupted");
    }

    @Test
    void requestsQueuedBehindAStuckOneTimeOutAndNeverRunLate() throws Exception {
        start();
        final CompletableFuture<CniWire.Response> stuck = CompletableFuture.supplyAsync(() -> requestUnchecked("ADD", "slow-stubborn"));
        assertTrue(backend.stubbornStarted.await(10, TimeUnit.SECONDS), "the stubborn ADD started");
        final long startNs = System.nanoTime();
        final CniWire.Response queued = request("ADD", "queued");
        final long waitedNs = System.nanoTime() - startNs;
        assertEquals(CniException.TRY_AGAIN_LATER, JSON.readTree(queued.stdout()).path("code").asInt(), stdout(queued));
        assertTrue(JSON.readTree(queued.stdout()).path("msg").asText().contains("timed out"), stdout(queued));
        assertTrue(waitedNs < TimeUnit.SECONDS.toNanos(10), "answered at its own deadline, not when the stuck one ends: " + waitedNs + " ns");
        assertEquals(1, stuck.get(30, TimeUnit.SECONDS).exitCode(), "the stubborn ADD timed out too");

        backend.release.countDown(); // the stubborn operation ends
        final CniWire.Response later = request("ADD", "after");
        assertEquals(0, later.exitCode(), stdout(later));
        assertFalse(backend.added.contains("queued"), "a request answered 'timed out' must not run afterwards");
    }

    private void start() throws IOException {
        server = CniServer.start(dir.resolve("run/cni.sock"),
                new CniHandler(new IpamStore(dir.resolve("ipam"), Ipv4Cidr.parse("10.244.1.0/24")), backend), TIMEOUT);
    }

    private CniWire.Response requestUnchecked(String command, String containerId) {
        try {
            return request(command, containerId);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private CniWire.Response request(String command, String containerId) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(server.socketPath()));
            final DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel)));
            final Map<String, String> environment = Map.of("CNI_COMMAND", command, "CNI_CONTAINERID", containerId,
                    "CNI_NETNS", "/var/run/netns/" + containerId, "CNI_IFNAME", "eth0", "CNI_PATH", "/opt/cni/bin");
            final String config = "{\"cniVersion\":\"1.0.0\",\"name\":\"isthmus-net\",\"type\":\"isthmus\"}";
            CniWire.writeRequest(out, new CniWire.Request(environment, config.getBytes(StandardCharsets.UTF_8)));
            return CniWire.readResponse(new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel))));
        }
    }

    private static String stdout(CniWire.Response response) {
        return new String(response.stdout(), StandardCharsets.UTF_8);
    }

    /**
     * ADD of container "slow-interruptible" waits (interruptibly) until released; "slow-stubborn"
     * waits ignoring interrupts, as a blocking syscall does; both at most {@link #SLOW_BOUND_NS}.
     */
    private static final class SlowBackend extends InMemoryPodNetworkBackend {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch stubbornStarted = new CountDownLatch(1);
        final Set<String> added = ConcurrentHashMap.newKeySet();
        volatile boolean interrupted;

        @Override
        public PodInterfaces add(PodAttachment attachment) throws CniException {
            final String container = attachment.containerId();
            if (container.equals("slow-interruptible")) {
                try {
                    release.await(SLOW_BOUND_NS, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                    throw new CniException(CniException.TRY_AGAIN_LATER, "interrupted");
                }
            } else if (container.equals("slow-stubborn")) {
                stubbornStarted.countDown();
                final long endNs = System.nanoTime() + SLOW_BOUND_NS;
                while (release.getCount() > 0 && System.nanoTime() < endNs) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                    Thread.interrupted(); // ignores interrupts, as a blocking syscall does
                }
            }
            added.add(container);
            return super.add(attachment);
        }
    }
}
