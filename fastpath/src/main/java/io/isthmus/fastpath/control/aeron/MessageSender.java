package io.isthmus.fastpath.control.aeron;

import io.aeron.Publication;
import org.agrona.ExpandableArrayBuffer;

import java.time.Duration;

/**
 * Offers control messages on one publication, retrying while Aeron is back-pressured or busy,
 * up to a timeout. Messages are encoded into one reusable buffer under the sender's lock: control
 * traffic comes from a few threads at a low rate; the workers never send through here.
 *
 * <p><b>Thread-safety:</b> {@link #send} from any thread (serialised by {@code synchronized}).
 */
final class MessageSender {
    /** Encodes one message into {@code buffer} at 0 and returns its length. */
    @FunctionalInterface
    interface Encoder {
        int encode(ExpandableArrayBuffer buffer);
    }

    private final Publication publication;
    private final long timeoutNs;
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(4096);

    MessageSender(Publication publication, Duration timeout) {
        this.publication = publication;
        this.timeoutNs = timeout.toNanos();
    }

    /**
     * Sends; returns null when sent, else why not (nobody connected, closed, timed out). With
     * {@code waitForReader} false a message nobody would read is given up at once (an answer to a
     * client that went away).
     */
    synchronized String send(Encoder encoder, boolean waitForReader) {
        final int length = encoder.encode(buffer);
        if (length > publication.maxMessageLength()) {
            return "message of " + length + " bytes is longer than the channel's maximum " + publication.maxMessageLength();
        }
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (true) {
            final long result = publication.offer(buffer, 0, length);
            if (result > 0) {
                return null;
            }
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED) {
                return "the control publication is closed";
            }
            if (System.nanoTime() - deadlineNs > 0 || result == Publication.NOT_CONNECTED && !waitForReader) {
                return result == Publication.NOT_CONNECTED
                        ? "nobody is listening on the control channel (stream " + publication.streamId() + ")"
                        : "the control channel stayed back-pressured for " + timeoutNs / 1_000_000 + " ms";
            }
            Thread.onSpinWait();
            if (result == Publication.NOT_CONNECTED) {
                Thread.yield();
            }
        }
    }

    boolean isConnected() {
        return publication.isConnected();
    }
}
