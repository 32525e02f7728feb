package io.isthmus.fastpath.control.aeron;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.isthmus.fastpath.control.DesiredKind;
import io.isthmus.fastpath.control.FastpathControl;
import io.isthmus.fastpath.pipeline.DropCounters;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.runtime.LocalFastpathControl;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.status.AtomicCounter;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fast path's end of the control channel: polls the request stream on its own agent thread,
 * applies each message to a {@link FastpathControl} (the runtime's local one) in arrival order, and
 * answers every request with an ACK carrying its correlation id: at once for BEGIN_SYNC and record
 * messages (FAILED when the payload does not decode), for END_SYNC once the runtime's control agent
 * applied everything before it (with the runtime's {@link LocalFastpathControl}), and when the
 * worker took or released the port for ATTACH_PORT / DETACH_PORT. It also publishes punted frames and events on the reply stream.
 *
 * <p><b>Thread-safety:</b> {@link #start}/{@link #close} from the owning thread. Punts and events
 * go out through an {@link EventPublisher} per publishing thread ({@link #newEventPublisher()}).
 */
public final class AeronControlServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AeronControlServer.class.getName());
    private final Aeron aeron;
    private final Subscription requests;
    private final Publication replies;
    private final MessageSender sender;
    private final AgentRunner runner;
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    /** How often the drop counters are compared and their increases published as DROP events. */
    public static final long DROP_EVENT_INTERVAL_NS = 1_000_000_000L;

    private AeronControlServer(Aeron aeron, FastpathControl target, DropCounters drops, Duration sendTimeout) {
        this.aeron = aeron;
        this.requests = aeron.addSubscription(ControlProtocol.CHANNEL, ControlProtocol.REQUEST_STREAM_ID);
        this.replies = aeron.addPublication(ControlProtocol.CHANNEL, ControlProtocol.REPLY_STREAM_ID);
        this.sender = new MessageSender(replies, sendTimeout);
        this.runner = new AgentRunner(new BackoffIdleStrategy(10, 10, 1_000L, 1_000_000L),
                error -> LOG.log(System.Logger.Level.ERROR, "control server failed", error), (AtomicCounter) null, new Poller(target, drops));
        AgentRunner.startOnThread(runner);
    }

    /** Connects to the media driver in {@code aeronDirectory} and starts serving {@code target}. */
    public static AeronControlServer start(Path aeronDirectory, FastpathControl target) {
        return start(aeronDirectory, target, null);
    }

    /**
     * As {@link #start(Path, FastpathControl)}, and publishes a DROP event (port -1, code = the
     * {@link DropReason} id, count = the increase) for every reason whose count grew, once a second.
     */
    public static AeronControlServer start(Path aeronDirectory, FastpathControl target, DropCounters drops) {
        final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDirectory.toString()));
        try {
            return new AeronControlServer(aeron, target, drops, Duration.ofSeconds(2));
        } catch (RuntimeException e) {
            aeron.close();
            throw e;
        }
    }

    /** Requests applied so far (any thread). */
    public long appliedRequests() {
        return applied.get();
    }

    /** Requests refused (undecodable, unknown type or kind). */
    public long refusedRequests() {
        return refused.get();
    }

    /** A publisher of punts and events for one thread (each thread that publishes makes its own). */
    public EventPublisher newEventPublisher() {
        return new EventPublisher(replies);
    }

    private final class Poller implements Agent {
        private final FastpathControl target;
        private final MessageHeaderFlyweight header = new MessageHeaderFlyweight();
        private final DesiredRecordFlyweight record = new DesiredRecordFlyweight();
        private final PortFlyweight port = new PortFlyweight();
        private final DesiredPayloadCodec codec = new DesiredPayloadCodec();
        private final FragmentHandler handler = new FragmentAssembler(this::onMessage);
        private final DropCounters drops;
        private final long[] dropsPublished = new long[DropReason.maxId() + 1];
        private final EventPublisher events = new EventPublisher(replies);
        private long nextDropCheckNs;

        Poller(FastpathControl target, DropCounters drops) {
            this.target = target;
            this.drops = drops;
        }

        @Override
        public int doWork() {
            int work = requests.poll(handler, 16);
            if (drops != null) {
                final long nowNs = System.nanoTime();
                if (nowNs - nextDropCheckNs >= 0) {
                    nextDropCheckNs = nowNs + DROP_EVENT_INTERVAL_NS;
                    work += publishDropIncreases();
                }
            }
            return work;
        }

        private int publishDropIncreases() {
            int published = 0;
            for (DropReason reason : DropReason.values()) {
                final int id = reason.id();
                if (id <= 0) {
                    continue;
                }
                final long count = drops.get(reason);
                if (count > dropsPublished[id] && events.event(EventFlyweight.DROP, -1, id, count - dropsPublished[id])) {
                    dropsPublished[id] = count;
                    published++;
                }
            }
            return published;
        }

        private void onMessage(DirectBuffer buffer, int offset, int length, Header aeronHeader) {
            header.wrap(buffer, offset);
            final long correlationId = header.correlationId();
            try {
                if (length < MessageHeaderFlyweight.HEADER_LENGTH || header.length() != length) {
                    throw new IllegalArgumentException("message of " + length + " bytes says it has " + header.length());
                }
                switch (header.type()) {
                    case ControlProtocol.BEGIN_SYNC -> target.beginSync(header.epoch());
                    case ControlProtocol.END_SYNC -> {
                        target.endSync(header.epoch());
                        if (target instanceof LocalFastpathControl local) { // answer once the whole sync is applied
                            answerWhenDone(correlationId, local.barrier());
                            return;
                        }
                    }
                    case ControlProtocol.UPSERT -> {
                        record.wrap(buffer, offset);
                        final DesiredKind kind = kindOf(record);
                        target.upsert(kind, record.key(), codec.decode(kind, record.payload()));
                    }
                    case ControlProtocol.DELETE -> {
                        record.wrap(buffer, offset);
                        target.delete(kindOf(record), record.key());
                    }
                    case ControlProtocol.ATTACH_PORT -> {
                        port.wrap(buffer, offset);
                        answerWhenDone(correlationId, target.attachPort(port.attachment()));
                        return;
                    }
                    case ControlProtocol.DETACH_PORT -> {
                        port.wrap(buffer, offset);
                        answerWhenDone(correlationId, target.detachPort(port.hostIfName()));
                        return;
                    }
                    default -> throw new IllegalArgumentException("unknown message " + ControlProtocol.typeName(header.type()));
                }
                applied.incrementAndGet();
                ack(correlationId, null);
            } catch (RuntimeException e) {
                refused.incrementAndGet();
                ack(correlationId, ControlProtocol.typeName(header.type()) + ": " + e.getMessage());
            }
        }

        private DesiredKind kindOf(DesiredRecordFlyweight message) {
            final DesiredKind kind = message.kind();
            if (kind == null) {
                throw new IllegalArgumentException("unknown desired kind " + message.kindOrdinal());
            }
            return kind;
        }

        private void answerWhenDone(long correlationId, CompletableFuture<Void> done) {
            done.whenComplete((ignored, failure) -> {
                if (failure == null) {
                    applied.incrementAndGet();
                } else {
                    refused.incrementAndGet();
                }
                ack(correlationId, failure == null ? null : String.valueOf(failure.getMessage()));
            });
        }

        @Override
        public String roleName() {
            return "isthmus-control-server";
        }
    }

    private void ack(long correlationId, String failure) {
        final AckFlyweight ack = new AckFlyweight();
        sender.send(buffer -> ack.write(buffer, 0, correlationId, failure == null ? AckFlyweight.OK : AckFlyweight.FAILED, failure), false);
    }

    /** Stops polling and disconnects (the driver stays: its owner closes it). */
    @Override
    public void close() {
        try {
            runner.close();
        } finally {
            aeron.close();
        }
    }
}
