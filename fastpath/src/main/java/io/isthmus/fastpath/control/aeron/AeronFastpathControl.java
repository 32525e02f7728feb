package io.isthmus.fastpath.control.aeron;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.isthmus.fastpath.control.DesiredKind;
import io.isthmus.fastpath.control.FastpathControl;
import io.isthmus.fastpath.control.PortAttachment;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.status.AtomicCounter;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The slow path's {@link FastpathControl} over Aeron IPC: each call is one message on the request
 * stream (correlation ids from the driver, unique across clients), every request is answered by an
 * ACK on the reply stream. Port calls complete their future with that ACK; record and sync calls
 * are fire-and-forget, a FAILED answer is counted ({@link #failedRequests()}) and logged, and
 * {@link #awaitAnswers} waits until every request sent so far was answered.
 *
 * <p>A slow path that restarts (or reconnects) makes a new client and resynchronises
 * ({@code beginSync}, every record, {@code endSync}); the fast path keeps forwarding meanwhile.
 *
 * <p><b>Thread-safety:</b> any thread may call (sends are serialised); answers, punts and events
 * are handled on the client's polling thread ({@code isthmus-control-client}).
 */
public final class AeronFastpathControl implements FastpathControl {
    private static final System.Logger LOG = System.getLogger(AeronFastpathControl.class.getName());
    private final Aeron aeron;
    private final MessageSender sender;
    private final Subscription replies;
    private final AgentRunner runner;
    private final DesiredPayloadCodec codec = new DesiredPayloadCodec();
    private final Map<Long, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
    private final AtomicLong failed = new AtomicLong();
    private final ControlEventListener listener;
    private volatile String lastFailure;

    private AeronFastpathControl(Aeron aeron, Duration sendTimeout, ControlEventListener listener) {
        this.aeron = aeron;
        this.listener = listener;
        this.sender = new MessageSender(aeron.addPublication(ControlProtocol.CHANNEL, ControlProtocol.REQUEST_STREAM_ID), sendTimeout);
        this.replies = aeron.addSubscription(ControlProtocol.CHANNEL, ControlProtocol.REPLY_STREAM_ID);
        this.runner = new AgentRunner(new BackoffIdleStrategy(10, 10, 1_000L, 1_000_000L),
                error -> LOG.log(System.Logger.Level.ERROR, "control client failed", error), (AtomicCounter) null, new Poller());
        AgentRunner.startOnThread(runner);
    }

    /**
     * Connects to the media driver in {@code aeronDirectory} and waits up to {@code timeout} for the
     * fast path's server to be listening; the error says which directory had none.
     */
    public static AeronFastpathControl connect(Path aeronDirectory, Duration timeout, ControlEventListener listener) {
        final Aeron aeron;
        try {
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDirectory.toString())
                    .driverTimeoutMs(Math.max(1000, timeout.toMillis())));
        } catch (RuntimeException e) {
            throw new IllegalStateException("no Aeron media driver in " + aeronDirectory + " (is the fast path running?): " + e.getMessage(), e);
        }
        final AeronFastpathControl client = new AeronFastpathControl(aeron, timeout, listener);
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (!client.sender.isConnected() || !client.replies.isConnected()) {
            if (System.nanoTime() - deadlineNs > 0) {
                client.close();
                throw new IllegalStateException("no fast path is serving the control channel of " + aeronDirectory
                        + " after " + timeout.toMillis() + " ms");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                client.close();
                throw new IllegalStateException("interrupted while connecting to " + aeronDirectory, e);
            }
        }
        return client;
    }

    @Override
    public void beginSync(long epoch) {
        final MessageHeaderFlyweight header = new MessageHeaderFlyweight();
        send(id -> buffer -> {
            header.wrapForWrite(buffer, 0, ControlProtocol.BEGIN_SYNC).correlationId(id).epoch(epoch);
            return MessageHeaderFlyweight.HEADER_LENGTH;
        });
    }

    @Override
    public void endSync(long epoch) {
        final MessageHeaderFlyweight header = new MessageHeaderFlyweight();
        send(id -> buffer -> {
            header.wrapForWrite(buffer, 0, ControlProtocol.END_SYNC).correlationId(id).epoch(epoch);
            return MessageHeaderFlyweight.HEADER_LENGTH;
        });
    }

    @Override
    public void upsert(DesiredKind kind, String key, Object payload) {
        final byte[] json = codec.encode(kind, payload);
        final DesiredRecordFlyweight record = new DesiredRecordFlyweight();
        send(id -> buffer -> record.write(buffer, 0, ControlProtocol.UPSERT, id, kind, key, json));
    }

    @Override
    public void delete(DesiredKind kind, String key) {
        final DesiredRecordFlyweight record = new DesiredRecordFlyweight();
        send(id -> buffer -> record.write(buffer, 0, ControlProtocol.DELETE, id, kind, key, new byte[0]));
    }

    @Override
    public CompletableFuture<Void> attachPort(PortAttachment attachment) {
        final PortFlyweight port = new PortFlyweight();
        return send(id -> buffer -> port.write(buffer, 0, ControlProtocol.ATTACH_PORT, id, attachment));
    }

    @Override
    public CompletableFuture<Void> detachPort(String hostIfName) {
        final PortFlyweight port = new PortFlyweight();
        return send(id -> buffer -> port.write(buffer, 0, ControlProtocol.DETACH_PORT, id,
                new PortAttachment(hostIfName, 0, 0, "")));
    }

    @FunctionalInterface
    private interface Request {
        MessageSender.Encoder withCorrelationId(long id);
    }

    private CompletableFuture<Void> send(Request request) {
        final long id = aeron.nextCorrelationId();
        final CompletableFuture<Void> answer = new CompletableFuture<>();
        pending.put(id, answer);
        final String notSent = sender.send(request.withCorrelationId(id), true);
        if (notSent != null) {
            pending.remove(id);
            throw new IllegalStateException("control request not sent: " + notSent);
        }
        return answer;
    }

    /** Waits until every request sent before this call was answered; false on timeout. */
    public boolean awaitAnswers(Duration timeout) {
        final List<CompletableFuture<Void>> outstanding = List.copyOf(pending.values());
        try {
            CompletableFuture.allOf(outstanding.stream().map(f -> f.exceptionally(e -> null)).toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** Requests the fast path answered FAILED (records that did not decode, ports it could not attach). */
    public long failedRequests() {
        return failed.get();
    }

    /** Why the last request failed, or null. */
    public String lastFailure() {
        return lastFailure;
    }

    private final class Poller implements Agent {
        private final MessageHeaderFlyweight header = new MessageHeaderFlyweight();
        private final AckFlyweight ack = new AckFlyweight();
        private final PuntFlyweight punt = new PuntFlyweight();
        private final EventFlyweight event = new EventFlyweight();
        private final FragmentHandler handler = new FragmentAssembler(this::onMessage);

        @Override
        public int doWork() {
            return replies.poll(handler, 32);
        }

        private void onMessage(DirectBuffer buffer, int offset, int length, Header aeronHeader) {
            header.wrap(buffer, offset);
            switch (header.type()) {
                case ControlProtocol.ACK -> {
                    ack.wrap(buffer, offset);
                    final CompletableFuture<Void> answer = pending.remove(ack.correlationId());
                    if (answer == null) {
                        return; // another client's request
                    }
                    if (ack.status() == AckFlyweight.OK) {
                        answer.complete(null);
                    } else {
                        final String why = ack.message();
                        failed.incrementAndGet();
                        lastFailure = why;
                        LOG.log(System.Logger.Level.WARNING, "the fast path refused a request", "reason", why);
                        answer.completeExceptionally(new IllegalStateException(why));
                    }
                }
                case ControlProtocol.PUNT -> {
                    punt.wrap(buffer, offset);
                    listener.onPunt(punt.portId(), punt.reason(), punt.frame());
                }
                case ControlProtocol.EVENT -> {
                    event.wrap(buffer, offset);
                    listener.onEvent(event.eventType(), event.portId(), event.code(), event.count());
                }
                default -> {
                }
            }
        }

        @Override
        public String roleName() {
            return "isthmus-control-client";
        }
    }

    /** Stops polling, fails unanswered requests and disconnects. */
    @Override
    public void close() {
        try {
            runner.close();
        } finally {
            aeron.close();
            final IllegalStateException closed = new IllegalStateException("the control client was closed");
            pending.values().forEach(answer -> answer.completeExceptionally(closed));
            pending.clear();
        }
    }
}
